"""The message catalog: every user-facing sentence in zh-CN and en, keyed. One place, so both languages stay complete."""

from __future__ import annotations

import os
from typing import Any

# key -> (zh, en). Parameters use str.format names.
MESSAGES: dict[str, tuple[str, str]] = {
    "bad_value": (
        "{field} 的值“{value}”无效：应为 {accepted}",
        "{field}: invalid value '{value}'; accepted: {accepted}",
    ),
    "required": ("缺少必填项 {field}：应为 {accepted}", "{field} is required; accepted: {accepted}"),
    "empty_text": ("{field} 不能为空：应为非空文字", "{field} must not be empty; accepted: non-empty text"),
    "control_chars": (
        "{field} 含有控制字符：只接受可打印文字",
        "{field} contains control characters; accepted: printable text",
    ),
    "too_long": (
        "{field} 过长（{length} 字符）：最多 {limit} 字符",
        "{field} is too long ({length} characters); at most {limit}",
    ),
    "bad_date": (
        "{field} 的日期“{value}”无效：应为 YYYY-MM-DD 格式的真实日期",
        "{field}: '{value}' is not a valid date; accepted: a real date as YYYY-MM-DD",
    ),
    "future_date": (
        "{field} 的日期“{value}”在将来：最晚为 {today}",
        "{field}: '{value}' is in the future; accepted: {today} or earlier",
    ),
    "date_order": (
        "{field}“{value}”早于 {other}：应晚于 {other}",
        "{field}: '{value}' is before {other}; accepted: a later date",
    ),
    "bad_id_number": (
        "身份证号“{value}”无效（{why}）：应为 18 位且校验码正确（GB 11643）",
        "id number '{value}' is invalid ({why}); accepted: 18 characters with a correct GB 11643 check digit",
    ),
    "bad_phone": (
        "电话“{value}”无效：应为 11 位手机号或带区号的固定电话",
        "phone '{value}' is invalid; accepted: an 11-digit mobile number or a landline with area code",
    ),
    "bad_code": (
        "{field} 的代码“{value}”无效：{accepted}",
        "{field}: code '{value}' is invalid; accepted: {accepted}",
    ),
    "unknown_code": (
        "{field} 的单位代码“{value}”不在组织树中：先用 minqing org add 添加",
        "{field}: unit code '{value}' is not in the org tree; add it with minqing org add",
    ),
    "code_exists": ("单位代码“{value}”已存在（{name}）", "unit code '{value}' already exists ({name})"),
    "wrong_level": (
        "{field}“{value}”是{actual}级单位：应为{expected}级",
        "{field}: '{value}' is a {actual} unit; accepted: a {expected} unit",
    ),
    "not_found": ("没有与“{value}”匹配的{kind}", "no {kind} matches '{value}'"),
    "ambiguous": ("“{value}”匹配多个{kind}：{matches}", "'{value}' matches several {kind}s: {matches}"),
    "bad_id": (
        "{field} 的编号“{value}”无效：应为 {prefix}- 加 6 位字符（如 {prefix}-7K3M2Q），或其唯一前缀",
        "{field}: '{value}' is not an id; accepted: {prefix}- and 6 Crockford characters (e.g. {prefix}-7K3M2Q) or a unique prefix",
    ),
    "no_actor": (
        "未指定操作人：用 --as C-…、MINQING_USER 或 git config minqing.user 指定",
        "no acting cadre: give --as C-…, MINQING_USER or git config minqing.user",
    ),
    "actor_recalled": (
        "操作人 {actor}（{name}）已被召回，不能操作台账",
        "acting cadre {actor} ({name}) is recalled and may not change the ledger",
    ),
    "role_not_allowed": (
        "{actor}（{role}）无权执行“{op}”：允许的角色为 {allowed}",
        "{actor} ({role}) may not do {op}; allowed roles: {allowed}",
    ),
    "close_not_allowed": (
        "{actor}（{role}）无权对{level}级事项销号：允许的角色为 {allowed}",
        "{actor} ({role}) may not close a {level}-level item; allowed roles: {allowed}",
    ),
    "transition": ("{item} 当前状态为“{state}”，不能{op}：{hint}", "{item} is {state}; cannot {op}: {hint}"),
    "busy": (
        "台账正被其他操作占用（{holder}），{seconds} 秒后仍未释放：请稍后重试",
        "the ledger is busy ({holder}); lock not released after {seconds}s: retry later",
    ),
    "not_a_ledger": (
        "“{path}”不是民情台账目录（找不到 minqing.yaml）：用 minqing init 创建或用 -C 指定",
        "'{path}' is not a minqing ledger (no minqing.yaml found); create one with minqing init or point -C at one",
    ),
    "not_empty": (
        "“{path}”不是空目录，也不是台账：应为不存在或空的目录",
        "'{path}' is not empty and not a ledger; accepted: a new or empty directory",
    ),
    "already_ledger": ("“{path}”已经是台账", "'{path}' is already a ledger"),
    "git_failed": ("git 执行失败：{detail}", "git failed: {detail}"),
    "io_failed": ("写入失败：{detail}（台账未改动）", "write failed: {detail} (the ledger was not changed)"),
    "corrupt_file": (
        "{path}:{line}: {detail}（运行 minqing check 查看全部问题）",
        "{path}:{line}: {detail} (run minqing check for all findings)",
    ),
    "duplicate": (
        "{field}“{value}”已登记为 {existing}",
        "{field} '{value}' is already registered as {existing}",
    ),
    "already_paired": ("{cadre} 已与 {household} 结对", "{cadre} is already paired with {household}"),
    "not_paired": ("{cadre} 未与 {household} 结对", "{cadre} is not paired with {household}"),
    "already_recalled": ("{cadre} 已被召回", "{cadre} is already recalled"),
    "petition_extension": ("信访事项 {item} {why}", "petition {item}: {why}"),
    "mismatch_count": (
        "{field} 给了 {given} 个，但 --raise 只有 {raised} 个",
        "{given} {field} given but only {raised} --raise",
    ),
    "dirty_tree": (
        "工作区有未提交的台账文件改动（{paths}）：先运行 minqing doctor",
        "the working tree has uncommitted ledger changes ({paths}); run minqing doctor first",
    ),
}

# Labels for enum values and column headers, zh-CN / en.
LABELS: dict[str, tuple[str, str]] = {
    "registered": ("已登记", "registered"),
    "assigned": ("已交办", "assigned"),
    "in_progress": ("办理中", "in progress"),
    "resolved": ("已办结", "resolved"),
    "closed": ("已销号", "closed"),
    "problem": ("问题", "problem"),
    "appeal": ("诉求", "appeal"),
    "petition": ("信访", "petition"),
    "wish": ("微心愿", "wish"),
    "suggestion": ("建议", "suggestion"),
    "livelihood": ("民生诉求", "livelihood"),
    "hardship": ("困难群众", "hardship"),
    "stability": ("稳定工作", "stability"),
    "income": ("收入就业", "income/employment"),
    "education": ("教育", "education"),
    "medical": ("医疗", "medical"),
    "housing": ("住房", "housing"),
    "water": ("饮水", "drinking water"),
    "infrastructure": ("基础设施", "infrastructure"),
    "industry": ("产业", "industry"),
    "policy": ("政策咨询", "policy question"),
    "other": ("其他", "other"),
    "village": ("村", "village"),
    "township": ("乡镇", "township"),
    "county": ("县（区）", "county"),
    "group": ("组", "group"),
    "solved": ("已解决", "solved"),
    "explained": ("政策解释", "explained"),
    "on_the_spot": ("现场解决", "on the spot"),
    "fulfilled": ("已圆梦", "fulfilled"),
    "satisfied": ("满意", "satisfied"),
    "basic": ("基本满意", "basic"),
    "unsatisfied": ("不满意", "unsatisfied"),
    "poor": ("脱贫户", "poor"),
    "lifted": ("已脱贫", "lifted"),
    "monitored": ("监测户", "monitored"),
    "general": ("一般户", "general"),
    "active": ("在岗", "active"),
    "recalled": ("已召回", "recalled"),
    "clerk": ("录入员", "clerk"),
    "township_leader": ("乡镇领导", "township leader"),
    "county_leader": ("县级领导", "county leader"),
    "admin": ("管理员", "admin"),
    "visit": ("走访", "visit"),
    "talk": ("谈心谈话", "talk"),
    "stay": ("蹲点", "stay"),
    "item": ("事项", "item"),
    "cadre": ("干部", "cadre"),
    "household": ("农户", "household"),
    "unit": ("单位", "unit"),
}

OP_LABELS: dict[str, tuple[str, str]] = {
    "create": ("登记", "register"),
    "assign": ("交办", "assign"),
    "progress": ("记录进展", "record progress"),
    "escalate": ("上报", "escalate"),
    "resolve": ("办结", "resolve"),
    "feedback": ("回访", "record feedback"),
    "close": ("销号", "close"),
    "reopen": ("重新打开", "reopen"),
    "extend": ("延期", "extend"),
    "claim": ("认领", "claim"),
}


def current_lang() -> str:
    lang = os.environ.get("MINQING_LANG", "zh")
    return "en" if lang.lower().startswith("en") else "zh"


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def render(key: str, lang: str = "zh", **params: Any) -> str:
    template = MESSAGES.get(key)
    if template is None:
        return f"{key}: {params}"
    shown = {
        name: label(value, lang) if name in _ENUM_PARAMS and isinstance(value, str) else value
        for name, value in params.items()
    }
    return _pick(template, lang).format(**shown)


# Parameters whose values are enum codes and are shown by their label in the chosen language.
_ENUM_PARAMS = {"state", "level", "actual", "expected", "kind"}


def label(value: str | None, lang: str = "zh") -> str:
    if value is None:
        return ""
    pair = LABELS.get(value) or OP_LABELS.get(value)
    return _pick(pair, lang) if pair else value
