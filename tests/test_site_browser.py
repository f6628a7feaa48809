"""The static site (issue 20) in a real browser: Debian's chromium, headless, driven by Selenium through the system
chromedriver (no download: the Service names /usr/bin/chromedriver, so selenium-manager never runs).

The site is opened from file://; the test clicks county → township → village → household → item, checks every
figure shown against `rollup --format json` for that unit and period, switches the period, searches by pinyin
initials, checks that nothing was loaded from outside the folder, and writes screenshots at 1024 and 390 px into a
temporary folder. Without chromium, chromedriver or selenium the tests are skipped with the reason, except under
MINQING_REQUIRE_TOOLS=1 (.ci/run sets it), where a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run
from foundation_util import office_env

from minqing.ledgers.read import site as S
from minqing.ledgers.repo.store import Ledger

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
COUNTY, TOWNSHIP = "520602", "520602202"


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install '.[test]')"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return f"{path} not found (apt-get install {package})"
    return None


def _require_browser() -> None:
    """Skip with the reason when a tool is missing; under MINQING_REQUIRE_TOOLS=1 (CI) fail instead."""
    reason = _missing()
    if reason:
        if os.environ.get("MINQING_REQUIRE_TOOLS") == "1":
            pytest.fail(f"MINQING_REQUIRE_TOOLS=1 but {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1024,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "bijiang"
    with office_env():
        assert run("demo", str(path)).exit_code == 0
    return path


@pytest.fixture(scope="module")
def site(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("www") / "minqing"
    with office_env():
        result = run("report", "site", str(out), ledger=demo)
    assert result.exit_code == 0, result.output
    return out.resolve()


def expected(demo: Path, unit: str, kind: str, date: str) -> dict[str, str]:
    """`rollup --format json` for the unit and period, as the site formats each figure."""
    with office_env():
        result = run(
            "rollup", "--format", "json", "--unit", unit, "--period", kind, "--date", date, ledger=demo
        )
    assert result.exit_code == 0, result.output
    total = json.loads(result.stdout)["total"]
    return {
        key: S.display(key, value, "zh")
        for key, value in total.items()
        if key not in ("unit", "name", "level")
    }


def shown(driver: Any) -> dict[str, str]:
    """The unit's own figures on the page (a sub-unit's cells carry data-u)."""
    return driver.execute_script(
        "var out = {}; document.querySelectorAll('[data-m]:not([data-u])').forEach(function (el) {"
        " out[el.getAttribute('data-m')] = el.textContent; }); return out;"
    )


def assert_figures(driver: Any, demo: Path, unit: str, kind: str, date: str) -> None:
    figures = shown(driver)
    assert len(figures) >= 20
    want = expected(demo, unit, kind, date)
    for metric, text in figures.items():
        assert text == want[metric], (unit, kind, date, metric, text, want[metric])


def click(driver: Any, css: str) -> None:
    from selenium.webdriver.common.by import By

    element = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def resources(driver: Any) -> list[str]:
    return driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
        ".concat([location.href]);"
    )


def assert_local(driver: Any, site: Path) -> None:
    prefix = site.as_uri() + "/"
    for name in resources(driver):
        assert name.startswith(prefix), name


def test_click_down_from_county_to_item_with_figures_equal_to_rollup(
    browser: Any, demo: Path, site: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get((site / "index.html").as_uri())
    assert_figures(browser, demo, COUNTY, "month", "2026-11-23")
    # the townships' rows in the county's table too
    cells = browser.execute_script(
        "var out = []; document.querySelectorAll('[data-m][data-u]').forEach(function (el) {"
        " out.push([el.getAttribute('data-u'), el.getAttribute('data-m'), el.textContent]); }); return out;"
    )
    townships = {code for code, _, _ in cells}
    assert TOWNSHIP in townships and len(cells) >= 4 * len(townships)
    for code in townships:
        want = expected(demo, code, "month", "2026-11-23")
        for unit, metric, text in cells:
            if unit == code:
                assert text == want[metric], (code, metric, text, want[metric])
    assert_local(browser, site)
    click(browser, f'a[href^="u/{TOWNSHIP}.html"]')
    assert browser.current_url.split("#")[0].endswith(f"u/{TOWNSHIP}.html")
    assert_figures(browser, demo, TOWNSHIP, "month", "2026-11-23")
    village = browser.find_element(By.CSS_SELECTOR, f'a[href^="../u/{TOWNSHIP}"]').get_attribute("href")
    code = village.split("/u/")[1].split(".html")[0]
    click(browser, f'a[href^="../u/{code}.html"]')
    assert_figures(browser, demo, code, "month", "2026-11-23")
    led = Ledger.open(demo)
    with_items = sorted({i.household for i in led.iter_items() if i.household and i.unit.startswith(code)})
    assert with_items, code
    click(browser, f'a[href="../h/{with_items[0]}.html"]')
    assert browser.current_url.endswith(f"h/{with_items[0]}.html")
    click(browser, 'a[href^="../i/Q-"]')
    item_id = browser.current_url.rsplit("/", 1)[1].removesuffix(".html")
    history = led.item(item_id).history
    rows = browser.find_elements(By.CSS_SELECTOR, "table[data-sortable] tbody tr")
    assert len(rows) == len(history) >= 1
    assert history[-1].at in browser.page_source  # who did what when, down to the last step
    assert_local(browser, site)


def test_a_figure_opens_the_list_it_counts(browser: Any, demo: Path, site: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get((site / "index.html").as_uri())
    want = int(expected(demo, COUNTY, "month", "2026-11-23")["overdue"])
    assert want > 0
    click(browser, 'a[data-list="overdue"]:not([data-u])')
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#list-body tr"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#list-body tr")
    assert len(rows) == want
    assert browser.find_element(By.ID, "list-title").text.endswith(str(want))
    first = rows[0].find_element(By.CSS_SELECTOR, "a")
    item_id = first.text
    first.click()
    assert browser.current_url.endswith(f"i/{item_id}.html")
    assert_local(browser, site)


def test_the_period_selector_changes_the_figures_to_that_periods_rollup(
    browser: Any, demo: Path, site: Path
) -> None:
    from selenium.webdriver.support.ui import Select

    browser.get((site / "index.html").as_uri())
    month = shown(browser)
    selector = Select(browser.find_element("id", "period"))
    for key, kind, date in (("2026Q4", "quarter", "2026-11-23"), ("2026", "year", "2026-11-23"),
                            ("2026-10", "month", "2026-10-15")):  # fmt: skip
        selector.select_by_value(key)
        assert_figures(browser, demo, COUNTY, kind, date)
    assert shown(browser) != month
    # the chosen period follows the leader down to the township page
    click(browser, f'a[href^="u/{TOWNSHIP}.html"]')
    assert browser.current_url.endswith("#p=2026-10")
    assert_figures(browser, demo, TOWNSHIP, "month", "2026-10-15")


def test_search_finds_a_household_by_pinyin_initials(browser: Any, demo: Path, site: Path) -> None:
    from pypinyin import Style, lazy_pinyin
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    homes = list(Ledger.open(demo).iter_households())
    initials = {h.id: "".join(lazy_pinyin(h.head, style=Style.FIRST_LETTER)).lower() for h in homes}
    counts = Counter(initials.values())
    home = min(homes, key=lambda h: (counts[initials[h.id]], h.id))  # the rarest initials: few hits
    browser.get((site / "index.html").as_uri())
    box = browser.find_element(By.ID, "search")
    box.send_keys(initials[home.id])
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#hits a"))
    hits = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#hits a")]
    assert any(href.endswith(f"h/{home.id}.html") for href in hits), (initials[home.id], hits)
    for text in (home.head, home.id[:5]):  # the name as typed, an id prefix
        box.clear()
        box.send_keys(text)
        WebDriverWait(browser, 10).until(
            lambda d: any(
                a.get_attribute("href").endswith(f"h/{home.id}.html")
                for a in d.find_elements(By.CSS_SELECTOR, "#hits a")
            )
        )
    box.clear()
    box.send_keys(home.id[:5])
    WebDriverWait(browser, 10).until(
        lambda d: any(
            a.get_attribute("href").endswith(f"h/{home.id}.html")
            for a in d.find_elements(By.CSS_SELECTOR, "#hits a")
        )
    )
    assert_local(browser, site)


def test_tables_sort_from_the_keyboard(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get((site / "index.html").as_uri())
    button = browser.find_element(By.CSS_SELECTOR, "table[data-sortable] thead th:nth-child(2) button")
    browser.execute_script("arguments[0].focus();", button)
    button.send_keys(Keys.ENTER)
    header = browser.find_element(By.CSS_SELECTOR, "table[data-sortable] thead th:nth-child(2)")
    assert header.get_attribute("aria-sort") == "descending"
    cells = [
        float(td.text)
        for td in browser.find_elements(By.CSS_SELECTOR, "table[data-sortable] tbody td:nth-child(2)")
    ]
    assert cells == sorted(cells, reverse=True)


def test_screenshots_at_1024_and_390_pixels(
    browser: Any, site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    shots = tmp_path_factory.mktemp("screenshots")
    for width in (1024, 390):
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
        )
        try:
            browser.get((site / "index.html").as_uri())
            assert browser.execute_script("return window.innerWidth;") == width
            # nothing wider than the screen: wide tables and charts scroll inside their own boxes
            assert browser.execute_script("return document.documentElement.scrollWidth;") <= width
            path = shots / f"dashboard-{width}.png"
            assert browser.save_screenshot(str(path))
            assert path.stat().st_size > 10_000
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    print(f"screenshots in {shots}")


def test_a_missing_browser_is_skipped_with_the_reason_or_fails_when_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "CHROMEDRIVER", "/nonexistent/chromedriver")
    monkeypatch.delenv("MINQING_REQUIRE_TOOLS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium-driver"):
        _require_browser()
    monkeypatch.setenv("MINQING_REQUIRE_TOOLS", "1")
    with pytest.raises(pytest.fail.Exception, match="MINQING_REQUIRE_TOOLS=1 but"):
        _require_browser()
