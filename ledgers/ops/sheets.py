"""The office's own sheets in and out (issue 8): Excel/CSV import with the usual 台账 headers, export with the same.

Import is all or nothing. Every row is parsed into the same canonical values an export is built from, validated with
the rules the add operations use (fields.py validators; workflow.apply and check_policy for every operation an item
row implies), and only a sheet without a single problem is written: one transaction, one commit
`Ledger-Op: import.<kind>`, every new entry carrying its own history. A row whose 编号 names an entry already in the
ledger is compared, not written: unchanged rows are skipped, so importing an unchanged export into the same ledger
changes nothing and makes no commit; a changed row is an error (import adds entries, the commands change them).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core import collector, ids, layout, pii, yamlio
from ..core import fields as F
from ..core.errors import Ambiguous, BadInput, CorruptFile, EnvironmentProblem, LedgerError, NotFound, Refused
from ..core.jsonout import json_array
from ..core.messages import EXTRA_LABELS, LABELS, SYNONYMS, Text, label
from ..core.model import (
    CADRE_STATUS,
    CATEGORIES,
    FEEDBACK,
    HOUSEHOLD_STATUS,
    HOW,
    INDICATORS,
    ITEM_KINDS,
    LEDGERS,
    LEVELS,
    ROLES,
    SOURCES,
    STATES,
    VISIT_KINDS,
    Cadre,
    HistoryEntry,
    Household,
    Item,
    Source,
    Visit,
    item_from_dict,
)
from ..core.operations import new_entry, visitor_trailers
from ..core.orgtree import read_code, short_name
from ..core.registers import in_service, on_register
from ..core.surveys import SURVEY_RESULTS, Survey, parse_round
from ..read.import_lookup import ImportLookup
from ..repo.store import Ledger, build_record, dump_item, dump_record

KINDS = ("households", "cadres", "visits", "issues")
IMPORT_KINDS = (*KINDS, "petitions")  # a 信访台账 is read as items (kind petition); it is exported as issues
IMPORT_KINDS += ("surveys",)  # 群众满意度测评 sheets (issue 18): read into the survey stream, not exported
FORMATS = ("xlsx", "csv", "json")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk")
HEADER_SCAN_ROWS = 20  # a 台账 often has a title row or two (merged cells) above its header row
PROGRESS_EVERY = 250

# Sheet bombs (issue 14). An .xlsx is a zip of XML parts: a few MB on disk can unpack to gigabytes, or declare a
# million rows of a thousand columns, and openpyxl would build all of it in memory. The zip's central directory and
# a streaming pass over the XML parts are checked first, so such a file is refused before openpyxl parses it; the
# rows are counted again while they stream. Sized so a whole county's sheet (100,000 rows of 20-30 columns: about
# 10 MB on disk, 125-250 MB of XML, ~250 MB of memory as read) passes and no file reaches ~500 MB of memory.
# The table in docs/guide/sheets-and-terminal.md lists them.
MiB = 1024 * 1024
MAX_XLSX_BYTES = 64 * MiB  # the file on disk (a county sheet is ~10 MB)
MAX_PART_BYTES = 512 * MiB  # one worksheet part unpacked (streamed: 100,000 × 40 cells of text is ~250 MB)
MAX_SHARED_STRINGS_BYTES = 256 * MiB  # xl/sharedStrings.xml unpacked: openpyxl keeps every string in memory
MAX_WHOLE_PART_BYTES = 16 * MiB  # any other part (workbook, styles, rels…): openpyxl parses those whole
MAX_TOTAL_BYTES = 1024 * MiB  # all parts unpacked together
MAX_RATIO = 100  # unpacked : packed of one part, as Apache POI's zip-bomb guard (real sheets are 5-30)
RATIO_FROM_BYTES = 1 * MiB  # a tiny part may compress better than that harmlessly
MAX_TEXT_RUN = 1 * MiB  # text between two tags: Excel caps a cell at 32,767 characters (~100 KB of UTF-8)
MAX_ROWS = 200_000  # rows of the sheet read (by row number, gaps included): twice a county's households
MAX_CELLS = (
    4_000_000  # cells of the sheet read (rows × columns, empty ones included): ~450 MB as text at most
)
MAX_SHARED_STRINGS = MAX_CELLS  # distinct strings: never more than the cells that could use them
SCAN_CHUNK = 1 * MiB  # at most MAX_TEXT_RUN: a longer stretch then always spans two chunks

Progress = Callable[[str, int, int], None]


# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One column of a kind's sheet: the canonical field (JSON key, --map target), its headers and value type."""

    field: str
    zh: str
    en: str
    type: str  # id seq text name unit enum date int cadre cadres pii_id pii_phone bool risks info
    aliases: tuple[str, ...] = ()
    enum: tuple[str, ...] = ()
    export: bool = (
        True  # False: read on import only (a person-level roster's columns), never written by export
    )


def _id(prefix_aliases: tuple[str, ...] = ()) -> Column:
    return Column("id", "编号", "id", "id", ("ID", "系统编号", *prefix_aliases))


_SEQ = Column("seq", "序号", "no.", "seq", ("no", "#", "序", "number"))
_TOWNSHIP = Column("township", "乡镇", "township", "unit", ("乡镇（街道）", "乡（镇）", "乡镇名称", "街道"))
_VILLAGE = Column(
    "village", "村", "village", "unit", ("村（社区）", "行政村", "村名", "村委会", "社区", "所在村")
)
_GROUP = Column("group", "组", "group", "unit", ("村民小组", "组别", "网格", "小组"))
_HEAD = Column("head", "户主姓名", "head", "name", ("户主", "户主名", "姓名", "走访对象", "被走访户", "农户"))
_PHONE = Column("phone", "联系电话", "phone", "pii_phone", ("电话", "手机", "手机号", "手机号码", "联系方式"))

COLUMNS: dict[str, tuple[Column, ...]] = {
    "households": (
        _SEQ,
        _id(("农户编号",)),
        _TOWNSHIP,
        _VILLAGE,
        _GROUP,
        _HEAD,
        Column(
            "id_number",
            "身份证号",
            "id number",
            "pii_id",
            ("身份证号码", "公民身份号码", "身份证", "证件号码", "证件号"),
        ),
        _PHONE,
        Column(
            "members",
            "家庭人口",
            "members",
            "int",
            ("人口", "人口数", "家庭人口数", "家庭成员数", "人数", "家庭人数"),
        ),
        Column(
            "status",
            "户类别",
            "status",
            "enum",
            ("类别", "户类型", "农户类别", "户属性"),
            HOUSEHOLD_STATUS,
        ),
        Column("register_no", "登记编号", "register no", "text", ("档案编号", "户编号")),
        # The national export's second type column: any named type (脱贫不稳定户, 边缘易致贫户, 突发严重困难户)
        # makes the household monitored whatever its 户类型 says; blank or 否 leaves the status as it is.
        Column(
            "monitor_type",
            "易返贫致贫户(监测对象)类型",
            "monitoring type",
            "monitor",
            ("易返贫致贫户类型", "监测对象类型", "监测类型", "防返贫监测对象类型", "是否监测对象"),
            export=False,
        ),
        Column("risks", "风险指标", "risks", "risks", ("风险", "两不愁三保障风险")),
        Column("pairings", "结对干部", "paired cadres", "cadres", ("帮扶干部", "帮扶责任人", "结对帮扶干部")),
        # A person-level roster (the national 已脱贫人口名单 export): one row per person, grouped by 户编号.
        Column("person_no", "人编号", "person no", "text", ("成员编号", "人员编号"), export=False),
        Column("relation", "与户主关系", "relation", "text", ("与户主的关系", "家庭关系"), export=False),
        Column("person_name", "成员姓名", "member name", "name", ("人员姓名",), export=False),
        Column(
            "registered",
            "首次识别时间",
            "registered",
            "date",
            ("建档日期", "建档时间", "识别时间", "纳入时间", "首次纳入时间"),
            export=False,
        ),
        Column(
            "housing_risk", "危房户", "dilapidated house", "bool", ("是否危房户", "是否危房"), export=False
        ),
        Column(
            "water_ok",
            "是否解决安全饮用水",
            "safe drinking water",
            "bool",
            ("是否解决安全饮水", "安全饮水", "饮水安全有保障"),
            export=False,
        ),
    ),
    "cadres": (
        _SEQ,
        _id(("干部编号",)),
        Column("name", "姓名", "name", "name", ("干部姓名", "帮扶责任人", "帮扶责任人姓名", "责任人姓名")),
        Column("unit", "单位", "unit", "unit", ("所在单位", "工作单位", "单位名称")),
        # A 帮扶责任人 roster names no 单位: the cadre's unit is its 乡镇 + 村 (the village, else the township).
        replace(_TOWNSHIP, export=False),
        replace(_VILLAGE, export=False),
        Column("role", "角色", "role", "enum", ("系统角色", "权限"), ROLES),
        Column("title", "职务", "title", "text", ("职位", "岗位")),
        _PHONE,
        Column("status", "状态", "status", "enum", ("在岗状态",), CADRE_STATUS),
        Column("recall_reason", "召回原因", "recall reason", "text", ("召回说明",)),
        Column(
            "paired",
            "帮扶对象",
            "paired households",
            "text",
            ("结对户", "帮扶户", "结对帮扶户", "帮扶对象姓名", "结对对象", "联系户"),
            export=False,
        ),
    ),
    "visits": (
        _SEQ,
        _id(("走访编号",)),
        Column("date", "走访日期", "date", "date", ("日期", "走访时间")),
        Column("kind", "走访类型", "kind", "enum", ("类型", "走访方式"), VISIT_KINDS),
        _TOWNSHIP,
        _VILLAGE,
        _GROUP,
        _HEAD,
        Column("by", "走访人", "visitors", "cadres", ("走访干部", "走访人员", "by")),
        Column("note", "走访情况", "note", "text", ("走访记录", "情况记录", "备注", "走访内容")),
        Column("items", "登记事项", "items", "info", ()),
    ),
    "issues": (
        _SEQ,
        _id(("事项编号",)),
        _TOWNSHIP,
        _VILLAGE,
        _GROUP,
        replace(_HEAD, aliases=("户主", "户主名", "反映人", "农户")),
        Column("kind", "事项种类", "kind", "enum", ("事项类型", "种类"), ITEM_KINDS),
        Column("ledger", "台账", "ledger", "enum", ("台账类别", "所属台账", "台账类型"), LEDGERS),
        Column("category", "问题类型", "category", "enum", ("问题类别", "问题分类"), CATEGORIES),
        Column(
            "desc",
            "问题描述",
            "description",
            "text",
            ("问题内容", "诉求内容", "具体问题", "反映问题", "desc"),
        ),
        Column("source", "来源", "source", "enum", ("问题来源",), SOURCES),
        Column("created", "登记日期", "created", "date", ("发现日期", "反映时间", "登记时间", "受理日期")),
        Column("visit_date", "走访日期", "visit date", "date", ()),
        Column("visitors", "走访人", "visitors", "cadres", ("走访干部", "走访人员")),
        Column("level", "层级", "level", "enum", ("办理层级",), LEVELS),
        Column("leader", "责任领导", "leader", "cadre", ("包案领导", "责任人")),
        Column("resp_unit", "责任单位", "responsible unit", "text", ("牵头单位",)),
        Column("team", "专班成员", "team", "cadres", ("工作专班",)),
        Column("due", "整改时限", "due", "date", ("办结时限", "完成时限", "整改期限")),
        Column("plan", "整改措施", "plan", "text", ("整改方案", "解决方案", "工作措施")),
        Column("progress", "整改进展", "progress", "text", ("进展情况", "办理进展", "办理情况")),
        Column("how", "办结方式", "resolved how", "enum", ("解决方式",), HOW),
        Column("resolution", "办结说明", "resolution note", "text", ("办结情况",)),
        Column("resolved", "办结日期", "resolved on", "date", ("办结时间",)),
        Column("feedback", "群众满意度", "feedback", "enum", ("满意度", "回访满意度", "群众评价"), FEEDBACK),
        Column("closed", "是否销号", "closed", "bool", ("销号", "销号情况")),
        Column("closed_date", "销号日期", "closed on", "date", ("销号时间",)),
        Column("close_reason", "销号说明", "close reason", "text", ("销号原因",)),
        Column("state", "状态", "state", "enum", ("办理状态", "当前状态"), STATES),
    ),
    # A township's 信访台账: every row one petition item (docs/guide/moving-in.md, "Petition ledgers").
    "petitions": (
        Column("seq", "序号", "no.", "seq", ("no", "#", "序")),
        Column(
            "ref",
            "来信编号",
            "reference",
            "text",
            ("序号或来信编号", "信访编号", "信访件编号", "件号", "编号"),
        ),
        Column("source", "信访类型", "source", "text", ("信访形式", "信访方式", "来源", "信访来源", "类型")),
        Column(
            "created",
            "接件时间",
            "received",
            "date",
            (
                "接件日期",
                "受理时间",
                "受理日期",
                "来访时间",
                "来信时间",
                "登记时间",
                "信访时间",
                "收件时间",
                "日期",
            ),
        ),
        Column(
            "petitioner",
            "信访人姓名和相关信息",
            "petitioner",
            "text",
            ("信访人", "信访人姓名", "信访人信息", "来访人", "来访人姓名", "反映人", "姓名"),
        ),
        Column(
            "desc",
            "信访内容",
            "content",
            "text",
            ("信访事项", "反映问题", "主要诉求", "诉求内容", "信访诉求", "问题描述", "内容"),
        ),
        _TOWNSHIP,
        Column(
            "place",
            "案件地点",
            "place",
            "text",
            (
                "事发地点",
                "发生地点",
                "地点",
                "涉及村",
                "所在村",
                "村",
                "村（社区）",
                "行政村",
                "住址",
                "地址",
            ),
        ),
        _PHONE,
        Column(
            "category", "问题类型", "category", "enum", ("问题类别", "问题分类", "信访问题类别"), CATEGORIES
        ),
        Column("ledger", "台账", "ledger", "enum", ("台账类别", "所属台账"), LEDGERS),
        Column(
            "handling",
            "办理情况",
            "handling",
            "text",
            ("办理结果", "处理情况", "处理结果", "办理进展", "答复情况"),
        ),
    ),
}

# 群众满意度测评 (issue 18): one row per household asked; 轮次 as 2, 第2轮 or 第二轮.
COLUMNS["surveys"] = (
    _SEQ,
    _id(("测评编号",)),
    Column("date", "测评日期", "date", "date", ("日期", "测评时间", "走访日期")),
    _TOWNSHIP,
    _VILLAGE,
    _GROUP,
    _HEAD,
    Column(
        "result",
        "测评结果",
        "result",
        "enum",
        ("满意度", "群众满意度", "测评意见", "评价", "是否满意", "满意度测评"),
        SURVEY_RESULTS,
    ),
    Column("round", "轮次", "round", "text", ("走访轮次", "测评轮次", "第几轮")),
    Column("by", "测评人", "by", "cadres", ("测评干部", "走访人", "走访干部")),
    Column("note", "备注", "note", "text", ("情况说明", "意见建议")),
)

# Columns a sheet of that kind must have (a missing one is reported once, at the header row).
REQUIRED: dict[str, tuple[str, ...]] = {
    "households": ("village", "head"),
    "cadres": ("name", "unit"),  # 单位, or 乡镇 + 村; 角色, or --role, or village for a village unit
    "visits": ("date", "village", "by"),
    "issues": ("village", "category", "desc"),
    "petitions": ("created", "desc"),
    "surveys": ("date", "village", "head", "result"),
}

# What offices write for an enum value and the labels of codes the catalog does not label: core/messages.py
# (SYNONYMS, EXTRA_LABELS), one table for import and the command line.
YES = {"是", "y", "yes", "true", "1", "√", "✓", "已销号", "销号"}
NO = {"否", "n", "no", "false", "0", "×", "✗", "未销号"}


def _label(code: str, lang: str) -> str:
    if code in LABELS:
        return label(code, lang)
    pair = EXTRA_LABELS.get(code)
    return (pair[1] if lang == "en" else pair[0]) if pair else code


def _norm(text: str) -> str:
    """Header and enum spelling: full-width to half-width, no spaces or required-markers, case-folded."""
    folded = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s*＊:：]+", "", folded)


# ---------------------------------------------------------------- reading a sheet


@dataclass(frozen=True)
class RawTable:
    """Cells as text, with the sheet's own row numbers; `lossy` marks numeric cells Excel has rounded."""

    name: str
    rows: list[tuple[int, list[str]]]
    lossy: frozenset[tuple[int, int]] = frozenset()
    hidden_sheet: str | None = None  # the hidden worksheet read because --sheet named it


def _cell_text(value: Any) -> tuple[str, bool]:
    if value is None:
        return "", False
    if isinstance(value, dt.datetime):
        return (value.date().isoformat() if value.time() == dt.time() else value.isoformat()), False
    if isinstance(value, dt.date):
        return value.isoformat(), False
    if isinstance(value, bool):
        return ("是" if value else "否"), False
    if isinstance(value, float):
        if value.is_integer():
            # Excel keeps 15 significant digits: an 18-digit ID number typed as a number has lost its tail.
            return str(int(value)), abs(value) >= 1e15
        return repr(value), False
    if isinstance(value, int):
        return str(value), abs(value) >= 1e15
    return str(value).replace("\r\n", "\n").strip(), False


def read_table(path: str | Path, sheet: str | None = None, encoding: str | None = None) -> RawTable:
    file = Path(path)
    if not file.is_file():
        raise BadInput("sheet_unreadable", path=str(path), detail=Text("why_no_file"))
    suffix = file.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(file, sheet)
    if suffix in (".csv", ".txt"):
        if sheet:
            raise BadInput("exclusive", field="--sheet", other=".csv")
        return _read_csv(file, encoding)
    raise BadInput("bad_value", field="FILE", value=file.name, accepted=Text("acc_sheet_file"))


def _read_xlsx(file: Path, sheet: str | None) -> RawTable:
    import zipfile
    import zlib

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    # What a damaged or hand-crafted .xlsx makes zipfile, zlib, ElementTree (ParseError is a SyntaxError) and openpyxl
    # raise, at load or halfway through the rows.
    unreadable = (
        OSError,
        EOFError,
        zipfile.BadZipFile,
        zlib.error,
        InvalidFileException,
        KeyError,
        IndexError,
        ValueError,
        TypeError,
        AttributeError,
        SyntaxError,
    )
    try:
        _check_archive(file)
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except LedgerError:
        raise
    except zipfile.BadZipFile:
        raise BadInput("sheet_unreadable", path=file.name, detail=Text("why_not_xlsx")) from None
    except unreadable as exc:
        raise BadInput("sheet_unreadable", path=file.name, detail=str(exc) or type(exc).__name__) from None
    try:
        worksheet, hidden = _pick_sheet(book, file.name, sheet)
        rows: list[tuple[int, list[str]]] = []
        lossy: set[tuple[int, int]] = set()
        try:
            for number, cells, rounded in _stream_rows(worksheet, file.name):
                lossy.update((number, index) for index in rounded)
                rows.append((number, cells))
        except LedgerError:
            raise
        except unreadable as exc:
            raise BadInput(
                "sheet_unreadable", path=file.name, detail=str(exc) or type(exc).__name__
            ) from None
    finally:
        book.close()
    return RawTable(file.name, rows, frozenset(lossy), hidden_sheet=worksheet.title if hidden else None)


def _pick_sheet(book: Any, path: str, wanted: str | None) -> tuple[Any, bool]:
    """(worksheet, hidden?). By default the active sheet if it is visible, else the first visible one: a hidden
    sheet (lookup tables, an old version, rows nobody sees in Excel) is read only when named with --sheet."""
    sheets = book.worksheets  # chart sheets hold no rows
    names = "、".join(ws.title for ws in sheets)
    if wanted is not None:
        for worksheet in sheets:
            if worksheet.title == wanted:
                return worksheet, worksheet.sheet_state != "visible"
        raise BadInput("sheet_not_found", path=path, sheet=wanted, sheets=names)
    visible = [ws for ws in sheets if ws.sheet_state == "visible"]
    if not visible:
        raise BadInput("no_visible_sheet", path=path, sheets=names)
    active = book.active
    return (active if active in visible else visible[0]), False


def _stream_rows(worksheet: Any, path: str) -> Iterable[tuple[int, list[str], list[int]]]:
    """Non-empty rows as (row number, cell texts, indexes of rounded numbers), within MAX_ROWS and MAX_CELLS.

    The declared size (<dimension ref=…>) is checked before the first row; then it is dropped, so rows past a
    too-small declaration are read rather than silently cut off, and rows are padded to the declared width only."""
    declared_rows, declared_width = worksheet.max_row or 0, worksheet.max_column or 0
    what_rows, what_cells = (
        Text("limit_rows", sheet=worksheet.title),
        Text("limit_cells", sheet=worksheet.title),
    )
    _within(path, what_rows, declared_rows, MAX_ROWS)
    _within(path, what_cells, declared_rows * declared_width, MAX_CELLS)
    worksheet.reset_dimensions()
    cells_seen = 0
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        cells_seen += max(len(values), declared_width)
        _within(path, what_rows, number, MAX_ROWS)
        _within(path, what_cells, cells_seen, MAX_CELLS)
        cells, rounded = [], []
        for index, value in enumerate(values):
            text, lost = _cell_text(value)
            if lost:
                rounded.append(index)
            cells.append(text)
        if any(cells):
            cells.extend([""] * (declared_width - len(cells)))
            yield number, cells, rounded


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _within(
    path: str, what: Text, value: float, limit: float, shown: Callable[[float], str] = _count
) -> None:
    if value > limit:
        raise BadInput("sheet_limit", path=path, what=what, value=shown(value), limit=shown(limit))


def _mib(size: float) -> str:
    return f"{size / MiB:.1f} MiB" if size < MiB * 10 else f"{size / MiB:.0f} MiB"


def _ratio(value: float) -> str:
    return f"{value:.0f}:1"


# Elements counted while streaming, with or without a namespace prefix (`<c `, `<x:row>`), never `<cols>`.
_SHEET_TAGS = re.compile(rb"<(?:\w+:)?(c|row)[\s/>]")
_STRING_TAGS = re.compile(rb"<(?:\w+:)?(si)[\s/>]")
_COUNT_ATTRIBUTE = re.compile(rb"""\s(uniqueCount|count)\s*=\s*["'](\d+)["']""")


def _check_archive(file: Path) -> None:
    """Refuse a sheet bomb before openpyxl opens it: sizes and ratios from the zip's central directory, the shared
    strings' declared count from the first KB of their part, then one streaming pass over the XML parts counting
    cells, rows and strings and measuring the longest text (nothing unpacked is kept)."""
    import zipfile

    path = file.name
    _within(path, Text("limit_file"), file.stat().st_size, MAX_XLSX_BYTES, _mib)
    with zipfile.ZipFile(file) as archive:
        parts = archive.infolist()
        total = 0
        for part in parts:
            name = part.filename
            streamed = name.startswith("xl/worksheets/") and name.endswith(".xml")
            shared = name == "xl/sharedStrings.xml"
            limit = (
                MAX_PART_BYTES if streamed else MAX_SHARED_STRINGS_BYTES if shared else MAX_WHOLE_PART_BYTES
            )
            _within(path, Text("limit_part", part=name), part.file_size, limit, _mib)
            if part.file_size > RATIO_FROM_BYTES:
                ratio = part.file_size / max(part.compress_size, 1)
                _within(path, Text("limit_ratio", part=name), ratio, MAX_RATIO, _ratio)
            total += part.file_size
        _within(path, Text("limit_total"), total, MAX_TOTAL_BYTES, _mib)
        if "xl/sharedStrings.xml" in archive.namelist():
            with archive.open("xl/sharedStrings.xml") as stream:
                start = stream.read(4096)
            declared = max((int(number) for _, number in _COUNT_ATTRIBUTE.findall(start)), default=0)
            _within(path, Text("limit_strings", part="xl/sharedStrings.xml"), declared, MAX_SHARED_STRINGS)
        for part in parts:
            if part.filename.endswith((".xml", ".rels")):
                _scan_part(archive, part.filename, path)


def _scan_part(archive: Any, name: str, path: str) -> None:
    """One streaming pass over an XML part: the longest stretch without a tag, and the elements openpyxl would build
    from it: a worksheet's <row> and <c>, the shared strings' <si> (whose declared count may lie or be absent)."""
    if name.startswith("xl/worksheets/"):
        pattern: re.Pattern[bytes] | None = _SHEET_TAGS
        limits = {
            b"row": (Text("limit_part_rows", part=name), MAX_ROWS),
            b"c": (Text("limit_part_cells", part=name), MAX_CELLS),
        }
    elif name == "xl/sharedStrings.xml":
        pattern, limits = _STRING_TAGS, {b"si": (Text("limit_strings", part=name), MAX_SHARED_STRINGS)}
    else:
        pattern, limits = None, {}
    counts = dict.fromkeys(limits, 0)
    longest = Text("limit_text", part=name)
    run = 0  # bytes since the last "<": a stretch inside one chunk is shorter than MAX_TEXT_RUN by itself
    pending = b""  # from the last "<" of the chunk before: a tag may be cut in two
    with archive.open(name) as stream:
        while chunk := stream.read(SCAN_CHUNK):
            first = chunk.find(b"<")
            _within(path, longest, run + (len(chunk) if first < 0 else first), MAX_TEXT_RUN, _mib)
            run = run + len(chunk) if first < 0 else len(chunk) - chunk.rfind(b"<") - 1
            if pattern is None:
                continue
            data = pending + chunk
            cut = data.rfind(b"<")
            whole, pending = (data[:cut], data[cut:][:64]) if cut > 0 else (b"", data[:64])
            found = pattern.findall(whole)
            for tag, (what, limit) in limits.items():
                counts[tag] += found.count(tag)
                _within(path, what, counts[tag], limit)
    if pattern is not None:
        for tag in pattern.findall(pending):
            counts[tag] += 1
        for tag, (what, limit) in limits.items():
            _within(path, what, counts[tag], limit)


def _read_csv(file: Path, encoding: str | None) -> RawTable:
    raw = file.read_bytes()
    text = None
    if encoding:
        try:
            text = raw.decode(encoding)
        except LookupError:
            raise BadInput(
                "bad_value", field="--encoding", value=encoding, accepted="|".join(ENCODINGS)
            ) from None
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise BadInput("bad_encoding", path=file.name, encoding=encoding, line=line) from None
    else:
        detected = _csv_encoding(raw, file.name)
        try:
            text = raw.decode(detected)
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise BadInput("bad_encoding", path=file.name, encoding="utf-8|gb18030", line=line) from None
    text = text.removeprefix("\ufeff")
    rows = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            cleaned = [from_csv_cell(cell.replace("\r\n", "\n").strip()) for cell in cells]
            if any(cleaned):
                rows.append((number, cleaned))
    except csv.Error as exc:
        raise BadInput("sheet_unreadable", path=file.name, detail=str(exc)) from None
    return RawTable(file.name, rows)


# Chinese as UTF-8: three-byte sequences for CJK ideographs, their punctuation and full-width forms.
_UTF8_CHINESE = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


def _csv_encoding(raw: bytes, path: str) -> str:
    """A CSV is in one encoding. UTF-8 (with or without a BOM) if all of it decodes as UTF-8; else GB18030, which
    Excel on a Chinese Windows writes, unless some line is plainly UTF-8 (a BOM, or a line that decodes as UTF-8 to
    Chinese): then rows were pasted together from two files, and decoding the whole as either would garble the
    other's names. GBK bytes that happen to decode as UTF-8 are short and never Chinese (its common characters'
    bytes are not UTF-8's three-byte pattern), so a real GBK sheet is not taken for a mixed one."""
    import codecs

    try:
        raw.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        first_bad = raw[: exc.start].count(b"\n") + 1
    utf8_line = 1 if raw.startswith(codecs.BOM_UTF8) else None
    if utf8_line is None:
        for number, line in enumerate(raw.split(b"\n"), start=1):
            try:
                if _UTF8_CHINESE.search(line.decode("utf-8")):
                    utf8_line = number
                    break
            except UnicodeDecodeError:
                continue
    if utf8_line is not None:
        raise BadInput("mixed_encoding", path=path, line=first_bad, other=utf8_line)
    return "gb18030"


# ---------------------------------------------------------------- column mapping


def load_mapping(path: str | Path | None, kind: str) -> dict[str, str | None]:
    """`--map FILE.yaml`: header → field (or null to ignore the column). Fields are the JSON keys of the kind."""
    if not path:
        return {}
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        data = yamlio.load(text)
    except UnicodeDecodeError:
        raise BadInput("bad_map", path=str(path), detail=Text("yaml_not_utf8")) from None
    except OSError as exc:
        raise BadInput("bad_map", path=str(path), detail=exc.strerror or str(exc)) from None
    except yamlio.YamlProblem as problem:
        raise BadInput(
            "bad_map", path=str(path), detail=Text("at_line", line=problem.line, what=problem.said)
        ) from None
    if not isinstance(data, dict):
        raise BadInput("bad_map", path=str(path), detail=Text("acc_map"))
    known = {column.field for column in COLUMNS[kind]}
    mapping: dict[str, str | None] = {}
    for header, target in data.items():
        if target is not None and str(target) not in known:
            raise BadInput(
                "bad_value", field=f"--map {header}", value=target, accepted="|".join(sorted(known)) + "|null"
            )
        mapping[_norm(str(header))] = None if target is None else str(target)
    return mapping


def _header_index(kind: str, mapping: dict[str, str | None]) -> dict[str, str | None]:
    index: dict[str, str | None] = {}
    for column in COLUMNS[kind]:
        for spelling in (column.field, column.zh, column.en, *column.aliases):
            index.setdefault(_norm(spelling), column.field)
    index.update(mapping)
    return index


def _header_field(index: dict[str, str | None], header: str) -> tuple[bool, str | None]:
    key = _norm(header)
    if key in index:
        return True, index[key]
    # "联系电话（手机）", "户主姓名(必填)": try without the parenthesised remark.
    bare = re.sub(r"\(.*?\)$", "", key)
    if bare != key and bare in index:
        return True, index[bare]
    return False, None


# ---------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    file: str
    row: int
    column: str
    error: LedgerError
    position: int = 0  # the column's place in the sheet, so a row's findings read left to right

    def render(self, lang: str = "zh") -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.error.render(lang)}"


class ImportRejected(BadInput):
    """A sheet with problems: every finding, nothing written."""

    def __init__(self, file: str, findings: list[Finding]) -> None:
        rows = len({finding.row for finding in findings})
        super().__init__("import_rejected", file=file, count=len(findings), rows=rows)
        self.findings = findings


class _Row:
    """One data row: its text by field, the header each field is known by, and the problems found in it."""

    __slots__ = ("number", "values", "headers", "present", "sink", "file", "failed", "positions")

    def __init__(
        self,
        number: int,
        values: dict[str, str],
        headers: dict[str, str],
        present: set[str],
        sink: list[Finding],
        file: str,
    ) -> None:
        self.number = number
        self.values = values
        self.headers = headers
        self.present = present
        self.sink = sink
        self.file = file
        self.failed: set[str] = set()
        self.positions: dict[str, int] = {}

    @property
    def bad(self) -> bool:
        return bool(self.failed)

    def text(self, name: str) -> str | None:
        return self.values.get(name) or None

    def header(self, name: str) -> str:
        return self.headers.get(name, name)

    def fail(self, name: str, error: LedgerError) -> None:
        self.failed.add(name)
        position = self.positions.get(name, len(self.positions))
        self.sink.append(Finding(self.file, self.number, self.header(name), error, position))

    def need(self, name: str) -> bool:
        """A value is required here. A missing column was reported once, at the header row, so not again per row."""
        if self.text(name) is None and name in self.present and name not in self.failed:
            self.fail(name, BadInput("required", field=self.header(name), accepted=Text("acc_cell_value")))
        return self.text(name) is not None

    def guard(self, name: str, parse: Callable[[str], Any]) -> Any:
        text = self.text(name)
        if text is None or name in self.failed:
            return None
        try:
            return parse(text)
        except LedgerError as error:
            self.fail(name, error)
            return None


# ---------------------------------------------------------------- value parsing


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(text: str, header: str, allow_future: bool = True) -> str:
    """YYYY-MM-DD, and what Chinese sheets write: 2026/11/3, 2026.11.3, 2026年11月3日, 20261103."""
    value = unicodedata.normalize("NFKC", text).strip()
    value = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", value)  # 2026/11/10 9:30
    if re.fullmatch(r"\d{5}(\.0+)?", value):  # an Excel serial date typed as a number (46329 = 2026-11-03)
        value = (dt.date(1899, 12, 30) + dt.timedelta(days=int(float(value)))).isoformat()
    match = _DATE_RE.match(value)
    if match:
        value = f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}"
    elif re.fullmatch(r"\d{8}", value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:]+", value):
        value = value[:10]
    return F.parse_date(value, header, allow_future=allow_future)


@functools.lru_cache(maxsize=64)
def _enum_index(values: tuple[str, ...]) -> dict[str, str]:
    return F.choice_index(values)


def parse_enum(text: str, header: str, values: tuple[str, ...]) -> str:
    found = _enum_index(values).get(_norm(text))
    if found is None:
        shown = "、".join(_label(code, "zh") for code in values) + " / " + "|".join(values)
        raise BadInput("bad_value", field=header, value=text, accepted=shown)
    return found


_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def parse_round_cell(text: str, header: str, rounds: int) -> int | None:
    """轮次 as a sheet writes it: 2, 第2轮, 第二轮 (one to ten in Chinese numerals), within minqing.yaml rounds."""
    value = unicodedata.normalize("NFKC", text).strip().removeprefix("第").removesuffix("轮").strip()
    value = str(_CHINESE_DIGITS.get(value, value))
    try:
        return parse_round(value if value.isdigit() else text, header, rounds)
    except BadInput:
        raise BadInput(
            "bad_value", field=header, value=text, accepted=Text("acc_round", rounds=rounds)
        ) from None


def parse_bool(text: str, header: str) -> bool:
    key = _norm(text)
    if key in YES:
        return True
    if key in NO:
        return False
    raise BadInput("bad_value", field=header, value=text, accepted="是|否")


def parse_monitor_type(text: str, header: str) -> bool:
    """True for a named monitoring type (or 是), False for a blank, 否, 无 or a dash."""
    key = _norm(text)
    if key in NO or key in ("", "无", "/", "-", "—", "－"):
        return False
    if key in YES or _enum_index(("monitored",)).get(key) == "monitored":
        return True
    shown = "、".join(name for name, code in SYNONYMS.items() if code == "monitored")
    raise BadInput("bad_value", field=header, value=text, accepted=f"{shown}、否 或空白")


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,，、;；/\n]+", text) if part.strip()]


_LABELLED = re.compile(r"^(.*?)\s*[（(]\s*([A-Za-z]-[0-9A-Za-z]{6}|\d{6,15})\s*[)）]$")


def _optional_text(text: str, header: str, limit: int) -> str | None:
    return F.text(text, header, limit=limit, required=False)


def _member_count(text: str, header: str) -> int:
    """家庭人口 as a number, `5人` and `5口` too."""
    return F.positive_int(re.sub(r"[人口]$", "", text), header, 1, 50)


def _record_dict(record: Any, history: Any = None) -> dict[str, Any]:
    """`record.to_dict()` (or, with `history`, `replace(record, history=history).to_dict()`): one place tests
    swap for the slow path (tests/test_import_fast.py)."""
    return record.to_dict(history)  # type: ignore[no-any-return]


_UNPARSED = object()  # a cell text not parsed yet in this sheet
_REUSED_VALUES = (
    4096  # distinct texts a column keeps the value of: dates, enums and notes repeat, names do not
)


# ---------------------------------------------------------------- the ledger as seen by a sheet


def _load(ledger: Ledger, kind: str, factory: Callable[[dict[str, Any], Source], Any]) -> dict[str, Any]:
    """Every entity of a kind, read once (one file read per entity; no prefix resolution per id)."""
    return {
        entry_id: _read_entity(ledger, ledger.path_of(entry_id), entry_id, factory)
        for entry_id in sorted(ledger.all_ids(kind))
    }


def _read_entity(
    ledger: Ledger, rel: str, entry_id: str, factory: Callable[[dict[str, Any], Source], Any]
) -> Any:
    data = ledger.read_yaml(rel)
    if not isinstance(data, dict) or data.get("id") != entry_id:
        raise CorruptFile("corrupt_file", path=rel, line=1, detail=f"expected a mapping with id {entry_id}")
    return build_record(factory, data, rel)


class _HouseholdFiles(Mapping[str, Household]):
    """The ledger's households by id, each read from its file the first time a row asks for it: the index names
    them (and holds what a sheet is matched on), so a households sheet of 200 rows into a county of 100,000
    reads a few files, not all of them (23 s)."""

    def __init__(self, ledger: Ledger, paths: dict[str, str]) -> None:
        self.ledger = ledger
        self.paths = paths
        self.read: dict[str, Household] = {}

    def __getitem__(self, home_id: str) -> Household:
        home = self.read.get(home_id)
        if home is None:
            home = self.read[home_id] = _read_entity(
                self.ledger, self.paths[home_id], home_id, Household.from_dict
            )
        return home

    def __contains__(self, home_id: object) -> bool:
        return home_id in self.paths

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


class SheetContext:
    """Look-ups a sheet needs: units and cadres by name, households by village + head, everything by id."""

    def __init__(self, ledger: Ledger, lookup: ImportLookup | None = None, kind: str = "") -> None:
        self.ledger = ledger
        # What an import's rows are matched on, as the index has it (read/import_lookup.py), when it has one: a
        # visits sheet's households and cadres, a households sheet's keys.
        self.lookup = lookup
        self.kind = kind
        self.units = ledger.units()
        self.unit_names: dict[str, list[str]] = defaultdict(list)
        self.unit_aliases: dict[str, list[str]] = defaultdict(list)  # earlier names (org rename)
        for unit in self.units.values():
            self.unit_names[unit.name].append(unit.code)
            if unit.official:  # the bureau's official name is a current name too (issue 16)
                self.unit_names[unit.official].append(unit.code)
            for alias in unit.aliases or ():
                self.unit_aliases[alias].append(unit.code)
        self._cadres: dict[str, Cadre] | None = None
        self._households: dict[str, Household] | None = None
        self._items: dict[str, Item] | None = None
        self._visits: dict[str, Visit] | None = None
        self._surveys: dict[str, Survey] | None = None
        self._cadre_names: dict[str, list[str]] = {}
        self._home_index: dict[tuple[str, str], list[str]] = {}
        self._hash_index: dict[str, str] = {}
        self._register_index: dict[str, str] = {}
        self._visits_by_place: dict[tuple[str, str], list[Visit]] | None = None
        # An export's batch of heads and visits as the index has them (`index_facts`), instead of every file.
        self._heads: dict[str, str] | None = None
        self._visit_facts: dict[str, tuple[str, tuple[str, ...]]] | None = None
        self._found_units: dict[tuple[str, str, str | None, str | None], str] = {}
        self._found_cadres: dict[tuple[str, str, str | None], tuple[str, ...]] = {}

    # -- entities, loaded on first use
    @property
    def cadres(self) -> dict[str, Cadre]:
        if self._cadres is None:
            if self.lookup is not None and self.kind == "visits":
                self._cadres = self.lookup.cadres()  # type: ignore[assignment]  # what a visit row reads of them
            else:
                self._cadres = _load(self.ledger, "C", Cadre.from_dict)
            self._cadre_names = defaultdict(list)
            for cadre in self._cadres.values():
                self._cadre_names[cadre.name].append(cadre.id)
        return self._cadres

    @property
    def cadre_names(self) -> dict[str, list[str]]:
        self.cadres  # noqa: B018 - loads them
        return self._cadre_names

    @property
    def households(self) -> dict[str, Household]:
        if self._households is None:
            self._home_index = defaultdict(list)
            self._hash_index = {}
            self._register_index = {}
            if self.lookup is not None and self.kind == "visits":
                # what a visit row reads of them: no ID number hashes or register numbers
                self._households = self.lookup.households()  # type: ignore[assignment]
                for facts in self._households.values():
                    self._home_index[(facts.village, facts.head)].append(facts.id)
                return self._households
            if self.lookup is not None:
                # the keys below as the index has them (the same values the loop further down reads from the
                # files, in the same id order); the households themselves are read when a row names them
                keys = self.lookup.household_keys()
                self._households = _HouseholdFiles(self.ledger, {row[0]: row[1] for row in keys})  # type: ignore[assignment]
                for home_id, _path, village, head, id_hash, member_hashes, register_no in keys:
                    self._home_index[(village, head or "")].append(home_id)
                    if id_hash:
                        self._hash_index[id_hash] = home_id
                    for digest in (member_hashes or "").split():
                        self._hash_index.setdefault(digest, home_id)
                    if register_no:
                        self._register_index.setdefault(_norm(register_no), home_id)
                return self._households
            self._households = _load(self.ledger, "H", Household.from_dict)
            for home in self._households.values():
                self._home_index[(home.village, home.head)].append(home.id)
                if home.id_hash:
                    self._hash_index[home.id_hash] = home.id
                for digest in home.member_hashes or ():
                    self._hash_index.setdefault(digest, home.id)
                if home.register_no:
                    self._register_index.setdefault(_norm(home.register_no), home.id)
        return self._households

    @property
    def home_index(self) -> dict[tuple[str, str], list[str]]:
        """(village, head) -> household ids."""
        self.households  # noqa: B018 - loads them
        return self._home_index

    @property
    def register_index(self) -> dict[str, str]:
        """户编号 / 登记编号 -> household id."""
        self.households  # noqa: B018 - loads them
        return self._register_index

    @property
    def hash_index(self) -> dict[str, str]:
        """keyed hash of the ID number -> household id."""
        self.households  # noqa: B018 - loads them
        return self._hash_index

    @property
    def items(self) -> dict[str, Item]:
        if self._items is None:
            self._items = _load(self.ledger, "Q", item_from_dict)
        return self._items

    @property
    def surveys(self) -> dict[str, Survey]:
        """The survey answers in force (issue 18), by id: a sheet's 编号 rows are compared with them."""
        if self._surveys is None:
            from ..read.surveys import iter_surveys

            self._surveys = {survey.id: survey for survey in iter_surveys(self.ledger)}
        return self._surveys

    @property
    def visits(self) -> dict[str, Visit]:
        if self._visits is None:
            from ..read.visits import iter_visits

            self._visits = {visit.id: visit for visit in iter_visits(self.ledger)}
        return self._visits

    def index_facts(self, index: Any, households: Iterable[str], visits: Iterable[str]) -> None:
        """Reads the heads of `households` and the day and visitors of `visits` from `index` (an open Index), for
        `head_of` and `visit_of` until the next call (an export a batch at a time: its items name 100,000
        households and visits, and reading every household file and visit stream for them took GBs)."""
        self._heads = index.household_heads(households)  # a head the index lacks is None either way
        days = dict(index.rows_of("SELECT id, date FROM visits", "id", visits))
        visitors: dict[str, list[str]] = {visit_id: [] for visit_id in days}
        # visit_by holds a visit's cadres in the order its document lists them (one insert each, in order).
        for visit_id, cadre in index.rows_of("SELECT visit, cadre FROM visit_by", "visit", visits, "rowid"):
            visitors[visit_id].append(cadre)
        self._visit_facts = {visit_id: (day, tuple(visitors[visit_id])) for visit_id, day in days.items()}

    def head_of(self, household_id: str | None) -> str | None:
        """The head of a household of the ledger (None: no such household)."""
        if not household_id:
            return None
        if self._heads is not None:
            return self._heads.get(household_id)
        home = self.households.get(household_id)
        return home.head if home else None

    def visit_of(self, visit_id: str | None) -> tuple[str, tuple[str, ...]] | None:
        """(date, visitors) of a visit in force (None: no such visit)."""
        if not visit_id:
            return None
        if self._visit_facts is not None:
            return self._visit_facts.get(visit_id)
        visit = self.visits.get(visit_id)
        return (visit.date, tuple(visit.by)) if visit else None

    def visits_at(self, date: str, household_or_unit: str) -> list[Visit]:
        """The visits in force on `date` at a household (or, without one, a unit), in the ledger's order."""
        if self.lookup is not None:
            return self.lookup.visits_at(date, household_or_unit)
        if self._visits_by_place is None:
            self._visits_by_place = defaultdict(list)
            for visit in self.visits.values():
                self._visits_by_place[(visit.date, visit.household or visit.unit)].append(visit)
        return self._visits_by_place.get((date, household_or_unit), [])

    def visit_taken(self, visit_id: str) -> bool:
        """A visit in force has this id (a new one must not)."""
        if self.lookup is not None and self._visits is None:
            return self.lookup.visit_taken(visit_id)
        return visit_id in self.visits

    # -- units
    def unit_label(self, code: str | None, scoped: bool = True) -> str:
        """The unit's name, or `name（code）` when the name alone would not find it again on import."""
        if not code:
            return ""
        unit = self.units.get(code)
        if unit is None:
            return code
        same = [other for other in self.unit_names[unit.name] if other != code]
        if scoped:
            same = [other for other in same if self.units[other].parent == unit.parent]
        return f"{unit.name}（{code}）" if same else unit.name

    def find_unit(self, text: str, header: str, level: str | None, parent: str | None = None) -> str:
        """The unit a cell names; a sheet names the same few villages thousands of times, so each name is resolved
        once (a refusal is not kept: every row naming a wrong unit gets its own finding)."""
        key = (text, header, level, parent)
        code = self._found_units.get(key)
        if code is None:
            code = self._found_units[key] = self._find_unit(text, header, level, parent)
        return code

    def _find_unit(self, text: str, header: str, level: str | None, parent: str | None) -> str:
        value = unicodedata.normalize("NFKC", text).strip()
        match = _LABELLED.match(value)
        if match and match.group(2).isdigit():
            value = match.group(2)
        if value.isdigit():
            says = read_code(value)  # the bureau's 12-digit township form too
            value = says.code if says else value
            unit = self.units.get(value)
            if unit is None:
                raise NotFound("unknown_code", field=header, value=value)
            if level and unit.level != level:
                raise BadInput("wrong_level", field=header, value=value, actual=unit.level, expected=level)
            if parent and not value.startswith(parent):
                raise BadInput(
                    "bad_code", field=header, value=value, accepted=Text("acc_code_prefix", code=parent)
                )
            return in_service(unit, header).code
        wanted = text.strip()

        def named(index: dict[str, list[str]]) -> list[str]:
            return [
                code
                for code in index.get(wanted, ())
                if (level is None or self.units[code].level == level)
                and (parent is None or code.startswith(parent))
            ]

        # A unit's current name first, then its earlier names (org rename); a unit in service before one
        # retired by a merge (撤并), which is refused naming where it went.
        codes = named(self.unit_names) or named(self.unit_aliases)
        if not codes and short_name(wanted) != wanted:
            # an official name written another way (漳扎村委会 for 漳扎村村民委员会): its short name, whole
            wanted = short_name(wanted)
            codes = named(self.unit_names)
        codes = [code for code in codes if not self.units[code].retired] or codes
        if len(codes) == 1:
            in_service(self.units[codes[0]], header)
        if not codes:
            raise NotFound("not_found", kind=level or "unit", value=wanted)
        if len(codes) > 1:
            raise Ambiguous("ambiguous", kind=level or "unit", value=wanted, matches=self._unit_list(codes))
        return codes[0]

    def _unit_list(self, codes: list[str]) -> str:
        parts = []
        for code in sorted(codes):
            unit = self.units[code]
            parent = self.units.get(unit.parent or "")
            where = f"{parent.name} " if parent else ""
            parts.append(f"{where}{unit.name}（{code}）")
        return "、".join(parts)

    def township_of(self, code: str) -> str | None:
        return code[:9] if len(code) >= 9 and code[:9] in self.units else None

    def village_of(self, code: str) -> str | None:
        return code[:12] if len(code) >= 12 and code[:12] in self.units else None

    def group_of(self, code: str) -> str | None:
        return code if len(code) > 12 else None

    # -- cadres
    def cadre_label(self, cadre_id: str | None) -> str:
        if not cadre_id:
            return ""
        cadre = self.cadres.get(cadre_id)
        if cadre is None:
            return cadre_id
        return cadre.name if len(self.cadre_names[cadre.name]) == 1 else f"{cadre.name}（{cadre.id}）"

    def find_cadre(self, text: str, header: str, near: str | None = None) -> str:
        """A cadre by id, `name（C-…）` or name; a name shared by several is narrowed to the units around `near`."""
        value = text.strip()
        match = _LABELLED.match(value)
        wanted = ids.normalize(match.group(2) if match and not match.group(2).isdigit() else value)
        if ids.is_id(wanted, "C"):
            if wanted not in self.cadres:
                raise NotFound("not_found", kind="cadre", value=value)
            return wanted
        found = list(self.cadre_names.get(value, ()))
        if len(found) > 1 and near:
            close = [cid for cid in found if near.startswith(self.cadres[cid].unit)]
            found = close or found
        if not found:
            raise NotFound("not_found", kind="cadre", value=value)
        if len(found) > 1:
            shown = "、".join(
                f"{self.cadres[cid].name}（{cid}，{self.unit_label(self.cadres[cid].unit, False)}）"
                for cid in sorted(found)
            )
            raise Ambiguous("ambiguous", kind="cadre", value=value, matches=shown)
        return found[0]

    def find_cadres(self, text: str, header: str, near: str | None = None) -> tuple[str, ...]:
        """The cadres a cell names, resolved once per text and place (a village's 走访人 repeat down a sheet)."""
        key = (text, header, near)
        found = self._found_cadres.get(key)
        if found is None:
            found = self._found_cadres[key] = self._find_cadres(text, header, near)
        return found

    def _find_cadres(self, text: str, header: str, near: str | None) -> tuple[str, ...]:
        out: list[str] = []
        for part in _split_list(text):
            cadre_id = self.find_cadre(part, header, near)
            if cadre_id not in out:
                out.append(cadre_id)
        return tuple(out)

    # -- households
    def find_household(self, head: str, village: str, group: str | None, header: str) -> str:
        found = self.home_index.get((village, head.strip()), ())
        if len(found) == 1:  # most rows: one household of that head in the village
            return found[0]
        found = list(found)
        if group and len(found) > 1:
            found = [hid for hid in found if self.households[hid].group == group] or found
        if not found:
            where = f"{head.strip()}（{self.unit_label(village, False)}）"
            raise NotFound("not_found", kind="household", value=where)
        if len(found) > 1:
            shown = "、".join(
                f"{hid}（{self.unit_label(self.households[hid].unit, False)}）" for hid in sorted(found)
            )
            raise Ambiguous("ambiguous", kind="household", value=head.strip(), matches=shown)
        return found[0]


# ---------------------------------------------------------------- canonical values of existing entries


def _risks(home: Household) -> tuple[str, ...]:
    return tuple(name for name in INDICATORS if home.indicators.get(name) == "risk")


def household_values(ctx: SheetContext, home: Household) -> dict[str, Any]:
    return {
        "id": home.id,
        "township": ctx.township_of(home.village),
        "village": home.village,
        "group": home.group,
        "head": home.head,
        "id_number": home.id_number,
        "phone": home.phone,
        "members": home.members,
        "status": home.status,
        "register_no": home.register_no,
        "risks": _risks(home),
        "pairings": tuple(sorted(home.pairings)),
    }


def cadre_values(ctx: SheetContext, cadre: Cadre) -> dict[str, Any]:
    return {
        "id": cadre.id,
        "name": cadre.name,
        "unit": cadre.unit,
        "role": cadre.role,
        "title": cadre.title,
        "phone": cadre.phone,
        "status": cadre.status,
        "recall_reason": cadre.recall_reason,
    }


def visit_values(ctx: SheetContext, visit: Visit) -> dict[str, Any]:
    unit = visit.unit or visit.village
    return {
        "id": visit.id,
        "date": visit.date,
        "kind": visit.kind,
        "township": ctx.township_of(unit),
        "village": ctx.village_of(unit),
        "group": ctx.group_of(unit),
        "head": ctx.head_of(visit.household),
        "by": tuple(visit.by),
        "note": visit.note,
        "items": tuple(visit.items),
    }


def _last_progress(item: Item) -> str | None:
    note = None
    for entry in item.history:
        if entry.op == "progress":
            note = entry.fields.get("note")
        elif entry.op == "escalate":
            note = None
    return note


def item_values(ctx: SheetContext, item: Item) -> dict[str, Any]:
    visit = ctx.visit_of(item.visit)
    resolution = item.resolution or {}
    return {
        "id": item.id,
        "township": ctx.township_of(item.unit),
        "village": ctx.village_of(item.unit),
        "group": ctx.group_of(item.unit),
        "head": ctx.head_of(item.household),
        "kind": item.kind,
        "ledger": item.ledger,
        "category": item.category,
        "desc": item.desc,
        "source": item.source_kind,
        "created": item.created,
        "visit_date": visit[0] if visit else None,
        "visitors": visit[1] if visit else (),
        "level": item.level,
        "leader": item.leader,
        "resp_unit": item.resp_unit,
        "team": tuple(item.team),
        "due": item.due,
        "plan": item.plan,
        "progress": _last_progress(item),
        "how": resolution.get("how"),
        "resolution": resolution.get("note"),
        "resolved": resolution.get("date"),
        "feedback": item.feedback,
        "closed": item.state == "closed",
        "closed_date": item.closed,
        "close_reason": item.close_reason,
        "state": item.state,
    }


# ---------------------------------------------------------------- import


@dataclass
class ImportPlan:
    kind: str
    file: str
    head: str | None
    at: str
    rows: int = 0
    unchanged: int = 0
    files: dict[str, bytes] = field(default_factory=dict)  # UTF-8: a county's sheet is 100,000 files
    streams: dict[str, list[str]] = field(default_factory=dict)
    entries: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    # --registered: the day every household, cadre and pairing of the sheet dates from
    registered: str | None = None
    role: str | None = None  # --role: the role of every cadre of a roster without 角色
    members_vaulted: int = 0
    # the visits appended, for their Ledger-Visitor trailers (issue 17)
    visit_docs: list[dict[str, Any]] = field(default_factory=list)
    vault: dict[str, str] = field(
        default_factory=dict
    )  # keyed hash -> full ID number or phone (never in git)


@dataclass(frozen=True)
class ImportResult:
    kind: str
    file: str
    rows: int
    created: tuple[str, ...]
    unchanged: int
    commit: str | None
    dry_run: bool
    ignored_columns: tuple[str, ...]
    hidden_sheet: str | None = None  # a hidden worksheet was read (named with --sheet): the CLI says so
    members_vaulted: int = (
        0  # members' ID numbers of a person-level roster, kept only in this machine's vault
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "rows": self.rows,
            "created": list(self.created),
            "unchanged": self.unchanged,
            "commit": self.commit,
            "dry_run": self.dry_run,
            "ignored_columns": list(self.ignored_columns),
            "members_vaulted": self.members_vaulted,
        }


def import_sheet(
    ledger: Ledger,
    actor_text: str | None,
    path: str | Path,
    kind: str,
    *,
    sheet: str | None = None,
    mapping: str | Path | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    registered: str | None = None,
    role: str | None = None,
) -> ImportResult:
    """Validate every row, then write all of it as one commit, or nothing (ImportRejected lists every problem).

    `registered` (--registered): the day the sheet's households, cadres and pairings date from (last year's roster)."""
    kind = F.choice(kind, "--kind", IMPORT_KINDS)
    day = F.parse_date(registered, "--registered", allow_future=False) if registered else None
    if role is not None and kind != "cadres":
        raise BadInput("exclusive", field="--role", other=f"--kind {kind}")
    if registered is not None and kind not in ("households", "cadres"):
        raise BadInput("exclusive", field="--registered", other=f"--kind {kind}")
    role = parse_enum(role, "--role", ROLES) if role is not None else None
    headers = load_mapping(mapping, kind)
    table = read_table(path, sheet, encoding)
    with collector.paused():
        plan = plan_import(ledger, actor_text, table, kind, headers, progress, registered=day, role=role)
        commit = None
        if plan.entries and not dry_run:
            with ledger.transaction(actor_text, f"import.{_op_kind(kind)}") as tx:
                if ledger.head() != plan.head:
                    # Someone committed between planning and taking the lock: plan again against what is there now.
                    plan = plan_import(ledger, actor_text, table, kind, headers, registered=day, role=role)
                total = len(plan.files)

                def written(done: int, _total: int) -> None:
                    if progress and (done % PROGRESS_EVERY == 0 or done == total):
                        progress("write", done, total)

                streams = {rel: "".join(docs) for rel, docs in plan.streams.items()}
                tx.put_many(plan.files, written, appends=streams)
                if plan.vault:
                    _remember(ledger, plan.vault)
                tx.commit(
                    _subject(kind, plan), plan.entries, at=plan.at, extra=visitor_trailers(plan.visit_docs)
                )
            commit = ledger.head()
    return ImportResult(
        kind,
        table.name,
        plan.rows,
        tuple(plan.created),
        plan.unchanged,
        commit,
        dry_run,
        tuple(plan.ignored_columns),
        table.hidden_sheet,
        plan.members_vaulted,
    )


def _remember(ledger: Ledger, values: dict[str, str]) -> None:
    """Full numbers stay on this machine, as `household add` keeps them (privacy.py), so `--unmask` can show them.
    One vault transaction for the whole sheet: one per number would cost a disk sync each."""
    import sqlite3

    from ..repo import privacy

    conn = privacy._vault(ledger)
    try:
        with conn:
            conn.executemany(
                "INSERT OR REPLACE INTO pii (digest, value, at) VALUES (?, ?, ?)",
                [(digest, value, F.timestamp()) for digest, value in values.items()],
            )
    except sqlite3.Error as exc:
        raise EnvironmentProblem("io_failed", detail=f"{privacy.VAULT}: {exc}") from None
    finally:
        conn.close()


def _op_kind(kind: str) -> str:
    """The Ledger-Op of an import: a petition ledger's rows are items, imported and audited as import.issues."""
    return "issues" if kind == "petitions" else kind


_KIND_WORDS = {
    "petitions": ("信访件", "件"),
    "households": ("农户", "户"),
    "cadres": ("干部", "名"),
    "visits": ("走访", "次"),
    "issues": ("事项", "项"),
    "surveys": ("满意度测评", "户"),
}


def _subject(kind: str, plan: ImportPlan) -> str:
    noun, unit = _KIND_WORDS[kind]
    count = sum(
        1
        for entry in plan.created
        if entry[0] == {"households": "H", "cadres": "C", "visits": "V", "surveys": "S"}.get(kind, "Q")
    )
    return f"导入{noun} {count} {unit}（{plan.file}）"


def plan_import(
    ledger: Ledger,
    actor_text: str | None,
    table: RawTable,
    kind: str,
    mapping: dict[str, str | None],
    progress: Progress | None = None,
    registered: str | None = None,
    role: str | None = None,
) -> ImportPlan:
    """Every row checked against the ledger and against the rows above it; raises ImportRejected with all findings."""
    head = ledger.head()
    actor = ledger.actor(actor_text)
    ledger.config.require(actor, f"import.{_op_kind(kind)}")
    findings: list[Finding] = []
    header_row, fields_by_col, headers, ignored = _find_header(table, kind, mapping, findings)
    plan = ImportPlan(
        kind, table.name, head, F.timestamp(), ignored_columns=ignored, registered=registered, role=role
    )
    rows = [(number, cells) for number, cells in table.rows if number > header_row]
    # A visit row's households and cadres, and what a households row is matched on, from the index when the ledger
    # has one: reading every household file was most of such an import (issue 19).
    lookup = ImportLookup.open(ledger) if kind in ("visits", "households") else None
    try:
        planner = _Planner(SheetContext(ledger, lookup, kind), actor, plan, set(fields_by_col.values()), kind)
        _plan_rows(planner, table, rows, fields_by_col, headers, findings, progress)
    finally:
        if lookup is not None:
            lookup.close()
    if findings:
        findings.sort(key=lambda finding: (finding.row, finding.position))
        raise ImportRejected(table.name, findings)
    return plan


def _plan_rows(
    planner: _Planner,
    table: RawTable,
    rows: list[tuple[int, list[str]]],
    fields_by_col: dict[int, str],
    headers: dict[str, str],
    findings: list[Finding],
    progress: Progress | None,
) -> None:
    """Each data row through the planner, in sheet order, then the planner's work over all rows."""
    plan = planner.plan
    positions = {name: index for index, name in fields_by_col.items()}
    columns = list(fields_by_col.items())
    plan_row = planner.row
    for position, (number, cells) in enumerate(rows, start=1):
        width = len(cells)
        values = {name: cells[index] for index, name in columns if index < width and cells[index]}
        if values.keys() <= _NOT_CONTENT:  # only non-empty cells are kept
            continue  # a blank line, or a 合计 / 填表人 footer under the 序号 column
        first = cells[0] or next(cell for cell in cells if cell)  # `values` holds a cell: there is one
        if _FOOTER.match(first):
            continue  # 合计 … 5 (a total under 人数), 填表人：… 审核人：… spread over the columns
        row = _Row(number, values, headers, planner.present, findings, table.name)
        row.positions = positions
        for index, name in fields_by_col.items() if table.lossy else ():
            if (number, index) in table.lossy and name in ("id_number", "phone"):
                row.fail(name, BadInput("number_cell", field=row.header(name)))
        plan.rows += 1
        plan_row(row)
        if progress and (position % PROGRESS_EVERY == 0 or position == len(rows)):
            progress("check", position, len(rows))
    planner.finish()


def _find_header(
    table: RawTable, kind: str, mapping: dict[str, str | None], findings: list[Finding]
) -> tuple[int, dict[int, str], dict[str, str], list[str]]:
    """The header row: the first of the top rows naming at least two known columns. Missing columns are findings."""
    index = _header_index(kind, mapping)
    by_field = {column.field: column for column in COLUMNS[kind]}
    for number, cells in table.rows[:HEADER_SCAN_ROWS]:
        known = [_header_field(index, cell) for cell in cells]
        if sum(1 for hit, name in known if hit and name) < 2:
            continue
        fields_by_col: dict[int, str] = {}
        headers = {name: column.zh for name, column in by_field.items()}
        seen: dict[str, str] = {}
        ignored: list[str] = []
        for col, (cell, (hit, name)) in enumerate(zip(cells, known, strict=True)):
            if not cell:
                continue
            if not hit and _PERSONAL_HEADER.search(_norm(cell)):
                # ID numbers and phones are never dropped silently: the clerk maps the column or removes it.
                error = BadInput("personal_column", column=cell)
                findings.append(Finding(table.name, number, cell, error, col))
            elif not hit:
                ignored.append(cell)
            elif (
                name == "head" and kind == "households" and "head" in seen and "姓名" in (cell, seen["head"])
            ):
                # A person-level roster with both 户主姓名 and 姓名: 姓名 is each person's own name.
                person = col if cell == "姓名" else next(c for c, n in fields_by_col.items() if n == "head")
                if person != col:
                    seen["head"] = headers["head"] = cell
                    fields_by_col[col] = "head"
                fields_by_col[person] = "person_name"
                seen["person_name"] = headers["person_name"] = "姓名"
            elif name is not None and name in seen:
                error = BadInput("duplicate_column", column=cell, other=seen[name])
                findings.append(Finding(table.name, number, cell, error, col))
            elif name is not None:
                seen[name] = cell
                headers[name] = cell
                fields_by_col[col] = name
        for name in REQUIRED[kind]:
            if (
                name in seen
                or name == "village"
                and kind in ("visits", "issues", "surveys")
                and {"township", "group"} & set(seen)
                or name == "unit"
                and kind == "cadres"
                and {"township", "village"} & set(seen)
            ):
                continue
            column = by_field[name]
            error = BadInput("missing_column", column=column.zh, accepted=_spellings(column))
            findings.append(Finding(table.name, number, column.zh, error, 1000 + list(by_field).index(name)))
        return number, fields_by_col, headers, ignored
    wanted = "、".join(by_field[name].zh for name in REQUIRED[kind])
    raise BadInput("no_header", path=table.name, limit=HEADER_SCAN_ROWS, accepted=wanted)


_NOT_CONTENT = frozenset({"seq", "items"})  # a row with nothing else in it is not read
# The first cell of a footer row: totals and signatures under the table.
_FOOTER = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|填表人|填报人|审核人|制表人|负责人|统计人|单位负责人)")


# Headers of columns holding personal data (an ID number, a phone): refused rather than ignored when not understood.
_PERSONAL_HEADER = re.compile(r"身份证|证件号|公民身份|电话|手机|联系方式")


def _spellings(column: Column) -> str:
    return "、".join([column.zh, column.en, *column.aliases[:3]])


# A blank cell of an existing entry's row is compared as the value import would have given it.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "households": {"members": 1, "status": "general"},
    "cadres": {"status": "active"},
    "visits": {"kind": "visit"},
    "issues": {"kind": "problem", "ledger": "livelihood", "level": "village", "closed": False},
    "surveys": {},
}


_Place = tuple[str | None, str | None, str | None]  # township, village and group codes of a row


class _Planner:
    """Turns rows into new entity files and stream documents; tracks duplicates and new entries across rows."""

    def __init__(
        self, ctx: SheetContext, actor: Cadre, plan: ImportPlan, present: set[str], kind: str
    ) -> None:
        self.ctx = ctx
        self.actor = actor
        self.plan = plan
        self.present = present
        self.kind = kind
        self.columns = {column.field: column for column in COLUMNS[kind]}
        self.at = plan.at
        self.today = plan.at[:10]
        self.config = ctx.ledger.config
        self.secret = ctx.ledger.secret() if kind in ("households", "cadres") else b""
        self.first_row: dict[tuple[Any, ...], int] = {}
        self.same_head: dict[tuple[str, str], list[tuple[int, str | None]]] = defaultdict(list)
        self.taken: set[str] = set()
        self.cadre_updates: dict[str, Cadre] = {}
        self.home_updates: dict[str, Household] = {}  # households a cadre roster's 帮扶对象 pairs
        self.new_visits: dict[str, tuple[Visit, list[str]]] = {}
        self.item_visits: dict[tuple[Any, ...], str] = {}
        self.item_keys: dict[tuple[Any, ...], str] | None = None
        self.full_values: dict[str, str] = {}  # keyed hash -> the number as given, for this machine's vault
        # A person-level roster: rows grouped by 户编号, planned as households once every row is read.
        self.persons = (
            kind == "households" and "register_no" in present and bool({"relation", "person_no"} & present)
        )
        self.person_rows: dict[str, list[_Row]] = {}
        self._kind_row: Callable[[_Row], None] = getattr(self, f"_{kind}")
        # (township, village, group) cell texts -> the codes place() found for them in a row without problems
        self._places: dict[tuple[str | None, str | None, str | None], _Place] = {}
        # Per skipped-columns set: each column's parser and the values it gave (parse_fields).
        self._parsers: dict[
            tuple[str, ...], list[tuple[str, Callable[[str], Any], dict[str, Any] | None, bool]]
        ] = {}

    def row(self, row: _Row) -> None:
        self._kind_row(row)

    def new_id(self, prefix: str) -> str:
        while True:
            candidate = ids.new_id(prefix)
            if candidate in self.taken:
                continue
            exists = (
                self.ctx.visit_taken(candidate)
                if prefix == "V"
                else self.ctx.ledger.locate(candidate) is not None
            )
            if not exists:
                self.taken.add(candidate)
                return candidate

    def duplicate(self, row: _Row, key: tuple[Any, ...], name: str, what: str) -> bool:
        first = self.first_row.get(key)
        if first is not None:
            row.fail(name, BadInput("duplicate_row", other=first, what=what))
            return True
        self.first_row[key] = row.number
        return False

    def require(self, row: _Row, name: str, op: str) -> bool:
        try:
            self.config.require(self.actor, op)
        except Refused as error:
            row.fail(name, error)
            return False
        return True

    def add(self, entry_id: str, rel: str, text: str) -> None:
        self.plan.files[rel] = text.encode("utf-8")
        self.plan.entries.append(entry_id)
        self.plan.created.append(entry_id)

    def finish(self) -> None:
        for rows in self.person_rows.values():
            self._person_group(rows)
        for cadre_id, cadre in sorted(self.cadre_updates.items()):
            assert cadre.source is not None
            self.plan.files[cadre.source.path] = dump_record(cadre).encode("utf-8")
            self.plan.entries.append(cadre_id)
        for home_id, home in sorted(self.home_updates.items()):
            assert home.source is not None
            self.plan.files[home.source.path] = dump_record(home).encode("utf-8")
            self.plan.entries.append(home_id)
        plan = self.plan
        streams, visit_docs, entries, created = plan.streams, plan.visit_docs, plan.entries, plan.created
        for visit, items in self.new_visits.values():
            record = replace(visit, items=tuple(items)) if items else visit
            doc = _record_dict(record)
            rel = layout.visit_stream_path(record.date, record.village)
            streams.setdefault(rel, []).append(yamlio.dump_stream_doc(doc))
            visit_docs.append(doc)
            entries.append(record.id)
            created.append(record.id)
        plan.entries = list(dict.fromkeys(entries))

    # -- shared row parts
    def parse_fields(self, row: _Row, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        """Every present plain column parsed to its canonical value (places, people and ids are resolved apart).

        A column's parser is chosen once per sheet, and a value it gave for a cell text is reused for the same text
        in a later row (a 走访情况 or a date repeats down a sheet): the parsers are pure, except that free text with
        a number in it is masked and noted, so only text that came back as it was is reused."""
        parsers = self._parsers.get(skip)
        if parsers is None:
            parsers = self._parsers[skip] = self._column_parsers(row, skip)
        out: dict[str, Any] = {}
        values, failed = row.values, row.failed
        for name, parse, known, as_typed in parsers:
            text = values.get(name) or None
            if text is None or name in failed:
                out[name] = None
                continue
            if known is not None:
                value = known.get(text, _UNPARSED)
                if value is not _UNPARSED:
                    out[name] = value
                    continue
            try:
                value = parse(text)
            except LedgerError as error:
                row.fail(name, error)
                out[name] = None
                continue
            if known is not None and len(known) < _REUSED_VALUES and (not as_typed or value == text.strip()):
                known[text] = value
            out[name] = value
        return out

    def _column_parsers(
        self, row: _Row, skip: tuple[str, ...]
    ) -> list[tuple[str, Callable[[str], Any], dict[str, Any] | None, bool]]:
        """(field, parser of a cell's text, the values it gave by text or None when not reused, reused only when the
        text came back as typed) of each present plain column, in the kind's column order."""
        parsers: list[tuple[str, Callable[[str], Any], dict[str, Any] | None, bool]] = []
        skipped = {*skip, "id", "seq", "township", "village", "group", "items"}
        for name in [key for key in self.columns if key in self.present and key not in skipped]:
            column = self.columns[name]
            header = row.header(name)
            kind = column.type
            parse: Callable[[str], Any] | None = None
            if kind == "text":
                limit = F.MAX_NAME if name in ("title", "register_no", "resp_unit") else F.MAX_TEXT
                parse = functools.partial(_optional_text, header=header, limit=limit)
            elif kind == "name":
                parse = functools.partial(F.name, field=header)
            elif kind == "enum":
                parse = functools.partial(parse_enum, header=header, values=column.enum)
            elif kind == "date":
                parse = functools.partial(parse_date, header=header, allow_future=name == "due")
            elif kind == "int":
                parse = functools.partial(_member_count, header=header)
            elif kind == "bool":
                parse = functools.partial(parse_bool, header=header)
            elif kind == "monitor":
                parse = functools.partial(parse_monitor_type, header=header)
            elif kind == "risks":
                parse = functools.partial(_parse_risks, header=header)
            elif kind in ("pii_id", "pii_phone"):
                # never reused: each number is hashed and kept for the vault
                parsers.append((name, functools.partial(self._pii, header=header, kind=kind), None, False))
            if parse is not None:
                parsers.append((name, parse, {}, kind in ("text", "name")))
        return parsers

    def _pii(self, text: str, header: str, kind: str) -> tuple[str, str | None]:
        """(masked, keyed hash). A masked value (from an export) has no hash and only matches its own entry."""
        value = unicodedata.normalize("NFKC", text).strip()
        if "*" in value:
            return value, None
        if kind == "pii_id":
            number = F.id_number(value)
            masked = pii.mask_id_number(number)
        else:
            number = F.phone(value, header)
            masked = pii.mask_phone(number)
        digest = pii.keyed_hash(self.secret, number)
        self.full_values[digest] = number
        return masked, digest

    def place(self, row: _Row) -> _Place:
        """(township, village, group) codes from the 乡镇 / 村 / 组 columns, each narrowing the next.

        A sheet names the same few places row after row: what three cell texts gave in a row without problems is
        what they give in the next one (units do not change while a sheet is planned); a row with a problem, or
        that gets one here, is worked out again, so each such row has its own finding."""
        values = row.values
        texts = (values.get("township"), values.get("village"), values.get("group"))
        clean = not row.failed
        if clean:
            found = self._places.get(texts)
            if found is not None:
                return found
        found = self._place(row)
        if clean and not row.failed:
            self._places[texts] = found
        return found

    def _place(self, row: _Row) -> _Place:
        ctx = self.ctx
        township = row.guard("township", lambda t: ctx.find_unit(t, row.header("township"), "township"))
        village = None
        if "township" not in row.failed:
            village = row.guard(
                "village", lambda t: ctx.find_unit(t, row.header("village"), "village", township)
            )
        group = None
        if village:
            group = row.guard("group", lambda t: ctx.find_unit(t, row.header("group"), "group", village))
        elif row.text("group") and not {"township", "village"} & row.failed:
            group = row.guard(
                "group", lambda t: _group_code(ctx, t, row.header("group"), row.header("village"))
            )
            village = group[:12] if group else None
        return (township or (village[:9] if village else None)), village, group

    def people(self, row: _Row, name: str, near: str | None, many: bool) -> Any:
        ctx = self.ctx
        find = ctx.find_cadres if many else ctx.find_cadre
        return row.guard(name, lambda t: find(t, row.header(name), near))

    def active(self, row: _Row, name: str, cadre_ids: Iterable[str | None]) -> None:
        """New entries name active cadres only (an existing entry may name one recalled since)."""
        for cadre_id in cadre_ids:
            cadre = self.ctx.cadres.get(cadre_id or "")
            if cadre is not None and cadre.status != "active":
                row.fail(name, Refused("actor_recalled", actor=cadre.id, name=cadre.name))

    def household(self, row: _Row, village: str | None, group: str | None) -> str | None:
        if not village or row.text("head") is None or "head" in row.failed:
            return None
        return row.guard("head", lambda t: self.ctx.find_household(t, village, group, row.header("head")))

    def existing(self, row: _Row, prefix: str, pool: dict[str, Any]) -> Any | None:
        text = row.text("id")
        if text is None:
            return None
        wanted = ids.normalize(text)
        if not ids.is_id(wanted, prefix):
            row.fail("id", BadInput("bad_id", field=row.header("id"), value=text, prefix=prefix))
            return None
        if wanted not in pool:
            row.fail("id", NotFound("not_in_ledger", field=row.header("id"), value=text))
            return None
        if self.duplicate(row, ("id", wanted), "id", wanted):
            return None
        return pool[wanted]

    def compare(self, row: _Row, sheet: dict[str, Any], have: dict[str, Any]) -> None:
        """An existing entry's row must say what the ledger says, column by column (only the columns present)."""
        defaults = _DEFAULTS[self.kind]
        same = True
        for name in sorted(self.present - {"id", "seq", "items"} - row.failed, key=list(self.columns).index):
            if not self.columns[name].export:
                continue  # a person-level roster's own columns (人编号, 与户主关系 …): nothing of the entry to compare
            value = sheet.get(name)
            if value is None and row.text(name) is None:
                value = defaults.get(name)
            current = have.get(name)
            if self.columns[name].type.startswith("pii") and isinstance(value, tuple):
                masked, digest = value
                equal = digest == have.get(f"{name.split('_')[0]}_hash") if digest else masked == current
            elif isinstance(value, tuple) or isinstance(current, tuple):
                equal = tuple(sorted(value or ())) == tuple(sorted(current or ()))
            else:
                equal = value == current
            if not equal:
                same = False
                shown = render_value(self.ctx, self.columns[name], current, "zh") or "—"
                error = BadInput(
                    "row_differs", field=row.header(name), ledger=shown, sheet=row.text(name) or "—"
                )
                row.fail(name, error)
        if same and not row.bad:
            self.plan.unchanged += 1

    # -- households
    def _households(self, row: _Row) -> None:
        if self.persons:
            number = row.text("register_no")
            if number is None:
                row.need("register_no")
            else:
                self.person_rows.setdefault(_norm(number), []).append(row)
            return
        self._household_row(row)

    def _person_group(self, rows: list[_Row]) -> None:
        """One household of a person-level roster: the 户主 row is the household, every row one member; the
        members' ID numbers go to this machine's vault and their keyed hashes to the household (member_hashes)."""
        relation = "relation" in self.present
        heads = (
            [row for row in rows if _norm(row.text("relation") or "") in _HEAD_WORDS]
            if relation
            else rows[:1]
        )
        first = rows[0]
        if not heads:
            first.fail(
                "relation",
                BadInput("no_head_row", field=first.header("relation"), value=first.text("register_no")),
            )
        for extra in heads[1:]:
            extra.fail(
                "relation", BadInput("duplicate_row", other=heads[0].number, what=extra.text("relation"))
            )
        count = len(rows)
        member_hashes: list[str] = []
        known = self.ctx.register_index.get(_norm(first.text("register_no") or ""))  # imported before
        for row in rows:
            stated = row.guard("members", functools.partial(_member_count, header=row.header("members")))
            if stated is not None and stated != count:
                row.fail(
                    "members",
                    BadInput(
                        "members_mismatch",
                        field=row.header("members"),
                        value=stated,
                        count=count,
                        register_no=row.text("register_no"),
                    ),
                )
            if heads and row is not heads[0]:
                for place in ("township", "village", "group"):
                    # one household lives in one place: a member's row naming another is a mistake in the sheet
                    mine, head_place = row.text(place), heads[0].text(place)
                    if mine and head_place and _norm(mine) != _norm(head_place):
                        what = f"{heads[0].header(place)}（第 {heads[0].number} 行）"
                        error = BadInput(
                            "conflict_values",
                            field=row.header(place),
                            value=mine,
                            other=what,
                            other_value=head_place,
                        )
                        row.fail(place, error)
                values = self.parse_fields(row, skip=("pairings", "members"))
                masked, digest = values.get("id_number") or (None, None)
                if masked and not digest:
                    row.fail(
                        "id_number", BadInput("masked_value", field=row.header("id_number"), value=masked)
                    )
                for key in ("id_number", "phone"):
                    masked, digest = values.get(key) or (None, None)
                    if not digest:
                        continue
                    if key == "id_number":
                        if self.ctx.hash_index.get(digest, known) != known:
                            error = BadInput(
                                "duplicate",
                                field=row.header(key),
                                value=masked,
                                existing=self.ctx.hash_index[digest],
                            )
                            row.fail(key, error)
                        elif not self.duplicate(row, ("id_hash", digest), key, masked or ""):
                            member_hashes.append(digest)
                    self.plan.vault[digest] = self.full_values[digest]
        self.plan.members_vaulted += len(member_hashes)
        if heads:
            # Checked even when a member's row is bad (nothing is written then), so every problem is reported.
            heads[0].values["members"] = str(count)
            self._household_row(heads[0], member_hashes=tuple(member_hashes), persons=count)

    def _household_row(self, row: _Row, *, member_hashes: tuple[str, ...] = (), persons: int = 1) -> None:
        ctx = self.ctx
        township, village, group = self.place(row)
        values = self.parse_fields(row, skip=("pairings",))
        if self.persons:
            values["status"] = row.guard("status", lambda t: _national_status(t, row.header("status")))
        pairings = self.people(row, "pairings", group or village, many=True) or ()
        if self.persons and row.text("id") is None:
            known = ctx.register_index.get(_norm(row.text("register_no") or ""))
            if known is not None:
                # The same roster again (or last month's): a household already on the ledger is left as it is.
                if ctx.households[known].head == values.get("head"):
                    self.plan.unchanged += persons
                else:
                    error = BadInput(
                        "duplicate",
                        field=row.header("register_no"),
                        value=row.text("register_no"),
                        existing=known,
                    )
                    row.fail("register_no", error)
                return
        home = self.existing(row, "H", ctx.households)
        if home is not None:
            have = household_values(ctx, home) | {"id_hash": home.id_hash, "phone_hash": home.phone_hash}
            self.compare(
                row,
                values | {"township": township, "village": village, "group": group, "pairings": pairings},
                have,
            )
            return
        if row.text("id") is not None:
            return
        row.need("village")
        row.need("head")
        self.active(row, "pairings", pairings)
        head = values.get("head")
        masked_id, id_hash = values.get("id_number") or (None, None)
        masked_phone, phone_hash = values.get("phone") or (None, None)
        if masked_id and not id_hash:
            row.fail("id_number", BadInput("masked_value", field=row.header("id_number"), value=masked_id))
        if masked_phone and not phone_hash:
            row.fail("phone", BadInput("masked_value", field=row.header("phone"), value=masked_phone))
        if "id_number" not in row.failed:
            # Checked even when other cells of the row are bad, so every duplicate is reported in one run.
            self._household_duplicates(row, village, head, masked_id, id_hash)
        if row.bad or not village or not head:
            return
        from ..core.registers import apply_household

        home_id = self.new_id("H")
        fields: dict[str, Any] = {
            "head": head,
            "village": village,
            "group": group,
            "members": values.get("members") or 1,
            "status": "monitored" if values.get("monitor_type") else values.get("status") or "general",
            "register_no": values.get("register_no"),
        }
        registered = values.get("registered") or self.plan.registered
        if registered:
            fields["registered"] = registered
        if id_hash:
            fields.update(id_number=masked_id, id_hash=id_hash)
            self.plan.vault[id_hash] = self.full_values[id_hash]
        if phone_hash:
            fields.update(phone=masked_phone, phone_hash=phone_hash)
            self.plan.vault[phone_hash] = self.full_values[phone_hash]
        if member_hashes:
            fields["member_hashes"] = list(member_hashes)
        history = [new_entry(self.actor.id, "create", {"id": home_id, **fields}, self.at)]
        risks = set(values.get("risks") or ())
        if values.get("housing_risk"):
            risks.add("housing")
        if values.get("water_ok") is False:
            risks.add("water")
        if risks:
            indicators = {name: "risk" for name in INDICATORS if name in risks}
            history.append(new_entry(self.actor.id, "set", {"indicators": indicators}, self.at))
        for cadre_id in pairings:
            history.append(new_entry(self.actor.id, "pair", {"cadre": cadre_id}, self.at))
            self._pair_cadre(cadre_id, home_id)
        record: Household | None = None
        for entry in history:
            record = apply_household(record, entry)
        assert record is not None
        self.add(
            home_id,
            layout.household_path(village, home_id),
            yamlio.dump(_record_dict(record, tuple(history))),
        )

    def _household_duplicates(
        self, row: _Row, village: str | None, head: str | None, masked_id: str | None, id_hash: str | None
    ) -> None:
        ctx = self.ctx
        if id_hash and id_hash in ctx.hash_index:
            error = BadInput(
                "duplicate", field=row.header("id_number"), value=masked_id, existing=ctx.hash_index[id_hash]
            )
            row.fail("id_number", error)
            return
        if id_hash and self.duplicate(row, ("id_hash", id_hash), "id_number", masked_id or ""):
            return
        if not village or not head:
            return

        # One village, one head name: the same household twice, unless their ID numbers tell them apart.
        def differ(other: str | None) -> bool:
            return bool(id_hash and other and other != id_hash)

        known = [
            hid for hid in ctx.home_index.get((village, head), ()) if not differ(ctx.households[hid].id_hash)
        ]
        earlier = [number for number, other in self.same_head[(village, head)] if not differ(other)]
        self.same_head[(village, head)].append((row.number, id_hash))
        if known:
            row.fail("head", BadInput("duplicate", field=row.header("head"), value=head, existing=known[0]))
        elif earlier:
            what = f"{ctx.unit_label(village, False)} {head}"
            row.fail("head", BadInput("duplicate_row", other=earlier[0], what=what))

    def _pair_cadre(self, cadre_id: str, home_id: str) -> None:
        from ..core.registers import apply_cadre

        cadre = self.cadre_updates.get(cadre_id) or self.ctx.cadres[cadre_id]
        entry = new_entry(self.actor.id, "pair", {"household": home_id}, self.at)
        self.cadre_updates[cadre_id] = replace(
            apply_cadre(cadre, entry), history=cadre.history + (entry,), source=cadre.source
        )

    # -- cadres
    def _cadres(self, row: _Row) -> None:
        ctx = self.ctx
        values = self.parse_fields(row)
        if "unit" in self.present:
            unit = row.guard("unit", lambda t: ctx.find_unit(t, row.header("unit"), None))
        else:
            township, village, _group = self.place(row)
            unit = village or township
            if unit is None and not {"township", "village"} & row.failed:
                row.need("village" if "village" in self.present else "township")
        cadre = self.existing(row, "C", ctx.cadres)
        if cadre is not None:
            have = cadre_values(ctx, cadre) | {"phone_hash": cadre.phone_hash}
            self.compare(row, values | {"unit": unit}, have)
            return
        if row.text("id") is not None:
            return
        for name in ("name", "unit", "role"):
            row.need(name)
        name = values.get("name")
        masked_phone, phone_hash = values.get("phone") or (None, None)
        if masked_phone and not phone_hash:
            row.fail("phone", BadInput("masked_value", field=row.header("phone"), value=masked_phone))
        status = values.get("status") or "active"
        if status == "recalled" and not values.get("recall_reason") and "recall_reason" not in row.failed:
            row.fail(
                "status", BadInput("requires", field=row.header("status"), other=row.header("recall_reason"))
            )
        self.require(row, "name", "cadre.add")
        if status == "recalled":
            self.require(row, "status", "cadre.recall")
        role = values.get("role") or self.plan.role
        if role is None and unit and "role" not in row.failed:
            if ctx.units[unit].level in ("village", "group"):
                role = "village"  # a 帮扶责任人 roster of village cadres: documented in moving-in.md
            else:
                row.fail(
                    "role", BadInput("cadre_role_needed", field=row.header("role"), unit=ctx.unit_label(unit))
                )
        homes = self._paired_homes(row, unit) if unit else ()
        if row.bad or not unit or not name:
            return
        existing = [cid for cid in ctx.cadre_names.get(name, ()) if ctx.cadres[cid].unit == unit]
        if existing:
            row.fail(
                "name", BadInput("duplicate", field=row.header("name"), value=name, existing=existing[0])
            )
        elif self.duplicate(row, ("cadre", unit, name), "name", f"{ctx.unit_label(unit, False)} {name}"):
            return
        if row.bad:
            return
        from ..core.registers import apply_cadre

        cadre_id = self.new_id("C")
        fields: dict[str, Any] = {
            "name": name,
            "unit": unit,
            "role": role,
            "title": values.get("title"),
            "registered": self.plan.registered,
        }
        if phone_hash:
            fields.update(phone=masked_phone, phone_hash=phone_hash)
            self.plan.vault[phone_hash] = self.full_values[phone_hash]
        history = [new_entry(self.actor.id, "create", {"id": cadre_id, **fields}, self.at)]
        if status == "recalled":
            history.append(
                new_entry(self.actor.id, "recall", {"reason": values.get("recall_reason")}, self.at)
            )
        for home_id in homes:
            since = self._pair_since(home_id)
            history.append(new_entry(self.actor.id, "pair", {"household": home_id, "since": since}, self.at))
            self._pair_household(home_id, cadre_id, since)
        record: Cadre | None = None
        for entry in history:
            record = apply_cadre(record, entry)
        assert record is not None
        self.add(cadre_id, layout.cadre_path(cadre_id), yamlio.dump(_record_dict(record, tuple(history))))

    def _paired_homes(self, row: _Row, unit: str) -> tuple[str, ...]:
        """帮扶对象 / 结对户: heads' names (、-separated) of households in the cadre's unit."""
        text = row.text("paired")
        if text is None or "paired" in row.failed:
            return ()
        found: list[str] = []
        for name in _split_list(text):
            homes = [
                hid
                for (village, head), hids in self.ctx.home_index.items()
                if head == name and village.startswith(unit[:12])
                for hid in hids
                if not self.ctx.households[hid].removed
            ]
            if len(homes) != 1:
                where = f"{name}（{self.ctx.unit_label(unit, False)}）"
                error: LedgerError
                if homes:
                    error = Ambiguous(
                        "ambiguous", kind="household", value=where, matches="、".join(sorted(homes))
                    )
                else:
                    error = NotFound("not_found", kind="household", value=where)
                row.fail("paired", error)
                continue
            if homes[0] not in found:
                found.append(homes[0])
        return tuple(found)

    def _pair_since(self, home_id: str) -> str | None:
        """--registered: the day a pairing the sheet makes dates from, never before the household's registration."""
        home = self.ctx.households.get(home_id)
        since = self.plan.registered
        if since and home is not None and home.registered:
            since = max(since, home.registered)
        return since

    def _pair_household(self, home_id: str, cadre_id: str, since: str | None = None) -> None:
        from ..core.registers import apply_household

        home = self.home_updates.get(home_id) or self.ctx.households[home_id]
        entry = new_entry(self.actor.id, "pair", {"cadre": cadre_id, "since": since}, self.at)
        self.home_updates[home_id] = replace(
            apply_household(home, entry), history=home.history + (entry,), source=home.source
        )

    # -- visits
    def _visits(self, row: _Row) -> None:
        ctx = self.ctx
        township, village, group = self.place(row)
        values = self.parse_fields(row, skip=("by",))
        visitors = self.people(row, "by", group or village or township, many=True)
        home_id = self.household(row, village, group)
        visit = self.existing(row, "V", ctx.visits) if row.text("id") is not None else None
        if visit is not None:
            sheet = values | {"township": township, "village": village, "group": group, "by": visitors or ()}
            if home_id:
                sheet["head"] = ctx.households[home_id].head
            self.compare(row, sheet, visit_values(ctx, visit))
            return
        if row.text("id") is not None:
            return
        row.need("date")
        row.need("by")
        self.active(row, "by", visitors or ())
        kind = values.get("kind") or "visit"
        date = values.get("date")
        if date and date > self.today:
            row.fail("date", BadInput("future_date", field=row.header("date"), value=date, today=self.today))
        if home_id is None and row.text("head") is None and kind != "stay":
            row.fail(
                "head", BadInput("required", field=row.header("head"), accepted=Text("acc_household_or_stay"))
            )
        if row.bad or not date or not visitors:
            return
        home = ctx.households.get(home_id or "")
        if home is not None and home.registered and date < home.registered:
            # as `visit add` refuses it: no visit before the day the office registered the household (建档)
            other = Text("registered_on", id=home.id, day=home.registered)
            row.fail("date", BadInput("date_order", field=row.header("date"), value=date, other=other))
            return
        unit = home.unit if home else (group or village or township or "")
        if not unit:
            row.need("village")
            return
        key = (date, kind, home_id or unit, tuple(sorted(visitors)))
        if self.duplicate(
            row, ("visit", *key), "date", f"{date} {home.head if home else ctx.unit_label(unit)}"
        ):
            return
        for other in ctx.visits_at(date, key[2]):
            if (other.date, other.kind, other.household or other.unit, tuple(sorted(other.by))) == key:
                row.fail(
                    "date", BadInput("duplicate", field=row.header("date"), value=date, existing=other.id)
                )
                return
        visit_id = self.new_id("V")
        record = Visit(
            id=visit_id,
            date=date,
            kind=kind,
            household=home_id,
            village=home.village if home else unit[:12],
            unit=unit,
            by=tuple(visitors),
            note=values.get("note"),
            at=self.at,
            recorded_by=self.actor.id,
        )
        self.new_visits[visit_id] = (record, [])

    # -- the satisfaction survey (issue 18)
    def _surveys(self, row: _Row) -> None:
        """One household's answer. A row with 编号 names an answer already in the ledger: skipped when the same,
        refused when it differs, as other kinds' rows; the same household twice on one day and round is a duplicate."""
        ctx = self.ctx
        _, village, group = self.place(row)
        values = self.parse_fields(row, skip=("by", "round"))
        round_no = row.guard(
            "round", lambda t: parse_round_cell(t, row.header("round"), self.config.rounds())
        )
        visitors = self.people(row, "by", group or village, many=True) if row.text("by") else ()
        home_id = self.household(row, village, group)
        if row.text("id") is not None:
            survey = self.existing(row, "S", ctx.surveys)
            if survey is not None:
                answered = ctx.households[survey.household]
                sheet = values | {"village": village, "group": group, "round": round_no, "by": visitors or ()}
                have = survey.to_dict() | {"group": answered.group, "head": answered.head, "by": survey.by}
                if home_id:
                    sheet["head"] = ctx.households[home_id].head
                self.compare(row, sheet, have)
            return
        for name in ("date", "head", "result"):
            row.need(name)
        self.active(row, "by", visitors or ())
        date = values.get("date")
        if date and date > self.today:
            row.fail("date", BadInput("future_date", field=row.header("date"), value=date, today=self.today))
        home = ctx.households.get(home_id or "")
        if row.bad or not date or home is None or not values.get("result"):
            return
        try:
            on_register(home)  # 销户: no more surveys
        except Refused as error:
            row.fail("head", error)
            return
        if home.registered and date < home.registered:
            other = Text("registered_on", id=home.id, day=home.registered)
            row.fail("date", BadInput("date_order", field=row.header("date"), value=date, other=other))
            return
        if self.duplicate(row, ("survey", home.id, round_no, date), "head", f"{date} {home.head}"):
            return
        survey_id = self.new_id("S")
        record = Survey(
            id=survey_id,
            date=date,
            household=home.id,
            village=home.village,
            unit=home.unit,
            result=values["result"],
            round=round_no,
            by=tuple(visitors or ()),
            note=values.get("note"),
            at=self.at,
            recorded_by=self.actor.id,
        )
        rel = layout.survey_stream_path(date, home.village)
        self.plan.streams.setdefault(rel, []).append(yamlio.dump_stream_doc(record.to_dict()))
        self.plan.entries.append(survey_id)
        self.plan.created.append(survey_id)

    # -- items
    def _issues(self, row: _Row) -> None:
        ctx = self.ctx
        township, village, group = self.place(row)
        values = self.parse_fields(row, skip=("leader", "team", "visitors"))
        near = group or village or township
        leader = self.people(row, "leader", near, many=False)
        team = self.people(row, "team", near, many=True) or ()
        visitors = self.people(row, "visitors", near, many=True) or ()
        home_id = self.household(row, village, group)
        home = ctx.households.get(home_id or "")
        item = self.existing(row, "Q", ctx.items)
        if item is not None:
            sheet = values | {"township": township, "village": village, "group": group}
            sheet |= {
                "leader": leader,
                "team": team,
                "visitors": visitors,
                "head": home.head if home else None,
            }
            if sheet.get("source") is None and row.text("source") is None:
                sheet["source"] = "visit" if visitors else "grid"
            if "state" in self.present and row.text("state") is None:
                sheet["state"] = (
                    item.state
                )  # an empty 状态 says nothing; the other columns still have to agree
            self.compare(row, sheet, item_values(ctx, item))
            return
        if row.text("id") is not None:
            return
        row.need("desc")
        row.need("category")
        self.active(row, "leader", (leader,))
        self.active(row, "team", team)
        self.active(row, "visitors", visitors)
        unit = home.unit if home else (group or village or township)
        if not unit and not {"township", "village", "group"} & row.failed:
            row.need("village") if "village" in self.present else row.need("township")
        desc = values.get("desc")
        if unit and desc:
            # Checked even when other cells of the row are bad, so every duplicate is reported in one run.
            self._item_duplicates(row, (home_id, unit, desc))
        if row.bad or not unit:
            return
        _ItemRow(self, row, values, unit, home_id, leader, team, visitors).plan()

    # -- a 信访台账
    def _petitions(self, row: _Row) -> None:
        """One petition: the place names the unit, the petitioner a household when exactly one head of that name
        lives there (else the name stays in the text: 匿名 too), phones and ID numbers masked in the text."""
        ctx = self.ctx
        values = self.parse_fields(row, skip=("source", "phone", "petitioner", "ref", "handling", "desc"))
        row.need("created")
        row.need("desc")
        source = row.guard("source", lambda t: petition_source(t, row.header("source"))) or "petition"
        unit = self._petition_place(row)
        petitioner = row.text("petitioner")
        home_id = None
        if unit and petitioner:
            name = re.split(r"[，,、;；\s(（:：]", petitioner.strip(), maxsplit=1)[0]
            homes = [
                hid
                for (village, head), hids in ctx.home_index.items()
                if head == name and village.startswith(unit)
                for hid in hids
                if not ctx.households[hid].removed
            ]
            home_id = homes[0] if len(homes) == 1 else None
        parts = [row.text("desc") or ""]
        if row.text("ref") and not (row.text("ref") or "").isdigit():
            parts.append(f"（来信编号：{row.text('ref')}）")
        if petitioner and not home_id:
            parts.append(f"（信访人：{petitioner}）")
        if row.text("phone"):
            parts.append(f"（联系电话：{row.text('phone')}）")
        if row.text("handling"):
            parts.append(f"（办理情况：{row.text('handling')}）")
        desc = row.guard("desc", lambda _t: F.text(_masked_text("".join(parts)), row.header("desc")))
        if home_id:
            unit = ctx.households[home_id].unit
        if unit and desc:
            self._item_duplicates(row, (home_id, unit, desc))
        if row.bad or not unit or not desc:
            return
        item = values | {
            "kind": "petition",
            "desc": desc,
            "source": source,
            "category": values.get("category") or "other",  # corrected later with issue edit
        }
        _ItemRow(self, row, item, unit, home_id, None, (), ()).plan()

    def _petition_place(self, row: _Row) -> str | None:
        """案件地点 as a unit: its exact name (short, official or earlier), else the unit named inside the text
        (和平乡板栗园村村委会旁): the longest name found, a village over its township; 乡镇 narrows same-name villages."""
        ctx = self.ctx
        township = row.guard("township", lambda t: ctx.find_unit(t, row.header("township"), "township"))
        text = row.text("place")
        if text is None:
            if township is None and "township" not in row.failed:
                row.need("place") if "place" in self.present else row.fail(
                    "place",
                    BadInput("missing_column", column=row.header("place"), accepted="案件地点、村、地点"),
                )
            return township
        value = unicodedata.normalize("NFKC", text).strip()
        try:
            return ctx.find_unit(value, row.header("place"), None, township)
        except (NotFound, Ambiguous):
            pass
        except LedgerError as error:
            row.fail("place", error)
            return None
        found: dict[str, int] = {}
        for unit in ctx.units.values():
            if unit.retired or unit.level == "county" or (township and not unit.code.startswith(township)):
                continue
            for name in (unit.name, getattr(unit, "official", None), *(unit.aliases or ())):
                if name and len(name) >= 2 and name in value:
                    found[unit.code] = max(found.get(unit.code, 0), len(name))
        # the deepest units named; a township named too narrows its villages
        deepest = max((len(code) for code in found), default=0)
        codes = [code for code in found if len(code) == deepest]
        if len(codes) > 1:
            narrowed = [
                code for code in codes if any(other != code and code.startswith(other) for other in found)
            ]
            codes = narrowed or codes
        if len(codes) == 1:
            return codes[0]
        if codes:
            row.fail("place", Ambiguous("ambiguous", kind="unit", value=value, matches=ctx._unit_list(codes)))
        elif township:
            return township
        else:
            row.fail("place", NotFound("not_found", kind="unit", value=value))
        return None

    def _item_duplicates(self, row: _Row, key: tuple[str | None, str, str]) -> None:
        """One household (or unit), one description: the same item twice."""
        if self.item_keys is None:
            self.item_keys = {}
            for other in self.ctx.items.values():
                self.item_keys.setdefault((other.household, other.unit, other.desc), other.id)
        desc = key[2]
        if key in self.item_keys:
            row.fail(
                "desc",
                BadInput(
                    "duplicate", field=row.header("desc"), value=desc[:20], existing=self.item_keys[key]
                ),
            )
        else:
            self.duplicate(row, ("item", *key), "desc", desc[:20])

    def visit_for_item(self, home_id: str, date: str, visitors: tuple[str, ...]) -> str:
        """Items raised in one visit (same day, household and visitors) share one visit record, as `visit add` does."""
        key = (date, home_id, tuple(sorted(visitors)))
        if key not in self.item_visits:
            # The visit may be on the ledger already (the 走访台账 imported first): link to it rather than count the
            # same visit twice. Its stream document stays as written (streams are append-only).
            for other in self.ctx.visits.values():
                if (other.date, other.household, other.kind, tuple(sorted(other.by))) == (
                    date,
                    home_id,
                    "visit",
                    key[2],
                ):
                    self.item_visits[key] = other.id
                    return other.id
            home = self.ctx.households[home_id]
            visit_id = self.new_id("V")
            record = Visit(
                id=visit_id,
                date=date,
                kind="visit",
                household=home_id,
                village=home.village,
                unit=home.unit,
                by=visitors,
                at=self.at,
                recorded_by=self.actor.id,
            )
            self.new_visits[visit_id] = (record, [])
            self.item_visits[key] = visit_id
        return self.item_visits[key]


class _ItemRow:
    """One new item: the operations its row implies (create, escalate, assign, progress, resolve, feedback, close),
    each checked by workflow.apply and check_policy exactly as the issue commands check them."""

    def __init__(
        self,
        planner: _Planner,
        row: _Row,
        values: dict[str, Any],
        unit: str,
        home_id: str | None,
        leader: str | None,
        team: tuple[str, ...],
        visitors: tuple[str, ...],
    ) -> None:
        self.p = planner
        self.row = row
        self.values = values
        self.unit = unit
        self.home_id = home_id
        self.leader = leader
        self.team = team
        self.visitors = visitors

    def fail(self, name: str, key: str, **params: Any) -> None:
        self.row.fail(name, BadInput(key, **params))

    def h(self, name: str) -> str:
        return self.row.header(name)

    def plan(self) -> None:
        p, row, values = self.p, self.row, self.values
        for name, default in _DEFAULTS["issues"].items():
            if values.get(name) is None:
                values[name] = default
        visit_date = values.get("visit_date")
        created = values.get("created") or visit_date or p.today
        for name in ("created", "visit_date"):
            if values.get(name) and values[name] > p.today:
                self.fail(name, "future_date", field=self.h(name), value=values[name], today=p.today)
        if self.visitors and self.home_id is None:
            self.fail("visitors", "requires", field=self.h("visitors"), other=self.h("head"))
        target = self.target_state()
        if row.bad or target is None:
            return
        steps = self.steps(target, created)
        if row.bad:
            return
        self.replay(steps, target, created)

    def target_state(self) -> str | None:
        """The state the sheet says the item is in: 状态 if given, else what 是否销号 / 满意度 / 进展 imply."""
        values = self.values
        stated, closed, feedback = values.get("state"), values.get("closed"), values.get("feedback")
        progress = values.get("progress")
        if stated:
            if (closed is True and stated != "closed") or (
                self.row.text("closed") and closed is False and stated == "closed"
            ):
                self.fail(
                    "closed",
                    "conflict_values",
                    field=self.h("closed"),
                    value=self.row.text("closed"),
                    other=self.h("state"),
                    other_value=self.row.text("state"),
                )
                return None
            target = stated
        elif closed:
            target = "closed"
        elif feedback == "unsatisfied":
            target = "in_progress"
        elif feedback or values.get("how") or values.get("resolved"):
            target = "resolved"
        elif progress and self.leader:
            target = "in_progress"
        else:
            target = "assigned" if self.leader else "registered"
        if target in ("assigned", "in_progress") and not self.leader and feedback != "unsatisfied":
            if "leader" not in self.row.failed:
                self.fail(
                    "state" if stated else "progress",
                    "requires",
                    field=self.h("state" if stated else "progress"),
                    other=self.h("leader"),
                )
            return None
        if target == "in_progress" and not progress and feedback != "unsatisfied":
            self.fail("state", "requires", field=self.h("state"), other=self.h("progress"))
            return None
        return target

    def steps(self, target: str, created: str) -> list[tuple[str, str, dict[str, Any]]]:
        from ..core.items import deadlines

        p, values = self.p, self.values
        kind, level = values["kind"], values["level"]
        due, leader = values.get("due"), self.leader
        try:
            assign_by, due = deadlines(
                kind, created, due, p.config, field=self.h("due"), default=level == "village" or bool(leader)
            )
        except BadInput as error:
            self.row.fail("due", error)
            assign_by = None
        # escalate clears the due date of everything but a petition, so only a village item keeps one without assign.
        keeps_due = kind == "petition" or (not leader and level == "village")
        if due is not None and not keeps_due and not leader:
            self.fail("due", "requires", field=self.h("due"), other=self.h("leader"))
        visit_id = (
            p.visit_for_item(self.home_id, values.get("visit_date") or created, self.visitors)
            if (self.visitors and self.home_id and not self.row.bad)
            else None
        )
        item_id = p.new_id("Q")
        self.item_id = item_id
        self.visit_id = visit_id
        create = {
            "id": item_id,
            "kind": kind,
            "ledger": values["ledger"],
            "category": values["category"],
            "desc": values["desc"],
            "source": values.get("source") or ("visit" if visit_id else "grid"),
            "household": self.home_id,
            "unit": self.unit,
            "visit": visit_id,
            "review": None,
            "level": "village",
            "created": created,
            "assign_by": assign_by,
            "due": due if keeps_due else None,
        }
        steps: list[tuple[str, str, dict[str, Any]]] = [("create", "desc", create)]
        if level != "village":
            reason = f"导入台账：{_label(level, 'zh')}级事项"
            steps.append(("escalate", "level", {"to": level, "reason": reason}))
        if leader:
            if due is None:
                self.fail("leader", "requires", field=self.h("leader"), other=self.h("due"))
            plan = {
                "leader": leader,
                "resp_unit": values.get("resp_unit"),
                "due": due,
                "team": list(self.team),
                "plan": values.get("plan"),
            }
            steps.append(("assign", "leader", plan))
        else:
            for name in ("resp_unit", "team", "plan"):
                if values.get(name) or (name == "team" and self.team):
                    self.fail(name, "requires", field=self.h(name), other=self.h("leader"))
        progress, note = values.get("progress"), values.get("resolution")
        if progress and leader:
            steps.append(("progress", "progress", {"note": progress}))
        elif progress and target in ("resolved", "closed") and not note:
            note = progress  # the 整改进展 of an item nobody was assigned to is how it was resolved
        elif progress:
            self.fail("progress", "requires", field=self.h("progress"), other=self.h("leader"))
        feedback = values.get("feedback")
        if target in ("resolved", "closed") or feedback == "unsatisfied":
            how = values.get("how") or ("fulfilled" if kind == "wish" else "solved")
            resolved = values.get("resolved") or values.get("closed_date") or p.today
            if resolved < created:
                self.fail("resolved", "date_order", field=self.h("resolved"), value=resolved, other=created)
            steps.append(("resolve", "how", {"how": how, "note": note or "据台账导入", "date": resolved}))
            if feedback:
                steps.append(("feedback", "feedback", {"result": feedback}))
            if target == "closed":
                closed = values.get("closed_date") or p.today
                if closed < resolved:
                    self.fail(
                        "closed_date", "date_order", field=self.h("closed_date"), value=closed, other=resolved
                    )
                column = "close_reason" if values.get("close_reason") else "feedback"
                steps.append(("close", column, {"reason": values.get("close_reason"), "date": closed}))
        else:
            for name in ("feedback", "how", "resolved", "resolution"):
                if values.get(name):
                    self.fail(
                        name,
                        "conflict_values",
                        field=self.h(name),
                        value=self.row.text(name),
                        other=self.h("state"),
                        other_value=_label(target, "zh"),
                    )
        return steps

    def replay(self, steps: list[tuple[str, str, dict[str, Any]]], target: str, created: str) -> None:
        from ..core.items import apply, check_policy

        p, row = self.p, self.row
        item: Item | None = None
        history: list[HistoryEntry] = []
        for op, column, values in steps:
            if not p.require(row, column, "issue.add" if op == "create" else f"issue.{op}"):
                return
            entry = new_entry(p.actor.id, op, values, p.at)
            try:
                check_policy(item, entry, p.config, p.actor)
                item = apply(item, entry)
            except Refused as error:
                row.fail(column, error)
                return
            history.append(entry)
        assert item is not None
        if item.state != target:  # a combination no single check caught (e.g. 状态 已办结 with 不满意)
            self.fail(
                "state",
                "conflict_values",
                field=self.h("state"),
                value=_label(target, "zh"),
                other=self.h("feedback"),
                other_value=_label(item.state, "zh"),
            )
            return
        item = replace(item, history=tuple(history))
        p.add(self.item_id, layout.item_path(self.item_id, created), dump_item(item))
        if self.visit_id in p.new_visits:
            p.new_visits[self.visit_id][1].append(self.item_id)


# 信访类型 → source (docs/guide/moving-in.md has this table). Exact spellings first, then what a cell contains.
PETITION_SOURCES = {
    "来访": "petition",
    "群众来访": "petition",
    "集体访": "petition",
    "个体访": "petition",
    "领导接访": "petition",
    "来信": "petition",
    "群众来信": "petition",
    "网上信访": "petition",
    "网信": "petition",
    "信访": "petition",
    "电话": "hotline",
    "来电": "hotline",
    "12345": "hotline",
    "12345热线": "hotline",
    "12345市民热线": "hotline",
    "市民热线": "hotline",
    "热线": "hotline",
    "部门转入": "grid",
    "部门转办": "grid",
    "上级交办": "grid",
    "交办": "grid",
    "转办": "grid",
    "网格": "grid",
    "排查": "grid",
    "走访": "visit",
    "入户走访": "visit",
    "纪委转办": "discipline",  # issue 18: the discipline channel (纪委) is counted apart
    "纪委交办": "discipline",
}
# 纪委/纪检 before 转: "纪委转办" is the discipline channel, not any department's referral.
_SOURCE_WORDS = (("纪委", "discipline"), ("纪检", "discipline"), ("12345", "hotline"), ("热线", "hotline"),
                 ("来电", "hotline"), ("转", "grid"), ("交办", "grid"), ("访", "petition"), ("信", "petition"))  # fmt: skip


def petition_source(text: str, header: str) -> str:
    key = _norm(text)
    if key in PETITION_SOURCES:
        return PETITION_SOURCES[key]
    for word, code in _SOURCE_WORDS:
        if word in key:
            return code
    try:
        return parse_enum(text, header, SOURCES)
    except BadInput:
        accepted = "、".join(PETITION_SOURCES) + " / " + "|".join(SOURCES)
        raise BadInput("bad_value", field=header, value=text, accepted=accepted) from None


_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<![\dXx])(\d{3})\d{11}(\d{3}[\dXx])(?![\dXx])")


def _masked_text(text: str) -> str:
    """Phones and ID numbers written into a text (信访人信息, 联系电话) are masked as the ledger masks them."""
    text = _ID_IN_TEXT.sub(lambda m: f"{m.group(1)}{'*' * 11}{m.group(2)}", text)
    return _PHONE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


# 与户主关系 of the household's own row. 户类型 as the national system writes it (脱贫户, 监测对象, 边缘易致贫户 …) is
# read by the shared table (core/messages.py LABELS and SYNONYMS).
_HEAD_WORDS = {"户主", "本人", "本人(户主)", "户主本人"}


def _national_status(text: str, header: str) -> str:
    return parse_enum(text, header, HOUSEHOLD_STATUS)


def _group_code(ctx: SheetContext, text: str, header: str, village_header: str) -> str:
    value = unicodedata.normalize("NFKC", text).strip()
    match = _LABELLED.match(value)
    if match and match.group(2).isdigit():
        value = match.group(2)
    if not value.isdigit():
        # A group name means nothing without its village (every village has a 一组).
        raise BadInput("requires", field=header, other=village_header)
    return ctx.find_unit(value, header, "group")


def _parse_risks(text: str, header: str) -> tuple[str, ...]:
    found = {
        parse_enum(part, header, INDICATORS) for part in _split_list(text) if part not in ("无", "-", "—")
    }
    return tuple(name for name in INDICATORS if name in found)


# ---------------------------------------------------------------- export


def render_value(ctx: SheetContext, column: Column, value: Any, lang: str) -> str:
    """A canonical value as a cell: names and labels for people; import reads every form back."""
    if value is None or value == () or value == "":
        return ""
    kind = column.type
    sep = ", " if lang == "en" else "、"
    if kind == "unit":
        return ctx.unit_label(value, scoped=column.field != "unit")
    if kind == "enum":
        return _label(value, lang)
    if kind == "cadre":
        return ctx.cadre_label(value)
    if kind == "cadres":
        return sep.join(ctx.cadre_label(cid) for cid in value)
    if kind == "risks":
        return sep.join(_label(name, lang) for name in value)
    if kind == "bool":
        return ("yes" if value else "no") if lang == "en" else ("是" if value else "否")
    if kind == "info":
        return sep.join(value) if isinstance(value, tuple) else str(value)
    return str(value)


@dataclass(frozen=True)
class ExportTable:
    """What `export` writes: the kind's columns and its rows, read from the files as they are written (issue 19: a
    county's million visits held at once took 2.5 GB). `records` is an iterator: a table is written once."""

    kind: str
    columns: tuple[Column, ...]
    headers: list[str]
    records: Iterator[dict[str, Any]]  # canonical values (JSON), in the export's order
    ctx: SheetContext
    lang: str

    def cells(self) -> Iterator[list[str]]:
        """The rows rendered for people (xlsx/csv), numbered from 1."""
        ctx, columns, lang = self.ctx, self.columns, self.lang
        for number, record in enumerate(self.records, start=1):
            yield [
                str(number)
                if column.field == "seq"
                else render_value(ctx, column, record.get(column.field), lang)
                for column in columns
            ]


# Rows read (and, for items, their households and visits looked up in the index) a batch at a time.
EXPORT_BATCH = 1000


def export_table(
    ledger: Ledger,
    kind: str,
    *,
    state: str | None = None,
    unit: str | None = None,
    lang: str = "zh",
    reveal: Callable[[str | None, str], str | None] | None = None,
) -> ExportTable:
    """The rows of one kind, filtered, in the export's order: households by village, group, head and id; cadres by
    unit, name and id; visits by date and id; items by creation day and id. The options are checked here, before
    anything is read; the rows are read as the table is written. `reveal` (privacy.unmasking) puts back the full
    ID numbers and phones this machine's vault holds, for the roles allowed to see them (the table must be written
    inside that block); everyone else gets the masked forms the files hold."""
    kind = F.choice(kind, "--kind", KINDS)
    ctx = SheetContext(ledger)
    prefix = ledger.unit(unit).code if unit else None
    records: Iterator[dict[str, Any]]
    if kind == "households":
        if state:
            state = F.choice(state, "--state", HOUSEHOLD_STATUS)
        records = _household_records(ledger, ctx, prefix, state, reveal)
    elif kind == "cadres":
        if state:
            state = F.choice(state, "--state", CADRE_STATUS)
        records = _cadre_records(ctx, prefix, state, reveal)
    elif kind == "visits":
        if state:
            raise BadInput("exclusive", field="--state", other="--kind visits")
        records = _visit_records(ledger, ctx, prefix)
    else:
        if state:
            state = F.choice(state, "--state", (*STATES, "open"))
        records = _item_records(ledger, ctx, prefix, state)
    columns = tuple(column for column in COLUMNS[kind] if column.export)
    headers = [column.en if lang == "en" else column.zh for column in columns]
    return ExportTable(kind, columns, headers, records, ctx, lang)


def _listed(index: Any, ledger: Ledger, kind: str, sql: str, prefix: str | None) -> list[tuple[str, str]]:
    """(id, path) of the rows `sql` selects from `index` (an open Index; its `:P`/`:PL` a unit prefix, a superset
    the rows read are filtered on again), in the export's order. A file of `kind` the index could not read is
    refused naming it, as reading it does: an export never leaves an entry out."""
    for rel, error in index.problems():
        found, entry_id = layout.classify(rel)
        if found == kind and entry_id:
            _read_entity(ledger, rel, entry_id, lambda data, source: data)
            raise CorruptFile("corrupt_file", path=rel, line=1, detail=error)
    return index.conn.execute(sql, {"P": prefix or "", "PL": len(prefix or "")}).fetchall()


def _read_listed(ledger: Ledger, listed: list[tuple[str, str]], factory: Any) -> Iterator[list[Any]]:
    """The entities `listed` names, read from their files a batch at a time."""
    for start in range(0, len(listed), EXPORT_BATCH):
        yield [
            _read_entity(ledger, rel, entry_id, factory)
            for entry_id, rel in listed[start : start + EXPORT_BATCH]
        ]


_IN_UNIT = "(substr(unit, 1, :PL) = :P OR substr(village, 1, :PL) = :P)"


def _household_records(
    ledger: Ledger,
    ctx: SheetContext,
    prefix: str | None,
    state: str | None,
    reveal: Callable[[str | None, str], str | None] | None,
) -> Iterator[dict[str, Any]]:
    from ..read.index import Index

    with Index.open(ledger) as index:
        listed = _listed(
            index,
            ledger,
            "household",
            f"SELECT id, path FROM households WHERE {_IN_UNIT} ORDER BY village, coalesce(grp, ''), head, id",
            prefix,
        )
    for homes in _read_listed(ledger, listed, Household.from_dict):
        for home in homes:
            if (prefix and not home.unit.startswith(prefix)) or (state and home.status != state):
                continue
            record = household_values(ctx, home)
            if reveal is not None:
                record["id_number"] = reveal(home.id_hash, home.id) or record["id_number"]
                record["phone"] = reveal(home.phone_hash, home.id) or record["phone"]
            yield record


def _cadre_records(
    ctx: SheetContext,
    prefix: str | None,
    state: str | None,
    reveal: Callable[[str | None, str], str | None] | None,
) -> Iterator[dict[str, Any]]:
    # A county's cadres are a few thousand: read at once, as every command that names them does.
    for cadre in sorted(ctx.cadres.values(), key=lambda c: (c.unit, c.name, c.id)):
        if (prefix and not cadre.unit.startswith(prefix)) or (state and cadre.status != state):
            continue
        record = cadre_values(ctx, cadre)
        if reveal is not None:
            record["phone"] = reveal(cadre.phone_hash, cadre.id) or record["phone"]
        yield record


def _visit_records(ledger: Ledger, ctx: SheetContext, prefix: str | None) -> Iterator[dict[str, Any]]:
    from ..read.index import Index
    from ..read.queries import visit_months

    with Index.open(ledger) as index:  # one for the whole export: each month's heads are looked up in it
        for month in visit_months(ledger):
            ctx.index_facts(index, {v.household for v in month if v.household}, ())
            for visit in month:
                if not prefix or (visit.unit or visit.village).startswith(prefix):
                    yield visit_values(ctx, visit)


def _item_records(
    ledger: Ledger, ctx: SheetContext, prefix: str | None, state: str | None
) -> Iterator[dict[str, Any]]:
    from ..read.index import Index

    with Index.open(ledger) as index:  # one for the whole export: each batch's heads and visits come from it
        # Voided items are exported too (their state says so), as every item file is.
        listed = _listed(
            index,
            ledger,
            "item",
            f"SELECT id, path FROM (SELECT id, path, created, unit, unit AS village FROM items UNION ALL"
            f" SELECT id, path, created, unit, unit FROM voided_items) WHERE {_IN_UNIT} ORDER BY created, id",
            prefix,
        )
        for items in _read_listed(ledger, listed, item_from_dict):
            ctx.index_facts(
                index, {i.household for i in items if i.household}, {i.visit for i in items if i.visit}
            )
            for item in items:
                if (prefix and not item.unit.startswith(prefix)) or (
                    state and not (item.state == state or state == "open" and item.is_open)
                ):
                    continue
                yield item_values(ctx, item)


def export_json(table: ExportTable) -> Iterator[dict[str, Any]]:
    return (
        {key: list(value) if isinstance(value, tuple) else value for key, value in record.items()}
        for record in table.records
    )


def write_export(table: ExportTable, fmt: str, out: str | Path, encoding: str | None = None) -> int:
    """Writes the table to `out` and returns its rows. The file is written beside `out` and renamed over it when
    whole: a refusal or a file that cannot be read half way leaves `out` as it was."""
    import codecs

    fmt = F.choice(fmt, "--format", FORMATS)
    encoding = encoding or "utf-8-sig"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise BadInput(
            "bad_value", field="--encoding", value=encoding, accepted="|".join(ENCODINGS)
        ) from None
    target = Path(out)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        try:
            if fmt == "xlsx":
                rows = _write_xlsx(table, partial)
            elif fmt == "csv":
                with partial.open("w", encoding=encoding, newline="") as sink:
                    rows = write_csv(table, sink, str(out), encoding)
            else:
                with partial.open("w", encoding="utf-8") as sink:
                    rows = _write_json(export_json(table), sink)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    except OSError as exc:
        raise BadInput(
            "out_unwritable", field="--out", value=str(out), detail=exc.strerror or str(exc)
        ) from None
    return rows


def _write_json(records: Iterable[Any], sink: Any) -> int:
    """`json.dumps(list(records), indent=2)` and a line break, written an element at a time; returns the count."""
    count = 0
    for chunk in json_array(records):
        sink.write(chunk)
        count += 1
    return count - 1  # the last chunk closes the array


def write_csv(table: ExportTable, sink: Any, out: str = "-", encoding: str = "utf-8") -> int:
    """The CSV (header, then the rows) to an open text file, returning the rows; a row the file's encoding cannot
    hold is refused naming its line (the header is line 1)."""
    writer = csv.writer(sink, lineterminator="\r\n")
    rows = 0
    try:
        writer.writerow([inert_csv_cell(header) for header in table.headers])
        for rows, row in enumerate(table.cells(), start=1):  # noqa: B007 - counted
            writer.writerow([inert_csv_cell(cell) for cell in row])
    except UnicodeEncodeError:
        raise BadInput("bad_encoding", path=out, encoding=encoding, line=rows + 1) from None
    return rows


# Formula injection (OWASP, "CSV Injection"): Excel, WPS and LibreOffice run a cell that starts with one of these as
# a formula (=HYPERLINK(…) sends a click to any address, =cmd|… once ran programs). A household head or a note typed
# by anyone must reach the clerk who opens the export as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _quoted_formula(text: str) -> bool:
    """Starts, after any leading quote marks, with a formula character: the cells the CSV quote applies to."""
    return text.lstrip("'").startswith(FORMULA_STARTS)


def inert_csv_cell(text: str) -> str:
    """A CSV cell as OWASP advises: a leading `'` makes a formula-looking cell text. A value that already starts
    with quotes before such a character gets one more, so `from_csv_cell` gives every value back exactly."""
    return "'" + text if _quoted_formula(text) else text


def from_csv_cell(text: str) -> str:
    """Undoes `inert_csv_cell`: the `'` is dropped exactly where the export put it, so export → import is exact."""
    return text[1:] if text.startswith("'") and _quoted_formula(text) else text


_TITLES = {"households": "农户台账", "cadres": "干部名册", "visits": "走访台账", "issues": "问题台账"}


def _write_xlsx(table: ExportTable, target: Path) -> int:
    import itertools

    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_TITLES[table.kind])
    rows = table.cells()
    first = list(itertools.islice(rows, 500))  # the columns are as wide as the first rows need
    widths = [max([_width(h)] + [_width(row[i]) for row in first]) for i, h in enumerate(table.headers)]
    for index, width in enumerate(widths):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index + 1)].width = min(
            max(width + 2, 6), 60
        )
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in table.headers:
        cell = _text_cell(WriteOnlyCell(sheet, value=header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for count, row in enumerate(itertools.chain(first, rows), start=1):  # noqa: B007 - counted
        # Every cell is text: ID numbers, phones and codes must never become Excel numbers.
        sheet.append([_text_cell(WriteOnlyCell(sheet, value=value)) if value else None for value in row])
    book.save(target)
    return count


def _text_cell(cell: Any) -> Any:
    """openpyxl stores a string starting with `=` as a formula and one like `#N/A` as an error; a string cell
    (`t="inlineStr"`) is what the ledger holds, shown as typed and never run (formula injection, OWASP)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def _width(text: str) -> int:
    from wcwidth import wcswidth

    first = text.split("\n", 1)[0]
    width = wcswidth(first)
    return width if width >= 0 else len(first)
