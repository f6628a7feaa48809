"""`minqing find`: Chinese text, full pinyin, initials, polyphones, ID prefixes, across households, cadres, items."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import run
from sheets_fixture import build_office

from minqing.ledgers.core import spelling
from minqing.ledgers.core.errors import BadInput
from minqing.ledgers.read import search


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    # find only reads, so all tests share one ledger
    return build_office(tmp_path_factory.mktemp("find") / "office")


def found(office, text, *more):
    result = run("find", text, "--json", *more, ledger=office.path)
    assert result.exit_code == 0, result.output
    return [(hit["kind"], hit["id"], hit["name"], hit["match"]) for hit in json.loads(result.stdout)]


@pytest.mark.parametrize("text", ["张三", "zhangsan", "zs", "zhangs", "ZhangSan", "zhang san"])
def test_household_head_by_text_pinyin_and_initials(office, text):
    hits = found(office, text)
    assert [(kind, entry, name) for kind, entry, name, _ in hits] == [
        ("household", office.homes["张三"], "张三")
    ]


def test_match_kinds_rank_exact_text_first(office):
    assert found(office, "张三")[0][3] == "name"
    assert found(office, "张")[0][3] == "name_prefix"
    assert found(office, "zs")[0][3] == "pinyin"


@pytest.mark.parametrize(
    "text, head",
    [
        ("zengguoqiang", "曾国强"),
        ("cengguoqiang", "曾国强"),
        ("zgq", "曾国强"),
        ("shantianfang", "单田芳"),
        ("dantianfang", "单田芳"),
        ("stf", "单田芳"),
        ("tianfang", "单田芳"),
    ],
)
def test_polyphones_and_later_syllables(office, text, head):
    assert [name for _, _, name, _ in found(office, text)] == [head]


def test_cadres_sharing_a_name_are_both_found(office):
    hits = found(office, "wf")
    assert sorted(entry for _, entry, _, _ in hits) == sorted([office.wang_banli, office.wang_songjia])
    assert {kind for kind, *_ in hits} == {"cadre"}


def test_items_by_text_and_full_pinyin_not_initials(office):
    road = found(office, "路灯")
    assert [(kind, name) for kind, _, name, _ in road] == [("item", "村道路灯损坏")]
    assert [hit[:3] for hit in found(office, "ludeng")] == [hit[:3] for hit in road]
    assert found(office, "ludeng")[0][3] == "pinyin"
    assert found(office, "ld") == []


def test_id_prefixes(office):
    home = office.homes["李四"]
    assert found(office, home)[0] == ("household", home, "李四", "id")
    assert found(office, home[:5].lower())[0][:2] == ("household", home)
    # A bare prefix is taken for an ID only when it holds a digit: the shortest such prefix (3 characters at least) of
    # a household's random id, from a household added until one has a digit (four ids had none in ~1 % of runs).
    homes = list(office.homes.values())
    while not any(c.isdigit() for home_id in homes for c in home_id[2:]):
        added = run("household", "add", "--head", "测试户", "--village", "520602101201", ledger=office.path)
        assert added.exit_code == 0, added.output
        homes.append(added.stdout.split()[0])
    home_id, digit = next((h, i) for h in homes for i, c in enumerate(h) if i >= 2 and c.isdigit())
    bare = home_id[2 : max(5, digit + 1)]
    assert ("household", home_id) in [hit[:2] for hit in found(office, bare)]


def test_kind_filter_limit_and_table(office):
    assert found(office, "王", "--kind", "household") == []
    assert len(found(office, "王", "--kind", "cadre")) == 2
    assert len(found(office, "王", "--limit", "1")) == 1
    result = run("find", "李明", ledger=office.path)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["类型", "编号", "名称", "单位"]
    assert lines[2].split() == ["干部", office.leader, "李明", "和平乡（520602101）"]
    result = run("find", "zhangsan", ledger=office.path)
    assert result.stdout.splitlines()[2].split() == [
        "农户",
        office.homes["张三"],
        "张三",
        "板栗园村一组（52060210120101）",
    ]


def test_nothing_found_and_bad_input(office):
    result = run("find", "xyzzy", ledger=office.path)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "",
        "没有与“xyzzy”匹配的农户、干部或事项\n",
    )
    result = run("find", "zs", "--kind", "village", ledger=office.path)
    assert (result.exit_code, result.stderr) == (
        2,
        "minqing: --kind 的值“village”无效：应为 household|cadre|item|unit\n",
    )
    with pytest.raises(BadInput):
        search.find(office.ledger(), "  ")


def test_speller_directly():
    readings = spelling.readings("老曾-国 强")
    assert set(readings["曾"]) == {"ceng", "zeng"} and readings["-"] == readings[" "] == ()
    names = spelling.Speller("zgq", readings)
    # from any character on, past spaces and dashes
    assert names.matches("曾国强") and names.matches("老曾-国 强")
    assert not names.matches("曾强国")
    assert spelling.Speller("zengguoq", readings).matches("曾国强")
    assert not spelling.Speller("zengguoqiangx", readings).matches("曾国强")
    assert not spelling.Speller("zgq", readings, full_only=True).matches("曾国强")
    assert spelling.Speller("zengguoqi", readings, full_only=True).matches("曾国强")
    assert not spelling.Speller("zgq", {}).matches("曾国强")  # a character without readings ends a spelling


# Place names, double and polyphone surnames, phrases read otherwise than their characters' most common reading,
# mixed text. Each character is read every way pypinyin knows it, alone or in a phrase (乐 is lao in 乐亭).
PHRASES = ["银行", "重庆", "长沙", "行长", "曾国藩", "朝阳村", "单于", "尉迟恭", "解放", "乐山", "覃", "仇", "区",
           "查", "朴", "翟", "都匀市", "六盘水", "蚌埠", "厦门", "番禺", "大夫", "便宜", "A区3组", "王芳 C-4H2J9X",
           "乐亭县", "旋干转坤"]  # fmt: skip


@pytest.mark.parametrize("name", PHRASES)
def test_the_phrase_reading_and_each_characters_own_are_found(name):
    from pypinyin import Style, lazy_pinyin

    readings = spelling.readings(name)
    in_phrase = "".join(spelling.letters(part) for part in lazy_pinyin(name, style=Style.NORMAL))
    alone = "".join(spelling.letters(lazy_pinyin(char, style=Style.NORMAL)[0]) for char in name)
    for typed in {in_phrase, alone}:
        assert spelling.Speller(typed, readings).matches(name), typed
        assert spelling.Speller(typed, readings, full_only=True).matches(name), typed
        pattern = spelling.Speller(typed, readings).prefilter()
        assert pattern is not None and pattern.search(name), typed


def test_the_prefilter_changes_no_answer(office, monkeypatch):
    """The pattern that picks the names worth spelling (`Speller.prefilter`, searched in C over a county's names)
    changes nothing that is found: with one that any character matches, every name is spelled out."""
    queries = [
        "zs",
        "zhangsan",
        "ls",
        "wang",
        "lu",
        "ld",
        "shui",
        "hang",
        "zh",
        "xy",
        "qq",
        "Zhang",
        "c-",
        "zgq",
    ]
    with_filter = {query: found(office, query) for query in queries}
    assert any(hits for hits in with_filter.values())
    monkeypatch.setattr(spelling.Speller, "prefilter", lambda self: re.compile(r"[^\0]"))
    assert {query: found(office, query) for query in queries} == with_filter


def test_a_new_name_is_spelled_and_no_pinyin_is_loaded_to_find(office):
    """A head added after the index was built is found by pinyin (the index learns its characters' readings, 亭 as
    ting, 乐 as le or lao), and `find` spells every name without loading pypinyin."""
    added = run("household", "add", "--head", "曾乐亭", "--village", "520602101201", ledger=office.path)
    assert added.exit_code == 0, added.output
    home = added.stdout.split()[0]
    for text in ("zenglaoting", "cengleting", "zlt", "laoting"):
        assert ("household", home, "曾乐亭", "pinyin") in found(office, text), text
    script = (
        "import json, sys\n"
        "from minqing.ledgers.read import search\n"
        "from minqing.ledgers.repo.store import Ledger\n"
        "hits = search.find(Ledger.open(sys.argv[1]), 'zenglaoting')\n"
        "print(json.dumps([[hit.id, 'pypinyin' in sys.modules] for hit in hits]))\n"
    )
    answer = subprocess.run([sys.executable, "-c", script, str(office.path)], capture_output=True, text=True)
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout) == [[home, False]]


@pytest.mark.parametrize("text", ["zh", "ws", "sh", "li", "wang", "h-", "cun"])
def test_only_the_pinyin_hits_shown_are_spelled_and_they_are_the_first(office, text):
    """Pinyin hits rank last, in (kind, name, id) order, so `find` spells only as many as fit under `--limit`:
    whatever the limit, the hits are the first of the whole list."""
    from minqing.ledgers.repo.store import Ledger

    led = Ledger.open(office.path)
    everything = search.find(led, text, limit=0)
    pinyin = [hit for hit in everything if hit.match == "pinyin"]
    for limit in (1, 2, 3, 5, 8, 13, len(everything), len(everything) + 1):
        assert search.find(led, text, limit=limit) == everything[:limit], limit
    if text == "zh":
        assert len(pinyin) > 3  # more pinyin hits than the small limits show
