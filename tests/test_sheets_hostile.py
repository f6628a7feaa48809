"""Sheets from outside the office's trust (issue 14), through the CLI against real ledgers.

Formula cells: whatever a head, description or note starts with, an export opens as text (OWASP CSV injection), and
importing that export unchanged is still a no-op. Sheet bombs: an .xlsx whose zip unpacks to too much, compresses
too well, declares too many strings, rows or cells, or holds one endless text is refused before openpyxl parses it
(the message names the limit, the value and the limit's size). Mixed encodings: a UTF-8 CSV with a GBK row is
refused naming the line; a pure GBK sheet still imports. Hidden sheets: never read unless named with --sheet.
Every refusal is one stderr line, exit 2, HEAD and working tree unchanged (conftest `refused`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from conftest import refused, run, snapshot
from sheets_fixture import build_office, copy_office, write_csv, write_xlsx

from minqing.ledgers.ops import sheets

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEAD_FORMULA = "=1+1"
HEAD_MINUS = "-减号户"
LINK = '=HYPERLINK("http://x","点击查看")'
NOTE_AT = "@村民 反映路灯不亮"
NOTE_PLUS = "+1 户要求复查"
TITLE_DDE = "=cmd|' /C calc'!A0"
QUOTED = "'=已带引号"  # a value that itself starts with a quote before `=` comes back exactly too


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_office(tmp_path_factory.mktemp("hostile") / "office")


@pytest.fixture
def office(base, tmp_path):
    return copy_office(base, tmp_path / "office")


def ok(office, *args: str) -> str:
    result = run(*args, ledger=office.path)
    assert result.exit_code == 0, result.output
    return result.stdout


def first_id(text: str, prefix: str) -> str:
    found = re.search(rf"\b{prefix}-[0-9A-Z]{{6}}\b", text)
    assert found, text
    return found.group(0)


# ---------------------------------------------------------------- formula injection


@pytest.fixture
def formulas(office):
    """Entries whose text starts with formula characters, each made by the commands a clerk uses."""
    village = "520602101201"
    home = first_id(ok(office, "household", "add", "--head", HEAD_FORMULA, "--village", village), "H")
    ok(office, "household", "add", f"--head={HEAD_MINUS}", "--village", village)
    ok(office, "household", "add", "--head", QUOTED, "--village", village)
    ok(office, "cadre", "add", "--name", "周明", "--unit", village, "--role", "village", "--title", TITLE_DDE)
    ok(office, "issue", "add", "--desc", LINK, "--category", "housing", "--household", home)
    ok(office, "visit", "add", "--household", home, "--by", office.leader, "--note", NOTE_AT)
    ok(
        office,
        "visit",
        "add",
        "--household",
        home,
        "--by",
        office.leader,
        "--kind",
        "talk",
        "--note",
        NOTE_PLUS,
    )
    return office


KINDS = ("households", "cadres", "visits", "issues")
PLANTED = {
    "households": {HEAD_FORMULA, HEAD_MINUS, QUOTED},
    "cadres": {TITLE_DDE},
    "visits": {NOTE_AT, NOTE_PLUS},
    "issues": {LINK},
}


def export(office, tmp_path: Path, kind: str, fmt: str, *more: str) -> Path:
    out = tmp_path / f"{kind}.{fmt}"
    ok(office, "export", "--kind", kind, "--format", fmt, "--out", str(out), *more)
    return out


def rows_of(office, kind: str) -> int:
    return len(json.loads(ok(office, "export", "--kind", kind, "--format", "json")))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("encoding", [None, "gb18030"])
def test_csv_export_quotes_formula_cells_and_reimports_as_a_no_op(formulas, tmp_path, kind, encoding):
    office = formulas
    out = export(office, tmp_path, kind, "csv", *(["--encoding", encoding] if encoding else []))
    cells = [
        cell
        for row in csv.reader(io.StringIO(out.read_bytes().decode(encoding or "utf-8-sig")))
        for cell in row
    ]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    for value in PLANTED[kind]:
        assert "'" + value in cells, (value, cells)
    before = snapshot(office.path)
    result = run("import", str(out), "--kind", kind, ledger=office.path)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"没有新内容：{rows_of(office, kind)} 行都与台账一致，未提交\n"
    assert snapshot(office.path) == before


@pytest.mark.parametrize("kind", KINDS)
def test_xlsx_export_writes_formula_text_as_string_cells_and_reimports_as_a_no_op(formulas, tmp_path, kind):
    import openpyxl

    office = formulas
    out = export(office, tmp_path, kind, "xlsx")
    with zipfile.ZipFile(out) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    assert not re.search(rb"<f[\s>/]", sheet_xml)  # no formula element at all
    book = openpyxl.load_workbook(out)
    texts = set()
    for row in book.worksheets[0].iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                assert cell.data_type == "s", (cell.coordinate, cell.value, cell.data_type)
                texts.add(cell.value)
    assert PLANTED[kind] <= texts  # as typed, no quote added: a string cell is text already
    before = snapshot(office.path)
    result = run("import", str(out), "--kind", kind, ledger=office.path)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"没有新内容：{rows_of(office, kind)} 行都与台账一致，未提交\n"
    assert snapshot(office.path) == before


def test_numbers_stay_numbers_and_the_csv_quote_is_exactly_reversible():
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    sheet = openpyxl.Workbook(write_only=True).create_sheet("t")
    assert sheets._text_cell(WriteOnlyCell(sheet, value=-3)).data_type == "n"
    assert sheets._text_cell(WriteOnlyCell(sheet, value="-3")).data_type == "s"
    assert sheets._text_cell(WriteOnlyCell(sheet, value="#N/A")).data_type == "s"
    for value in ("=1+1", "-", "@", "'=x", "''+x", "'abc", "it's", "a=b", "", "\t=x"):
        assert sheets.from_csv_cell(sheets.inert_csv_cell(value)) == value
    assert sheets.from_csv_cell("'abc") == "'abc"  # a quote the export did not add is the value's own


def test_a_hand_made_csv_with_a_quoted_formula_imports_the_text(office, tmp_path):
    sheet = write_csv(tmp_path / "h.csv", [["村", "户主姓名"], ["板栗园村", "'=2+3"]])
    ok(office, "import", str(sheet), "--kind", "households")
    heads = {
        row["head"] for row in json.loads(ok(office, "export", "--kind", "households", "--format", "json"))
    }
    assert "=2+3" in heads


# ---------------------------------------------------------------- sheet bombs


def good_xlsx(tmp_path: Path, name: str = "good.xlsx") -> Path:
    return write_xlsx(tmp_path / name, [["村", "户主姓名"], ["板栗园村", "钱七"]])


def rezip(source: Path, target: Path, parts: dict[str, bytes]) -> Path:
    """`source` with some parts replaced or added (the rest copied as they were)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename not in parts:
                new.writestr(info.filename, old.read(info.filename))
        for name, content in parts.items():
            new.writestr(name, content)
    return target


def test_shared_strings_bomb_is_refused_before_parsing(office, tmp_path):
    """~300 KB on disk, 300 MiB unpacked: written and refused in chunks, never whole in memory."""
    bomb = tmp_path / "bomb.xlsx"
    good = good_xlsx(tmp_path)
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info.filename))
        with new.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            chunk = b"A" * (1024 * 1024)
            for _ in range(300):
                part.write(chunk)
            part.write(b"</t></si></sst>")
    assert bomb.stat().st_size < 2 * 1024 * 1024
    result = refused(office.path, "import", str(bomb), "--kind", "households")
    assert result.stderr == (
        "minqing: “bomb.xlsx”的部件 xl/sharedStrings.xml 解压后大小为 300 MiB，超过上限 256 MiB"
        "（防止表格炸弹）：请拆分为较小的表格分别导入\n"
    )


def test_a_part_that_compresses_too_well_is_refused(office, tmp_path):
    styles = b'<styleSheet xmlns="x">' + b" " * (2 * 1024 * 1024) + b"</styleSheet>"
    sheet = rezip(good_xlsx(tmp_path), tmp_path / "ratio.xlsx", {"xl/styles.xml": styles})
    result = refused(office.path, "--lang", "en", "import", str(sheet), "--kind", "households")
    assert re.fullmatch(
        r"minqing: 'ratio.xlsx': compression ratio of part xl/styles.xml is \d+:1, over the limit of 100:1 "
        r"\(a guard against sheet bombs\); accepted: smaller sheets, imported one by one\n",
        result.stderr,
    ), result.stderr


def test_declared_shared_string_count_is_read_from_the_header(office, tmp_path):
    strings = b'<sst xmlns="x" count="9000000" uniqueCount="9000000"><si><t>a</t></si></sst>'
    sheet = rezip(good_xlsx(tmp_path), tmp_path / "sst.xlsx", {"xl/sharedStrings.xml": strings})
    refused(
        office.path,
        "import",
        str(sheet),
        "--kind",
        "households",
        contains="共享字符串数（xl/sharedStrings.xml）为 9,000,000，超过上限 4,000,000",
    )


def test_declared_dimension_over_the_cell_limit_is_refused(office, tmp_path):
    good = good_xlsx(tmp_path)
    with zipfile.ZipFile(good) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    spoofed = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1000"', xml)
    assert spoofed != xml
    sheet = rezip(good, tmp_path / "dim.xlsx", {"xl/worksheets/sheet1.xml": spoofed})
    refused(
        office.path,
        "import",
        str(sheet),
        "--kind",
        "households",
        contains="工作表“台账”的单元格数为 16,384,000，超过上限 4,000,000",
    )


def test_row_numbers_are_counted_while_streaming(office, tmp_path):
    """No <dimension>, one row numbered 300,000: openpyxl would yield 300,000 rows; the stream stops at the limit."""
    sheet_xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>村</t></is></c><c r="B1" t="inlineStr"><is><t>户主姓名</t></is></c></row>'
        '<row r="300000"><c r="A300000" t="inlineStr"><is><t>板栗园村</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    sheet = rezip(good_xlsx(tmp_path), tmp_path / "rows.xlsx", {"xl/worksheets/sheet1.xml": sheet_xml})
    refused(
        office.path,
        "import",
        str(sheet),
        "--kind",
        "households",
        contains="工作表“台账”的行数为 200,001，超过上限 200,000",
    )


def test_cells_rows_and_strings_are_counted_in_the_stream(office, tmp_path, monkeypatch):
    """Counted from the XML itself, so a part that leaves out <dimension> or lies in its header is caught too."""
    monkeypatch.setattr(sheets, "MAX_CELLS", 3)
    good = good_xlsx(tmp_path)
    refused(
        office.path,
        "import",
        str(good),
        "--kind",
        "households",
        contains="部件 xl/worksheets/sheet1.xml 的单元格数为 4",
    )
    monkeypatch.setattr(sheets, "MAX_CELLS", 4_000_000)
    monkeypatch.setattr(sheets, "MAX_SHARED_STRINGS", 2)
    strings = b'<sst xmlns="x" count="1"><si><t>a</t></si><x:si><t>b</t></x:si><si>\n<t>c</t></si></sst>'
    sheet = rezip(good, tmp_path / "sst.xlsx", {"xl/sharedStrings.xml": strings})
    refused(
        office.path,
        "import",
        str(sheet),
        "--kind",
        "households",
        contains="共享字符串数（xl/sharedStrings.xml）为 3",
    )


def test_one_endless_text_is_refused(office, tmp_path):
    import base64
    import random

    text = base64.b64encode(random.Random(1).randbytes(1_600_000))  # 2.1 MB that does not compress
    strings = b'<sst xmlns="x" count="1"><si><t>' + text + b"</t></si></sst>"
    sheet = rezip(good_xlsx(tmp_path), tmp_path / "long.xlsx", {"xl/sharedStrings.xml": strings})
    refused(
        office.path,
        "import",
        str(sheet),
        "--kind",
        "households",
        contains="部件 xl/sharedStrings.xml 中最长一段文字为 2.0 MiB，超过上限 1.0 MiB",
    )


@pytest.mark.parametrize(
    "limit, value, expected",
    [
        ("MAX_XLSX_BYTES", 1000, "文件大小为"),
        ("MAX_TOTAL_BYTES", 5000, "全部部件解压后总大小为"),
        ("MAX_WHOLE_PART_BYTES", 500, "解压后大小为"),
    ],
)
def test_size_limits_name_themselves(office, tmp_path, monkeypatch, limit, value, expected):
    monkeypatch.setattr(sheets, limit, value)
    refused(office.path, "import", str(good_xlsx(tmp_path)), "--kind", "households", contains=expected)


def test_a_county_sized_sheet_is_within_every_limit():
    # 100,000 rows × 30 columns of text, as openpyxl writes them (measured: ~125 MB of sheet XML for 20 columns).
    assert 100_000 * 30 <= sheets.MAX_CELLS and 100_000 < sheets.MAX_ROWS
    assert 100_000 * 30 * 60 < sheets.MAX_PART_BYTES


@pytest.mark.parametrize(
    "content, detail",
    [
        (b"not a zip at all", "不是有效的 .xlsx 文件"),
        (b"PK\x03\x04" + b"\x00" * 60, "不是有效的 .xlsx 文件"),
    ],
)
def test_not_a_zip_is_one_line(office, tmp_path, content, detail):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    refused(office.path, "import", str(path), "--kind", "households", contains=detail)


@pytest.mark.parametrize(
    "part, content",
    [
        ("xl/workbook.xml", b"<workbook><sheets><sheet"),
        ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>x"),
        ("xl/styles.xml", b"\xff\xfe garbage"),
    ],
)
def test_a_corrupt_part_is_one_line(office, tmp_path, part, content):
    sheet = rezip(good_xlsx(tmp_path), tmp_path / "corrupt.xlsx", {part: content})
    refused(office.path, "import", str(sheet), "--kind", "households", contains="无法读取“corrupt.xlsx”")


def test_a_damaged_zip_member_is_one_line(office, tmp_path):
    good = good_xlsx(tmp_path)
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 5, start + 25):
        data[offset] ^= 0x5A
    good.write_bytes(bytes(data))
    refused(office.path, "import", str(good), "--kind", "households", contains="无法读取“good.xlsx”")


# ---------------------------------------------------------------- mixed encodings


def heads(office) -> set[str]:
    return {
        row["head"] for row in json.loads(ok(office, "export", "--kind", "households", "--format", "json"))
    }


def test_a_utf8_sheet_with_one_gbk_row_is_refused_naming_the_line(office, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "村,户主姓名\r\n板栗园村,钱七\r\n".encode()
        + "板栗园村,李四\r\n".encode("gbk")
        + "板栗园村,孙八\r\n".encode()
    )
    result = refused(office.path, "import", str(path), "--kind", "households")
    assert result.stderr == (
        "minqing: “mixed.csv”混用了两种编码：第 1 行是 UTF-8，第 3 行不是：整个文件应为同一种编码（UTF-8 或 GB18030），"
        "请在 Excel 中另存为 CSV UTF-8 后重试\n"
    )
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + b"village,head\r\n" + "板栗园村,李四\r\n".encode("gbk"))
    refused(office.path, "--lang", "en", "import", str(bom), "--kind", "households", contains="line 2 is not")


def test_a_pure_gbk_sheet_still_imports_with_its_names(office, tmp_path):
    # 郑叶 and 卢陆 are GBK bytes that happen to be valid UTF-8 (as Hebrew and Latin letters, not Chinese): still GBK.
    rows = [["村", "户主姓名"], ["板栗园村", "李四"], ["板栗园村", "郑叶"], ["板栗园村", "卢陆"]]
    for _, line in rows[2:]:
        line.encode("gbk").decode("utf-8")
    path = write_csv(tmp_path / "gbk.csv", rows, "gbk")
    ok(office, "import", str(path), "--kind", "households")
    assert {"李四", "郑叶", "卢陆"} <= heads(office)


def test_an_explicit_encoding_still_decides(office, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("村,户主姓名\n".encode() + "板栗园村,李四\n".encode("gbk"))
    refused(
        office.path,
        "import",
        str(path),
        "--kind",
        "households",
        "--encoding",
        "utf-8",
        contains="不是 utf-8 编码（第 2 行）",
    )


# ---------------------------------------------------------------- hidden sheets


def hidden_book(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    secret = book.active
    secret.title = "隐藏"
    secret.append(["村", "户主姓名"])
    secret.append(["板栗园村", "隐户"])
    secret.sheet_state = "hidden"
    shown = book.create_sheet("台账")
    shown.append(["村", "户主姓名"])
    shown.append(["板栗园村", "明户"])
    deep = book.create_sheet("深藏")
    deep.append(["村", "户主姓名"])
    deep.append(["板栗园村", "深户"])
    deep.sheet_state = "veryHidden"
    book.active = 1
    book.save(path)
    return path


def test_the_visible_sheet_is_read_by_default(office, tmp_path):
    book = hidden_book(tmp_path / "h.xlsx")
    result = run("import", str(book), "--kind", "households", ledger=office.path)
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert "明户" in heads(office) and not {"隐户", "深户"} & heads(office)


@pytest.mark.parametrize("name, head", [("隐藏", "隐户"), ("深藏", "深户")])
def test_a_hidden_sheet_is_read_when_named_with_a_notice(office, tmp_path, name, head):
    book = hidden_book(tmp_path / "h.xlsx")
    result = run("import", str(book), "--kind", "households", "--sheet", name, ledger=office.path)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"注意：按 --sheet 读取了隐藏的工作表“{name}”（在 Excel 中看不到）\n"
    assert head in heads(office) and "明户" not in heads(office)


def test_a_hidden_active_sheet_is_passed_over(office, tmp_path):
    book = hidden_book(tmp_path / "h.xlsx")
    with zipfile.ZipFile(book) as archive:
        workbook = archive.read("xl/workbook.xml")
    active_hidden = re.sub(rb'activeTab="\d+"', b'activeTab="0"', workbook)
    sheet = rezip(book, tmp_path / "active.xlsx", {"xl/workbook.xml": active_hidden})
    ok(office, "import", str(sheet), "--kind", "households")
    assert "明户" in heads(office) and "隐户" not in heads(office)


def test_unknown_sheet_and_only_hidden_sheets_are_refused(office, tmp_path):
    book = hidden_book(tmp_path / "h.xlsx")
    refused(
        office.path,
        "import",
        str(book),
        "--kind",
        "households",
        "--sheet",
        "花名册",
        contains="“h.xlsx”中没有工作表“花名册”：可选 隐藏、台账、深藏",
    )
    with zipfile.ZipFile(book) as archive:
        workbook = archive.read("xl/workbook.xml")
    all_hidden = workbook.replace(b'state="visible"', b'state="hidden"')
    assert all_hidden != workbook
    sheet = rezip(book, tmp_path / "all.xlsx", {"xl/workbook.xml": all_hidden})
    refused(
        office.path,
        "import",
        str(sheet),
        "--kind",
        "households",
        contains="“all.xlsx”的工作表都是隐藏的：用 --sheet 指定要读的表，可选 隐藏、台账、深藏",
    )
