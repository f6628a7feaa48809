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
    "unknown_id": (
        "{field}：没有与“{value}”匹配的{kind}：应为台账中已有的{kind}编号或其唯一前缀",
        "{field}: no {kind} matches '{value}'; accepted: the id (or a unique prefix) of an existing {kind}",
    ),
    "why_id_length": ("{length} 位", "{length} characters"),
    "why_id_digits": ("前 17 位须为数字，末位为数字或 X", "17 digits then a digit or X"),
    "why_id_birth": ("出生日期不存在", "no such birth date"),
    "why_id_check": ("校验码不符", "wrong check digit"),
    # personal data in free text (issue 14)
    "pii_id_number": ("身份证号", "ID number"),
    "pii_mobile": ("手机号", "mobile number"),
    "pii_in_text": (
        "{field} 含有完整的{what}（{shown}）：按 minqing.yaml 的 pii_in_text: refuse 不予写入；应为不含证件号、手机号的文字（号码请填入 --id-number / --phone）",
        "{field} holds a full {what} ({shown}); refused by minqing.yaml pii_in_text: refuse; accepted: text without ID or phone numbers (put them in --id-number / --phone)",
    ),
    "audit_period_closed": (
        "{what} 的日期 {day} 在已报送的 {month}（{unit}）之内，却没有补录标记（late）：报送后的改动须用 --late --reason 记录",
        "{what} is dated {day}, inside {month} reported for {unit}, without the late marker; after a period is closed changes need --late --reason",
    ),
    "audit_revision_outside_op": (
        "{entry} 是更正或作废记录，但本次操作 {op} 不写这种记录（或写法不对）",
        "{entry} is a correcting or voiding document, which operation {op} does not write (or not in this form)",
    ),
    "audit_revision_unknown": (
        "{entry} 更正或作废的 {target} 不在它应在的流文件中",
        "{entry} corrects or voids {target}, which is not in the stream file it must be in",
    ),
    "audit_personal_data": (
        "提交写入了完整的{what}（{shown}）：台账只记录遮盖后的号码和密钥哈希；它已在 git 历史中，处理办法见 docs/guide/guarantees.md",
        "the commit wrote a full {what} ({shown}); accepted: masked numbers and keyed hashes only; it is in git's history now, see docs/guide/guarantees.md",
    ),
    "check_personal_data": (
        "含有完整的{what}（{shown}）：台账只记录遮盖后的号码和密钥哈希；请管理员更正该条目并按 docs/guide/guarantees.md 处理已进入 git 的号码",
        "holds a full {what} ({shown}); accepted: only masked numbers and keyed hashes; an admin must correct the entry and deal with the number already in git (docs/guide/guarantees.md)",
    ),
    "identity_unproven": (
        "不能以 {actor}（{name}）的身份执行 {what}：minqing.yaml 要求签名（require_signed），本机没有该干部登记的私钥；应由本人在本机运行 minqing cadre key use {actor} 私钥文件",
        "cannot act as {actor} ({name}) for {what}: minqing.yaml requires signing (require_signed) and this machine holds no key registered for them; accepted: the cadre runs minqing cadre key use {actor} KEYFILE here",
    ),
    # corrections in the streams (issue 15)
    "nothing_to_correct": (
        "{id} 没有要更正的内容：给出的值与原记录相同；应给出至少一个不同的值",
        "{id}: nothing to correct, the values given are those recorded; accepted: at least one different value",
    ),
    "stream_voided": (
        "{field}：{value} 已由 {void} 作废：已作废的记录不能再更正或作废",
        "{field}: {value} was voided by {void}; a voided record cannot be corrected or voided again",
    ),
    "items_of_voided_visit": (
        "该次走访登记的事项仍在台账上：{items}；如也是误录，请逐项 minqing issue void ID --reason …",
        "items raised during that visit are still on the ledger: {items}; if they were mistakes too, void each with minqing issue void ID --reason …",
    ),
    # reporting periods (issue 15)
    "period_closed": (
        "{field} 的日期 {value} 在已报送的 {month}（{unit}，{by} 报送）之内：不再接受；如确需补录，请加 --late --reason 说明原因",
        "{field}: {value} is inside {month}, reported for {unit} by {by} and closed; accepted: a date in an open period, or --late --reason to record it late",
    ),
    "period_already_closed": (
        "{month}（{unit}）已由 {by} 报送：如需重新报送，请管理员先 minqing period reopen",
        "{month} ({unit}) is already closed by {by}; an admin reopens it first (minqing period reopen)",
    ),
    "period_not_closed": (
        "{month}（{unit}）尚未报送：应为已报送的月份",
        "{month} ({unit}) has not been closed; accepted: a closed period",
    ),
    "period_outside_unit": (
        "{actor} 属于 {own}，不能报送 {unit}：只能报送本单位或下级单位",
        "{actor} belongs to {own} and may not close {unit}; accepted: their own unit or one below it",
    ),
    "acc_month_ended": ("已经结束的月份 YYYY-MM", "a month that has ended, YYYY-MM"),
    # undo (issue 15)
    "undo_nothing": (
        "{actor} 还没有做过任何操作：没有可撤销的",
        "{actor} has made no operation; nothing to undo",
    ),
    "undo_unsupported": (
        "最近一次操作 {op}（{commit}）不能撤销：请用 {hint} 更正",
        "the last operation {op} ({commit}) cannot be undone; correct it with {hint}",
    ),
    "undo_not_today": (
        "最近一次操作 {op}（{commit}）是 {day} 做的：只能撤销当天的操作，请用更正命令",
        "the last operation {op} ({commit}) was made on {day}; only today's can be undone, correct it instead",
    ),
    "undo_depended_on": (
        "最近一次操作 {op}（{commit}）之后已有操作基于它：{later}；不能撤销，请用更正命令",
        "later operations build on the last operation {op} ({commit}): {later}; it cannot be undone, correct it instead",
    ),
    "registered_on": ("{id} 的建档日期 {day}", "{id}'s registration on {day}"),
    "pii_masked": (
        "已遮盖 {fields} 中的{what}：完整号码不写入台账和 git",
        "masked {what} in {fields}: full numbers are never written to the ledger or git",
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
    "already_ledger": (
        "“{path}”已经是台账：应为不存在或空的目录",
        "'{path}' is already a ledger; accepted: a new or empty directory",
    ),
    "inside_ledger": (
        "“{path}”位于台账 {ledger} 之内：新台账应建在任何台账之外",
        "'{path}' is inside the ledger {ledger}; accepted: a directory outside any ledger",
    ),
    "git_failed": ("git 执行失败：{detail}", "git failed: {detail}"),
    "io_failed": ("写入失败：{detail}（台账未改动）", "write failed: {detail} (the ledger was not changed)"),
    "corrupt_file": (
        "{path}:{line}: {detail}（运行 minqing check 查看全部问题）",
        "{path}:{line}: {detail} (run minqing check for all findings)",
    ),
    # minqing check (ledgers/check.py): one finding per line, `path:line: message`
    "check_unexpected_path": (
        "文件不在台账目录结构内：此处应为 {accepted}",
        "file is not part of the ledger layout; accepted here: {accepted}",
    ),
    "check_not_regular": (
        "不是普通文件（符号链接等）：台账只接受普通文件",
        "not a regular file (a symlink or similar); accepted: plain files",
    ),
    "check_not_utf8": ("文件不是 UTF-8 编码：应以 UTF-8 保存", "file is not UTF-8; accepted: UTF-8 text"),
    "check_yaml_alias": (
        "含 YAML 锚点或别名（& 或 *）：台账文件只接受直接写出的值",
        "YAML anchor or alias (& or *) found; accepted: values written out in full",
    ),
    "check_yaml_tag": (
        "含 YAML 标签 {detail}：台账文件只接受不带标签的普通 YAML",
        "YAML tag {detail} found; accepted: plain YAML without tags",
    ),
    "check_duplicate_key": (
        "键“{detail}”重复：每个键只能出现一次",
        "duplicate key '{detail}'; accepted: each key once",
    ),
    "check_too_large": (
        "文件过大（{detail} 字符）：应在上限之内",
        "file too large ({detail} characters); accepted: within the limit",
    ),
    "check_nul_bytes": ("文件含 NUL 字节：应为纯文本", "file contains NUL bytes; accepted: plain text"),
    "check_yaml_syntax": ("YAML 语法错误：{detail}", "YAML syntax error: {detail}"),
    "check_not_mapping": (
        "文件内容应为键值映射，实际为“{value}”",
        "the document must be a mapping of keys, not '{value}'",
    ),
    "check_unknown_key": (
        "未知的键 {field}：可用的键为 {accepted}",
        "unknown key {field}; accepted keys: {accepted}",
    ),
    "check_accept_real_date": ("真实存在的日期 YYYY-MM-DD", "a real date YYYY-MM-DD"),
    "check_accept_unique": ("不含重复项的列表", "a list without repeats"),
    "check_accept_code_length": ("{level}代码为 {digits} 位数字", "{digits} digits for a {level}"),
    "check_accept_extends": (
        "以上级代码 {parent} 开头的代码",
        "a code that starts with its parent's {parent}",
    ),
    "check_accept_group": ("村 {village} 下的组", "a group of village {village}"),
    "check_type_text": ("文字", "text"),
    "check_type_integer": ("整数", "a whole number"),
    "check_type_number": ("数字", "a number"),
    "check_type_list": ("列表", "a list"),
    "check_type_mapping": ("键值映射", "a mapping"),
    "check_type_boolean": ("true 或 false", "true or false"),
    "check_type_null": ("null", "null"),
    "check_misnamed": (
        "文件名与 id {value} 不符：应命名为 {want}",
        "the file name does not match id {value}; accepted: {want}",
    ),
    "check_misplaced": (
        "{field} 为“{value}”，与文件所在位置不符：应位于 {want}",
        "{field} is '{value}', which does not match where the file is; accepted: {want}",
    ),
    "check_unknown_ref": (
        "{field} 引用的{kind} {value} 不存在：应为台账中已有的{kind}",
        "{field}: {kind} {value} does not exist; accepted: an existing {kind}",
    ),
    "check_unpaired": (
        "{field} 为 {value}，但 {place} 的 pairings 中没有 {me}：结对须在双方文件中都有记录",
        "{field} is {value} but {place} does not list {me} in its pairings; accepted: a pairing on both sides",
    ),
    "check_closed_unresolved": (
        "history[{index}] 销号前没有办结（resolve）：应先办结、回访满意或基本满意，再销号",
        "history[{index}] closes without a resolve before it; accepted: resolve, satisfied/basic feedback, then close",
    ),
    "check_closed_without_feedback": (
        "history[{index}] 销号前没有满意或基本满意的回访，也没有销号原因：应先回访，或注明原因",
        "history[{index}] closes without satisfied/basic feedback and without a reason; accepted: feedback first, or a reason",
    ),
    "check_illegal_history": (
        "history[{index}]（{op}）不合办理流程：{why}",
        "history[{index}] ({op}) is not a legal step: {why}",
    ),
    "check_op_field": (
        "history[{index}]（{op}）缺少字段 fields.{name}：应为该操作的完整参数",
        "history[{index}] ({op}) lacks fields.{name}; accepted: the operation's full parameters",
    ),
    "check_snapshot": (
        "{field} 为“{value}”，但按 history 重放应为“{replayed}”：快照须与历史一致（是否手工改过？）",
        "{field} is '{value}' but replaying history gives '{replayed}'; accepted: a snapshot equal to its history",
    ),
    "check_history_order": (
        "history[{index}] 的时间 {value} 早于上一条的 {other}：历史时间不能倒退",
        "history[{index}] at {value} is before the previous entry's {other}; accepted: times that never go back",
    ),
    "check_duplicate_op_id": (
        "history 条目编号 {value} 已用于 {other}：每条编号在台账中唯一",
        "history entry id {value} is also used at {other}; accepted: ids unique in the ledger",
    ),
    "check_duplicate_id": (
        "编号 {value} 已用于 {other}：每个编号只能用一次",
        "id {value} is also used at {other}; accepted: each id once",
    ),
    "check_duplicate_id_hash": (
        "身份证号（id_hash）与 {other} 相同：同一人只能登记一次",
        "same ID number (id_hash) as {other}; accepted: each person registered once",
    ),
    "check_county_mismatch": (
        "县代码 {value} 与 org/units.yaml 中的 {other} 不一致：两处应为同一个县",
        "county code {value} differs from {other} in org/units.yaml; accepted: the same county in both",
    ),
    "duplicate": (
        "{field}“{value}”已登记为 {existing}",
        "{field} '{value}' is already registered as {existing}",
    ),
    "already_paired": ("{cadre} 已与 {household} 结对", "{cadre} is already paired with {household}"),
    "not_paired": ("{cadre} 未与 {household} 结对", "{cadre} is not paired with {household}"),
    "already_recalled": ("{cadre} 已被召回", "{cadre} is already recalled"),
    "petition_extension": ("信访事项 {item} {why}", "petition {item}: {why}"),
    "last_admin": (
        "{cadre}（{name}）是最后一名在岗管理员，不能召回：应先用 cadre add --role admin 添加另一名管理员",
        "{cadre} ({name}) is the last active admin and cannot be recalled; accepted: add another admin first"
        " (cadre add --role admin)",
    ),
    "mismatch_count": (
        "{field} 给了 {given} 个，--raise 有 {raised} 个：{field} 按位置与 --raise 对应，每个 --raise 一个"
        "（--on-spot 可少给，用 '' 跳过）",
        "{field} given {given} time(s) for {raised} --raise; accepted: one {field} per --raise, in the same order"
        " (--on-spot may stop early or skip one with '')",
    ),
    "dirty_tree": (
        "工作区有未提交的台账文件改动（{paths}）：先运行 minqing doctor",
        "the working tree has uncommitted ledger changes ({paths}); run minqing doctor first",
    ),
    # crash safety (issue 10)
    "interrupted": (
        "上一次操作“{subject}”在提交前中断：先运行 minqing doctor --fix 完成或撤销它",
        "the operation '{subject}' was interrupted before its commit; run minqing doctor --fix to finish or undo it",
    ),
    "rollback_failed": (
        "操作失败（{detail}），且未能恢复 {paths}：运行 minqing doctor --fix（已提交的记录不受影响）",
        "the operation failed ({detail}) and {paths} could not be restored; run minqing doctor --fix "
        "(committed records are not affected)",
    ),
    "doctor_interrupted": (
        "命令“{subject}”在提交前被中断，但文件已全部写好：{paths}（修复：按原样完成这次提交）",
        "the command '{subject}' was interrupted before its commit with every file written: {paths} "
        "(fix: make its commit as it would have been made)",
    ),
    "doctor_interrupted_fixed": (
        "已完成被中断的提交 {commit}：{subject}",
        "finished the interrupted commit {commit}: {subject}",
    ),
    "doctor_interrupted_partial": (
        "命令“{subject}”在写文件途中被中断：{paths}（修复：撤销，恢复为最近一次提交的版本）",
        "the command '{subject}' was interrupted while writing {paths} (fix: undo it, back to the last commit)",
    ),
    "doctor_interrupted_partial_fixed": (
        "已撤销被中断的命令“{subject}”：{paths} 已恢复为最近一次提交的版本（请重新录入）",
        "undid the interrupted command '{subject}': {paths} are back to the last commit (enter it again)",
    ),
    "doctor_git_lock": (
        "被中断的 git 进程留下了锁文件 {paths}，之后的提交都会失败（修复：删除）",
        "a killed git process left the lock files {paths}; every later commit fails on them (fix: remove them)",
    ),
    "doctor_git_lock_fixed": ("已删除 git 锁文件 {paths}", "removed the git lock files {paths}"),
    "doctor_packing_ref": (
        "被中断的导入留下了临时引用 {ref}（台账未受影响；修复：删除）",
        "an interrupted import left the temporary ref {ref} (the ledger is unaffected; fix: remove it)",
    ),
    "doctor_packing_ref_fixed": ("已删除临时引用 {ref}", "removed the temporary ref {ref}"),
    "index_unwritable": (
        "索引缓存 {path} 无法写入（{detail}）：本次在临时目录中建立，结果不受影响",
        "the index cache {path} cannot be written ({detail}); built in a temp directory for this command",
    ),
    "git_locked": (
        "git 锁文件 {path} 已存在（另一个 git 正在运行，或被中断的 git 留下）：若没有 git 在运行，运行 minqing doctor --fix",
        "the git lock file {path} exists (another git is running, or a killed one left it); if none is running, "
        "run minqing doctor --fix",
    ),
    # rollups and the index (issue 4)
    "index_corrupt": (
        "索引缓存 {path} 已损坏，已从台账重建",
        "the index cache {path} was corrupt; rebuilt from the ledger",
    ),
    "index_stale": (
        "索引缓存 {path} 的格式已过时，已从台账重建",
        "the index cache {path} has an old format; rebuilt from the ledger",
    ),
    "index_problems": (
        "{count} 个台账文件无法读取，汇总中未计入（如 {path}）：运行 minqing check 查看",
        "{count} ledger file(s) could not be read and are not counted (e.g. {path}); run minqing check",
    ),
    "exclusive": (
        "{field} 不能与 {other} 同时使用：二选一",
        "{field} cannot be combined with {other}; give one",
    ),
    "out_unwritable": (
        "{field} 无法写入“{value}”（{detail}）：应为可写的文件路径",
        "{field}: cannot write '{value}' ({detail}); accepted: a writable file path",
    ),
    "same_county": (
        "--repo {first} 与 {second} 是同一个县（{county}）：每个县只给一次",
        "--repo {first} and {second} hold the same county ({county}); give each county once",
    ),
    "overdue_found": ("{count} 项事项超期（截至 {date}）", "{count} item(s) overdue as of {date}"),
    # rollup --repos-file (issue 19: a city or province over its counties)
    "repos_file_unreadable": (
        "{field} 无法读取“{value}”（{detail}）：应为一个 UTF-8 文本文件，每行一个台账库的路径",
        "{field}: cannot read '{value}' ({detail}); accepted: a UTF-8 text file with one ledger path a line",
    ),
    "repos_file_empty": (
        "{field}“{value}”里没有列出台账库：应为每行一个台账库的路径（空行和 # 开头的注释行不计）",
        "{field}: '{value}' lists no ledger; accepted: one ledger path a line (blank lines and # comments skipped)",
    ),
    "repos_file_line": (
        "{field}“{file}”第 {line} 行“{value}”不是民情台账库：应为台账库本身的目录（含 minqing.yaml 的 git 库；"
        "相对路径从该文件所在目录算起）",
        "{field} '{file}' line {line}: '{value}' is not a minqing ledger; accepted: the folder of a ledger repo "
        "(a git repo with minqing.yaml; relative paths start from the file's folder)",
    ),
    "acc_jobs": (
        "正整数：同时汇总的台账库（工作进程）数，1 为逐个汇总；不设则用全部 CPU 核",
        "a whole number of worker processes, 1 for one ledger after another; unset: every core",
    ),
}

# Reasons shown inside "transition" refusals (the {hint} of MESSAGES["transition"]).
MESSAGES.update(
    {
        "visit_household": (
            "走访 {visit} 是对农户 {household} 的走访：--household 应为 {household}，或不填",
            "visit {visit} was to household {household}; accepted: --household {household} or none",
        ),
        "hint_assign": ("只有未办结的事项才能交办", "only an open item can be assigned"),
        "hint_progress": ("请先交办（issue assign）", "assign it first (issue assign)"),
        "hint_escalate": ("只有未办结的事项才能上报", "only an open item can be escalated"),
        "hint_resolve": ("只有未办结的事项才能办结", "only an open item can be resolved"),
        "hint_feedback": (
            "回访意见在办结之后、销号之前记录",
            "feedback is recorded after resolve and before close",
        ),
        "hint_close": ("请先办结并记录群众回访意见", "resolve it and record the household's feedback first"),
        "hint_reopen": ("只有已销号的事项才能重新打开", "only a closed item can be reopened"),
        "hint_extend": (
            "只有已交办且有时限的事项才能延期",
            "only an assigned item with a due date can be extended",
        ),
        "hint_claim": ("只有未办结的微心愿才能认领", "only an open wish can be claimed"),
        "hint_before_created": (
            "办结日期 {day} 早于登记日期 {created}：不能在登记之前办结",
            "resolved on {day}, before it was registered on {created}; an item is resolved after it is raised",
        ),
        "hint_close_before_resolved": (
            "销号日期 {day} 早于办结日期 {resolved}：应在办结之后销号",
            "closed on {day}, before it was resolved on {resolved}; an item is closed after it is resolved",
        ),
        "hint_feedback_before_resolved": (
            "回访日期 {day} 早于办结日期 {resolved}：应在办结之后回访",
            "feedback on {day}, before it was resolved on {resolved}; feedback comes after the resolve",
        ),
        "hint_voided": ("已作废的事项不能再办理或更正", "a voided item cannot be worked on or corrected"),
        "hint_edit_nothing": (
            "没有要更正的内容：应给出 --desc、--category、--kind、--ledger、--household 或 --unit 之一",
            "nothing to correct; accepted: one of --desc, --category, --kind, --ledger, --household, --unit",
        ),
        "hint_edit_petition": (
            "信访件的法定时限从登记起算：不能改成或改出信访件（应作废后重新登记）",
            "a petition's legal limits run from its registration: an item cannot become or stop being one (void it and register anew)",
        ),
        "hint_edit_claimed_wish": (
            "已被 {by} 认领的微心愿不能改为其他类型",
            "a wish claimed by {by} cannot become another kind",
        ),
        "hint_edit_unit": (
            "更正户时必须同时更正所属单位",
            "a corrected household needs its unit corrected with it",
        ),
        "hint_exists": ("事项已存在", "the item exists"),
        "hint_start_create": ("历史记录必须以登记开始", "the history must start with create"),
        "hint_escalate_higher": (
            "事项已在{level}级：--to 必须更高",
            "the item is already at {level} level; --to must be higher",
        ),
        "hint_fulfilled_wish": ("--how fulfilled 只用于微心愿", "--how fulfilled is for wishes (微心愿)"),
        "hint_close_feedback": (
            "请先记录满意或基本满意的回访，或用 --reason 说明（如联系不上农户）",
            "record satisfied/basic feedback first, or give --reason (e.g. household unreachable)",
        ),
        "hint_extend_later": (
            "新时限必须晚于当前时限 {due}",
            "the new date must be after the current due date {due}",
        ),
        "hint_claim_wish": ("只有微心愿可以认领", "only wishes (微心愿) are claimed"),
        "hint_claimed": ("已被 {by} 认领", "already claimed by {by}"),
        "hint_unknown_op": ("未知操作 {op}", "unknown operation {op}"),
        "progress_counting": ("计数对象", "counting objects"),
        "progress_compressing": ("压缩对象", "compressing objects"),
        "progress_receiving": ("接收对象", "receiving objects"),
        "progress_resolving": ("处理差异", "resolving deltas"),
        "progress_writing": ("发送对象", "writing objects"),
        "create_rules": ("{item} 不符合登记规则：{why}", "{item} breaks the rules for a new item: {why}"),
        "hint_field_not_allowed": ("{op} 不能修改 {fields}", "{op} may not change {fields}"),
        "hint_empty": ("历史记录为空", "empty history"),
        "acc_petition_due": (
            "{due} 或更早（信访事项 {days} 天内答复，信访工作条例）",
            "{due} or earlier (a petition is answered within {days} days, 信访工作条例)",
        ),
        "why_petition_due": (
            "答复期限为 {due}（信访工作条例）：更晚的时限只能用 issue extend 申请",
            "the answer is due by {due} (信访工作条例); accepted: that date or earlier, later only via issue extend",
        ),
        "why_extensions": (
            "最多只能延期 {limit} 次（信访工作条例）",
            "may be extended at most {limit} time(s) (信访工作条例)",
        ),
        "acc_name": ("一行文字，不含 / 或 \\", "a name on one line, no / or \\"),
        "acc_whole_number": ("{minimum}–{maximum} 的整数", "a whole number {minimum}–{maximum}"),
        "acc_county_code": ("6 位数字（GB/T 2260），如 520602", "6 digits (GB/T 2260), e.g. 520602"),
        "acc_one_change": ("至少一项改动", "at least one change"),
        "acc_code_prefix": ("以上级代码 {code} 开头的代码", "a code that starts with the parent's {code}"),
        "acc_group_of": ("村 {code} 下的组代码", "a group of village {code}"),
        "acc_unit_code": (
            "组织树中的单位代码或名称（简称、全称或别名）",
            "the code or a name of a unit in the org tree (short, official or alias)",
        ),
        "acc_cadre_ids": ("一个或多个干部编号 C-…,C-…", "one or more cadre ids C-…,C-…"),
        "acc_household_or_unit": (
            "农户编号 H-…（蹲点可用 --unit 单位代码）",
            "a household id H-… (a stay may give --unit CODE)",
        ),
        "acc_household_for_items": ("登记事项时须给出农户编号", "a household id when items are raised"),
        "acc_date": ("日期 YYYY-MM-DD", "a date YYYY-MM-DD"),
        "why_extension_days": (
            "延期不能超过 {due} 之后 {days} 天",
            "an extension is at most {days} days beyond {due}",
        ),
    }
)

# History, audit, hooks, keys and unmasking (issue 5). Audit findings are `audit_<code>`.
MESSAGES.update(
    {
        "audit_no_trailers": (
            "手工改动：提交修改了台账文件，却缺少 {missing} 说明；台账只能用 minqing 命令修改",
            "hand edit: the commit changes a ledger file without {missing} trailers; change the ledger with minqing commands",
        ),
        "audit_actor_mismatch": (
            "Ledger-Actor {actor} 与提交作者 {author} 不一致",
            "trailer Ledger-Actor {actor} is not the commit author {author}",
        ),
        "audit_unknown_actor": (
            "操作人 {actor} 在此提交之前不是台账中的干部",
            "actor {actor} is not a cadre of the ledger before this commit",
        ),
        "audit_recalled_actor": (
            "操作人 {actor} 此时已被召回，不能修改台账",
            "actor {actor} was recalled and may not change the ledger",
        ),
        "audit_role": ("{detail}", "{detail}"),
        "audit_unknown_op": (
            "未知操作 {op}：不是 minqing 写入的操作",
            "unknown operation {op}: not one that minqing writes",
        ),
        "audit_field_not_allowed": (
            "{op} 记录不允许修改字段 {fields}（角色、状态、密钥和结对只能由各自的操作修改）",
            "a {op} entry may not change {fields} (roles, status, keys and pairings change only through their own operations)",
        ),
        "audit_duplicate_id": (
            "记录 {entry} 已在此文件中，又被追加一次",
            "entry {entry} is already in this file and was appended again",
        ),
        "audit_clock_backwards": (
            "{what} 的时间 {at} 早于上一次提交 {parent}（超出允许的时钟误差）",
            "{what} is dated {at}, before its parent commit {parent} (beyond the clock tolerance)",
        ),
        "audit_outside_op": ("操作 {op} 不允许修改此文件", "operation {op} may not change this file"),
        "audit_op_mismatch": (
            "操作 {op} 只允许 {allowed}，实际为 {found}",
            "operation {op} allows {allowed}; found {found}",
        ),
        "audit_by_mismatch": (
            "记录 {entry} 的执行人为 {by}，与 Ledger-Actor {actor} 不一致",
            "entry {entry} is by {by}, not by the Ledger-Actor {actor}",
        ),
        "audit_entries_mismatch": (
            "Ledger-Entry 与实际改动不符：多列 {extra}，漏列 {missing}",
            "Ledger-Entry does not match the change: listed but not touched {extra}; touched but not listed {missing}",
        ),
        "audit_snapshot_mismatch": (
            "文件内容与历史记录的回放不一致（{fields}）：有改动没有记入历史",
            "the snapshot is not the replay of its history ({fields}): a change with no history entry",
        ),
        "audit_transition": ("流程不允许：{detail}", "the workflow forbids it: {detail}"),
        "audit_history_rewritten": (
            "改写或删除了已有的历史记录 {entry}",
            "rewrites or removes the earlier history entry {entry}",
        ),
        "audit_deleted": (
            "删除了台账文件：台账文件只增不删",
            "deletes a ledger file; ledger files are never deleted",
        ),
        "audit_stream_rewritten": (
            "改动了已有的记录：此文件只能在末尾追加",
            "changes earlier documents; this stream may only grow at its end",
        ),
        "audit_corrupt": ("文件无法读取：{detail}", "unreadable file: {detail}"),
        "audit_path_mismatch": (
            "文件位置与内容不符（{detail}）",
            "the file's place does not match its content ({detail})",
        ),
        "audit_unsigned": (
            "minqing.yaml 要求签名（require_signed），但此提交没有 {actor} 登记的密钥的有效签名（{detail}）",
            "minqing.yaml requires signed commits, but this one has no valid signature by a key registered for {actor} "
            "({detail})",
        ),
        "audit_merge_mismatch": (
            "合并结果不是双方记录的并集（{detail}）",
            "the merge is not the union of both sides ({detail})",
        ),
        "audit_rewrite": (
            "已审计的提交 {mark} 不再在当前历史中：历史被改写（{detail}）",
            "the audited commit {mark} is no longer in the history: history was rewritten ({detail})",
        ),
        # Trust boundaries (issue 14): paths outside the layout, commits without trailers, the ledger's one root.
        "audit_outside_layout": (
            "提交增删改了台账布局之外的文件，且它不在 minqing.yaml 的 allowed_paths 中：台账库只存放台账文件",
            "the commit adds, changes or deletes a file outside the ledger's layout that minqing.yaml allowed_paths "
            "does not list; a ledger repo holds ledger files only",
        ),
        "audit_no_trailers_commit": (
            "提交缺少 {missing} 说明：台账库中的每个提交都应是一次 minqing 操作",
            "the commit has no {missing} trailers; every commit of a ledger is a minqing operation",
        ),
        "audit_foreign_root": (
            "第二个根提交：这段历史不是从本台账的初始化提交 {root} 开始的，其中的干部、密钥和事项都不属于本台账",
            "a second root commit: this history does not start at the ledger's init commit {root}; its cadres, keys "
            "and items are not this ledger's",
        ),
        "audit_unrelated_merge": (
            "合并了无关的历史 {parent}（其中没有本台账的根提交）",
            "merges {parent}, a history that does not hold the ledger's root commit",
        ),
        "audit_foreign_file": (
            "经合并无关历史 {parent} 带入：不作为本台账的记录",
            "came in by merging the unrelated history {parent}; not accepted as this ledger's",
        ),
        "hand_commit_any": (
            "台账库中的提交必须带 {missing} 说明（{paths}）：请用 minqing 命令；台账之外的文件须先列入 minqing.yaml 的 "
            "allowed_paths，再由管理员带 Ledger-Op: config.edit 说明提交",
            "every commit of a ledger needs {missing} trailers ({paths}); use a minqing command, and for a file "
            "outside the ledger list it in minqing.yaml allowed_paths and have an admin commit it with "
            "Ledger-Op: config.edit",
        ),
        "check_roots": (
            "HEAD 的历史有 {count} 个根提交（{roots}）：一本台账只有一个根，即初始化提交；运行 minqing audit 查看合并进来的无关历史",
            "HEAD's history has {count} root commits ({roots}); a ledger has one, its init commit: run minqing audit to "
            "see the unrelated history merged in",
        ),
        "sync_unrelated_remote": (
            "远程库 {remote} 的历史与本台账无关（没有共同的根提交）：没有合并，也没有写入任何内容",
            "the remote {remote} has a history unrelated to this ledger's (no common root commit): nothing merged, "
            "nothing written",
        ),
        "sync_foreign_root_remote": (
            "远程库 {remote} 的历史含有另一本台账的根提交 {roots}（合并过无关的历史）：没有合并，也没有写入任何内容",
            "the remote {remote} holds the root commit {roots} of another ledger (an unrelated history was merged "
            "into it): nothing merged, nothing written",
        ),
        "sync_foreign_root_local": (
            "本台账的历史有 {count} 个根提交（{roots}），合并过另一本台账的历史：不同步；运行 minqing audit 查看",
            "this ledger's history has {count} root commits ({roots}): another ledger's history was merged in; "
            "nothing synced, run minqing audit",
        ),
        "unmask_not_allowed": (
            "{actor}（{role}）无权查看完整身份证号和电话：允许的角色为 {allowed}",
            "{actor} ({role}) may not unmask ID numbers and phones; allowed roles: {allowed}",
        ),
        "bad_pubkey": (
            "{field} 的“{value}”不是 SSH 公钥（{why}）：应为一行 ssh-ed25519 / ssh-rsa / ecdsa-sha2-… 公钥文件，"
            "如 ~/.ssh/id_ed25519.pub",
            "{field}: '{value}' is not an SSH public key ({why}); accepted: a one-line ssh-ed25519 / ssh-rsa / "
            "ecdsa-sha2-… public key file such as ~/.ssh/id_ed25519.pub",
        ),
        "key_exists": (
            "该公钥（{fingerprint}）已登记给 {cadre}",
            "that key ({fingerprint}) is already registered for {cadre}",
        ),
        "key_not_registered": (
            "{value} 的公钥（{fingerprint}）没有登记给 {cadre}：先由管理员运行 minqing cadre key add {cadre} --ssh-pubkey …",
            "the public key of {value} ({fingerprint}) is not registered for {cadre}; an admin first runs "
            "minqing cadre key add {cadre} --ssh-pubkey …",
        ),
        "hook_exists": (
            "{path} 已有别的钩子：检查后用 --force 覆盖",
            "{path} already holds another hook; check it, then replace it with --force",
        ),
        "not_bare": (
            "--bare“{path}”不是裸仓库：应为 git init --bare 建立的中心仓库",
            "--bare '{path}' is not a bare repository; accepted: a central repo made with git init --bare",
        ),
        "hand_commit": (
            "不能手工提交台账文件 {paths}（缺少 {missing}）：请用 minqing 命令修改，如 {hint}",
            "hand commits of ledger files are refused ({paths}: no {missing}); use a minqing command instead, e.g. {hint}",
        ),
        "audit_failed": (
            "审计发现 {count} 个问题，提交被拒绝",
            "audit found {count} problem(s); the commit is refused",
        ),
        "push_rejected": (
            "推送被拒绝：审计发现 {count} 个问题（见上）",
            "push rejected: audit found {count} problem(s) (see above)",
        ),
    }
)

# Labels for enum values and column headers, zh-CN / en.
LABELS: dict[str, tuple[str, str]] = {
    "registered": ("已登记", "registered"),
    "assigned": ("已交办", "assigned"),
    "in_progress": ("办理中", "in progress"),
    "resolved": ("已办结", "resolved"),
    "closed": ("已销号", "closed"),
    "voided": ("已作废", "voided"),
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
    "poor": ("贫困户", "poor"),
    "lifted": ("脱贫户", "lifted"),
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
    "edit": ("更正", "correct"),
    "void": ("作废", "void"),
    "move": ("迁移", "move"),
    "remove": ("销户", "remove"),
    "hand_over": ("移交", "hand over"),
}


class Text:
    """A message key with parameters, rendered later in the user's language (used as a parameter of another message)."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params

    def render(self, lang: str = "zh") -> str:
        return render(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.render("en")


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
        name: value.render(lang)
        if isinstance(value, Text)
        else label(value, lang)
        if name in _ENUM_PARAMS and isinstance(value, str)
        else visible(value, cut=name == "value")
        if isinstance(value, str)
        else value
        for name, value in params.items()
    }
    return _pick(template, lang).format(**shown)


MAX_SHOWN = 120  # characters of a user's value quoted back in a message


def visible(value: str, cut: bool = True) -> str:
    """A value quoted back in a message, kept to one readable line and masked: control and invisible format
    characters (a newline, an escape sequence, a bidi override) are shown escaped, a pasted page is cut short."""
    import unicodedata

    from .pii import mask_text

    value = mask_text(value)[0]  # no message prints a full ID or mobile number, whatever was typed or read
    if cut and len(value) > MAX_SHOWN:
        value = value[:MAX_SHOWN] + f"…(+{len(value) - MAX_SHOWN})"
    if value.isprintable():
        return value
    out = []
    for char in value:
        if char.isprintable() or char == " ":
            out.append(char)
        elif unicodedata.category(char) == "Zs":
            out.append(char)  # ideographic and other spaces read as spaces
        else:
            out.append(repr(char)[1:-1])
    return "".join(out)


# Parameters whose values are enum codes and are shown by their label in the chosen language.
_ENUM_PARAMS = {"state", "level", "actual", "expected", "kind", "op", "role"}


def label(value: str | None, lang: str = "zh") -> str:
    if value is None:
        return ""
    pair = LABELS.get(value) or OP_LABELS.get(value)
    return _pick(pair, lang) if pair else value


# Many offices: clone, sync, merge driver, conflicts, doctor (issue 6).
MESSAGES.update(
    {
        "remote_unreachable": (
            "无法连接远程库 {remote}：{detail}（本地台账未受影响，稍后重试）",
            "cannot reach the remote {remote}: {detail} (nothing lost locally; retry later)",
        ),
        "push_raced": (
            "推送到 {remote} 连续 {attempts} 次被其他办公室抢先：本地已合并，稍后再运行 minqing sync",
            "pushing to {remote} lost the race to other offices {attempts} times; merged locally, run minqing sync again",
        ),
        "push_refused": (
            "远程库 {remote} 拒绝了推送：{detail}",
            "the remote {remote} refused the push: {detail}",
        ),
        "no_remote": (
            "--remote 的远程库“{value}”不存在：应为 {accepted}",
            "--remote: there is no remote '{value}'; accepted: {accepted}",
        ),
        "unrelated_remote": (
            "远程库 {remote} 不是同一本台账（没有共同历史）：请检查 --remote 或 git remote -v",
            "the remote {remote} holds a different ledger (no shared history); check --remote or git remote -v",
        ),
        "not_a_ledger_remote": (
            "“{url}”不是民情台账（没有 minqing.yaml）：应为用 minqing init 创建的台账库",
            "'{url}' is not a minqing ledger (no minqing.yaml); accepted: a repo made by minqing init",
        ),
        "bad_secret": (
            "--secret-file“{value}”无效（{why}）：应为原台账 .git/minqing/secret 的副本（十六进制密钥）",
            "--secret-file '{value}' is invalid ({why}); accepted: a copy of the ledger's .git/minqing/secret (hex key)",
        ),
        "no_merge": (
            "当前没有进行中的同步合并，没有需要解决的冲突",
            "no sync merge is in progress; there is no conflict to settle",
        ),
        "no_conflict": (
            "“{value}”不是未解决的冲突：应为 {accepted}（见 minqing conflicts）",
            "'{value}' is not an open conflict; accepted: {accepted} (see minqing conflicts)",
        ),
        "merge_doc_changed": (
            "{entry} 两边都改了，且改法不同",
            "{entry} was changed differently on both sides",
        ),
        "merge_replay": (
            "{entry} 两边的操作合并后不合法：{detail}",
            "{entry}: the two sides' operations do not replay together: {detail}",
        ),
        "merge_replay_empty": ("历史为空", "the history is empty"),
        "merge_op_differs": (
            "{entry} 的操作 {op} 在两边内容不同（历史被改写过）",
            "{entry}: operation {op} differs between the sides (history was rewritten)",
        ),
        "merge_key_changed": (
            "{name} 两边都改了，且改法不同",
            "{name} was changed differently on both sides",
        ),
        "merge_unparseable": (
            "{side} 版本无法解析（第 {line} 行：{detail}），无法自动合并",
            "the {side} version cannot be parsed (line {line}: {detail}); cannot merge it automatically",
        ),
        "merge_duplicate_doc": (
            "{side} 版本中 {entry} 出现两次且内容不同",
            "{entry} appears twice with different content in the {side} version",
        ),
        "merge_deleted": (
            "{path} 一边删除、一边修改",
            "{path} was deleted on one side and changed on the other",
        ),
        "merge_unknown_file": (
            "{path} 不是台账文件，无法按条目合并",
            "{path} is not a ledger file minqing can merge by entry",
        ),
        "merge_git_conflict": (
            "{path} 两边都改了，git 无法合并",
            "{path} was changed on both sides and git could not merge it",
        ),
        "doctor_drivers": (
            "本副本未注册合并驱动 {names}：同步时条目会按文本合并（修复：minqing doctor --fix）",
            "merge drivers {names} are not registered in this clone; syncs would merge entries as text (fix: minqing doctor --fix)",
        ),
        "doctor_drivers_fixed": ("已注册合并驱动 {names}", "registered merge drivers {names}"),
        "doctor_lock_stale": (
            "锁文件 {path} 属于已结束的进程 {holder}（修复：删除）",
            "the lock {path} belongs to a process that is gone ({holder}) (fix: remove it)",
        ),
        "doctor_lock_stale_fixed": ("已删除过期的锁文件 {path}", "removed the stale lock {path}"),
        "doctor_lock_live": (
            "有命令正在运行并持有锁（{holder}）：等待它结束",
            "a command is running and holds the lock ({holder}); wait for it to finish",
        ),
        "doctor_lock_foreign": (
            "锁文件 {path} 由另一台机器持有（{holder}）：若那里没有命令在运行，请手工删除该文件",
            "the lock {path} is held from another machine ({holder}); if nothing runs there, delete it by hand",
        ),
        "doctor_leftover": (
            "中断的命令留下了未提交但完整的台账文件 {paths}（修复：作为恢复操作提交）",
            "an interrupted command left complete but uncommitted ledger files {paths} (fix: commit them as a recovery)",
        ),
        "doctor_leftover_fixed": (
            "已提交恢复操作 {commit}：{paths}",
            "committed recovery {commit}: {paths}",
        ),
        "doctor_broken": (
            "中断的命令留下了不完整的台账文件 {paths}（修复：恢复为最近一次提交的版本）",
            "an interrupted command left incomplete ledger files {paths} (fix: restore them from the last commit)",
        ),
        "doctor_broken_fixed": (
            "已恢复为最近一次提交的版本：{paths}",
            "restored from the last commit: {paths}",
        ),
        "doctor_recover_others": (
            "遗留文件中有其他干部（{actors}）的记录：请由本人运行 minqing doctor --fix --as 其编号",
            "the leftover files hold entries by other cadres ({actors}): let each run minqing doctor --fix --as their id",
        ),
        "doctor_needs_actor": (
            "需要操作人才能提交恢复：用 --as C-… 或 MINQING_USER 指定后再运行 minqing doctor --fix",
            "a recovery needs an acting cadre: give --as C-… or MINQING_USER and run minqing doctor --fix again",
        ),
        "doctor_merge_conflicts": (
            "与 {other} 的同步合并未完成：{count} 处冲突需要人工决定（minqing conflicts；minqing resolve-conflict ID --take ours|theirs）",
            "a sync merge of {other} is unfinished: {count} conflict(s) need a person (minqing conflicts; minqing resolve-conflict ID --take ours|theirs)",
        ),
        "doctor_sync_move": (
            "一次同步在移动合并后的文件时被中断（修复：把这些文件恢复为最近一次提交的版本；之后运行 minqing sync 重新合并）",
            "a sync was interrupted while it moved the merged files (fix: put them back as the last commit has them; then minqing sync merges again)",
        ),
        "doctor_sync_move_fixed": (
            "已把中断的同步移动过的文件恢复为最近一次提交的版本：运行 minqing sync 重新合并",
            "put the files an interrupted sync had moved back as the last commit has them; run minqing sync to merge again",
        ),
        "doctor_merge_ready": (
            "与 {other} 的同步合并被中断，但所有文件已合并：运行 minqing sync 完成它",
            "a sync merge of {other} was interrupted after every file merged; run minqing sync to finish it",
        ),
        "doctor_tmp": (
            "原子写入留下的临时文件 {paths}（修复：删除）",
            "temporary files left by interrupted writes {paths} (fix: remove them)",
        ),
        "doctor_tmp_fixed": ("已删除临时文件 {paths}", "removed temporary files {paths}"),
        "doctor_stale_conflicts": (
            "没有进行中的合并，但留有 {count} 个冲突记录（修复：删除）",
            "{count} conflict record(s) remain although no merge is in progress (fix: remove them)",
        ),
        "doctor_stale_conflicts_fixed": (
            "已删除 {count} 个过期的冲突记录",
            "removed {count} stale conflict record(s)",
        ),
        "doctor_no_secret": (
            "本副本没有县级密钥：身份证号查重和查找不会匹配（从原台账复制 .git/minqing/secret，或 minqing clone --secret-file）",
            "this clone has no county secret: id-number look-ups will not match (copy .git/minqing/secret from the county, or minqing clone --secret-file)",
        ),
        "doctor_ahead": (
            "本地有 {count} 个提交尚未发送到 {remote}：运行 minqing sync",
            "{count} local commit(s) not yet sent to {remote}; run minqing sync",
        ),
        "doctor_behind": (
            "已取回 {remote} 的 {count} 个提交但尚未合并：运行 minqing sync",
            "{count} commit(s) fetched from {remote} are not merged yet; run minqing sync",
        ),
        "doctor_healthy": ("台账状态良好", "the ledger is healthy"),
    }
)

# The offices' other work: activities, reviews, ranking, daily report, reconciliation, roster, duties (issue 7).
MESSAGES.update(
    {
        "review_exists": (
            "{team} 的 {quarter} 一会三评已登记为 {existing}：用 minqing review set {existing} 修改",
            "the {quarter} review of {team} is already recorded as {existing}; amend it with minqing review set {existing}",
        ),
        "acc_month": ("月份 YYYY-MM，如 2026-11", "a month YYYY-MM, e.g. 2026-11"),
        "acc_quarter": ("季度 YYYYQn，如 2026Q4", "a quarter YYYYQn, e.g. 2026Q4"),
        "acc_quarter_not_future": (
            "已开始的季度（今天 {today}）",
            "a quarter that has begun (today is {today})",
        ),
        "acc_ratings": (
            "satisfied=N,basic=N,unsatisfied=N（N 为整数），如 satisfied=40,basic=8,unsatisfied=2",
            "satisfied=N,basic=N,unsatisfied=N with whole numbers, e.g. satisfied=40,basic=8,unsatisfied=2",
        ),
        "acc_report": (
            "可读的 UTF-8 文本文件，或述职内容本身",
            "a readable UTF-8 text file, or the report text itself",
        ),
        "acc_team": (
            "被评议工作队所在村（或乡镇）的单位代码，或唯一的单位名称",
            "the unit code (or unique unit name) of the village or township whose work team is reviewed",
        ),
        "acc_team_code": (
            "单位代码（名称“{value}”对应多个单位：{codes}）",
            "a unit code (the name '{value}' is shared by {codes})",
        ),
        "acc_one_line": ("一行文字", "text on one line"),
        "acc_raise": (
            "一项或多项问题（每项配一个 --category）",
            "one or more problems, each with a --category",
        ),
        "acc_out_xlsx": (
            "--format xlsx 须配 --out 文件路径（.xlsx）",
            "an --out file path (.xlsx) with --format xlsx",
        ),
        "duty_activity_minimum": (
            "{village}（{name}）{month} 开展活动 {count} 次：每月至少 {minimum} 次（五帮五扶）",
            "{village} ({name}) held {count} activities in {month}; at least {minimum} a month are required (五帮五扶)",
        ),
        "duty_stay_missing": (
            "县级领导 {cadre}（{name}）{month} 蹲点 {count} 次：每月至少 {minimum} 次",
            "county leader {cadre} ({name}) made {count} stays in {month}; at least {minimum} a month are required",
        ),
        "duty_talk_missing": (
            "结对户 {household}（{head}）{quarter} 谈心谈话 {count} 次：每季度至少 {minimum} 次",
            "paired household {household} ({head}) had {count} talks in {quarter}; at least {minimum} a quarter are required",
        ),
        "duties_found": ("{count} 项工作未达标（{period}）", "{count} duties not met ({period})"),
    }
)

# Sheets in and out: import, export, find (issue 8).
MESSAGES.update(
    {
        "import_rejected": (
            "{file}：{rows} 行共 {count} 处错误，未写入任何内容（逐条见上）",
            "{file}: {count} problem(s) in {rows} row(s); nothing was written (each one is listed above)",
        ),
        "missing_column": (
            "缺少列“{column}”：表头应有 {accepted} 之一",
            "missing column '{column}'; accepted headers: {accepted}",
        ),
        "duplicate_column": (
            "列“{column}”与列“{other}”是同一项：只保留一列",
            "column '{column}' means the same as '{other}'; keep one",
        ),
        "no_header": (
            "{path} 前 {limit} 行中找不到表头：表头应包含 {accepted} 等列（或用 --map 对应）",
            "{path}: no header row in the first {limit} rows; accepted: a header with {accepted} (or map it with --map)",
        ),
        "duplicate_row": (
            "与第 {other} 行重复（{what}）：同一条只能导入一次",
            "duplicates row {other} ({what}); accepted: each entry once",
        ),
        "not_in_ledger": (
            "{field}“{value}”不在本台账中：新登记的行请把编号留空",
            "{field} '{value}' is not in this ledger; leave the id empty for a new entry",
        ),
        "row_differs": (
            "{field} 台账中为“{ledger}”，表中为“{sheet}”：导入只新增条目，修改已有条目请用相应命令",
            "{field} is '{ledger}' in the ledger but '{sheet}' in the sheet; import only adds entries, change existing ones with their commands",
        ),
        "masked_value": (
            "{field}“{value}”是脱敏值：新登记须填完整号码，或留空",
            "{field} '{value}' is masked; accepted: the full number for a new entry, or empty",
        ),
        "number_cell": (
            "{field} 是数字格式，Excel 只保留 15 位有效数字，号码已失真：把该列设为文本格式后重新录入",
            "{field} is a number cell and Excel keeps only 15 digits, so the number is damaged; accepted: the column formatted as text and re-entered",
        ),
        "requires": ("填了 {field} 就必须同时填 {other}", "{field} needs {other} as well"),
        "conflict_values": (
            "{field}“{value}”与 {other}“{other_value}”矛盾：两者应一致",
            "{field} '{value}' contradicts {other} '{other_value}'; accepted: values that agree",
        ),
        "sheet_unreadable": ("无法读取“{path}”：{detail}", "cannot read '{path}': {detail}"),
        "sheet_not_found": (
            "“{path}”中没有工作表“{sheet}”：可选 {sheets}",
            "'{path}' has no sheet '{sheet}'; accepted: {sheets}",
        ),
        "bad_encoding": (
            "“{path}”不是 {encoding} 编码（第 {line} 行）：用 --encoding 指定，如 gb18030 或 utf-8",
            "'{path}' is not {encoding} (line {line}); give --encoding, e.g. gb18030 or utf-8",
        ),
        "bad_map": ("--map“{path}”无效：{detail}", "--map '{path}' is invalid: {detail}"),
        "why_no_file": ("文件不存在", "no such file"),
        "acc_sheet_file": (
            ".xlsx 或 .csv 文件（.xls 请先在 Excel 中另存为 .xlsx）",
            "an .xlsx or .csv file (save an .xls as .xlsx first)",
        ),
        "acc_map": (
            "YAML 映射：表头: 字段名（null 表示忽略该列）",
            "a YAML mapping header: field (null ignores the column)",
        ),
        "acc_cell_value": ("该单元格的值", "a value in this cell"),
        "acc_household_or_stay": (
            "被走访户的户主姓名（蹲点可不填，须有村或乡镇）",
            "the visited household's head (a stay may leave it empty and give a village or township)",
        ),
    }
)

# Hostile sheets: formula cells, sheet bombs, mixed encodings, hidden sheets (issue 14).
MESSAGES.update(
    {
        "sheet_limit": (
            "“{path}”的{what}为 {value}，超过上限 {limit}（防止表格炸弹）：请拆分为较小的表格分别导入",
            "'{path}': {what} is {value}, over the limit of {limit} (a guard against sheet bombs); accepted: smaller sheets, imported one by one",
        ),
        "limit_file": ("文件大小", "file size"),
        "limit_part": ("部件 {part} 解压后大小", "unpacked size of part {part}"),
        "limit_total": ("全部部件解压后总大小", "unpacked size of all parts"),
        "limit_ratio": ("部件 {part} 的压缩比", "compression ratio of part {part}"),
        "limit_strings": ("共享字符串数（{part}）", "number of shared strings ({part})"),
        "limit_text": ("部件 {part} 中最长一段文字", "longest run of text in part {part}"),
        "limit_part_rows": ("部件 {part} 的行数", "rows in part {part}"),
        "limit_part_cells": ("部件 {part} 的单元格数", "cells in part {part}"),
        "limit_rows": ("工作表“{sheet}”的行数", "row count of sheet '{sheet}'"),
        "limit_cells": ("工作表“{sheet}”的单元格数", "cell count of sheet '{sheet}'"),
        "why_not_xlsx": (
            "不是有效的 .xlsx 文件（应为 zip 压缩包）",
            "not a valid .xlsx file (which is a zip archive)",
        ),
        "no_visible_sheet": (
            "“{path}”的工作表都是隐藏的：用 --sheet 指定要读的表，可选 {sheets}",
            "'{path}' has only hidden sheets; accepted: --sheet with one of {sheets}",
        ),
        "hidden_sheet_read": (
            "注意：按 --sheet 读取了隐藏的工作表“{sheet}”（在 Excel 中看不到）",
            "note: read the hidden sheet '{sheet}' named by --sheet (Excel does not show it)",
        ),
        "mixed_encoding": (
            "“{path}”混用了两种编码：第 {other} 行是 UTF-8，第 {line} 行不是：整个文件应为同一种编码（UTF-8 或 GB18030），请在 Excel 中另存为 CSV UTF-8 后重试",
            "'{path}' mixes two encodings: line {other} is UTF-8 but line {line} is not; accepted: one encoding for the whole file (UTF-8 or GB18030), e.g. saved again as CSV UTF-8",
        ),
    }
)

# Corrections to the registers (issue 15): household edit/move/remove, cadre edit/move.
MESSAGES.update(
    {
        "household_removed": (
            "农户 {household}（{head}）已于 {day} 销户：不能再走访、结对、登记事项或更正",
            "household {household} ({head}) left the register on {day}; it cannot be visited, paired, "
            "given new items or corrected",
        ),
        "remove_paired": (
            "{household} 仍与 {cadres} 结对：先用 minqing household unpair 解除结对，再销户",
            "{household} is still paired with {cadres}; unpair first (minqing household unpair), then remove it",
        ),
        "remove_unfinished": (
            "{household} 还有未销号的事项 {items}：先办结销号或作废，或用 --transfer-to 转给另一户",
            "{household} still has items not closed: {items}; close or void them first, or move them to another "
            "household with --transfer-to",
        ),
        "hint_edit_nothing_register": (
            "没有要更正的内容：给出的值与现有记录相同",
            "nothing to correct: the values given are what is recorded",
        ),
        "hint_same_unit": ("干部已在该单位", "the cadre is already in that unit"),
        "hint_same_village": (
            "农户已在该村（同村换组用 household edit --group）",
            "the household is already in that village (another group of it: household edit --group)",
        ),
        "hint_hand_over": (
            "只有已交办、未办结的事项才能移交",
            "only an assigned item that is still open can be handed over",
        ),
        "acc_other_household": ("台账上另一户的编号", "the id of another household on the register"),
        "acc_other_cadre": ("另一位在岗干部的编号", "the id of another active cadre"),
        "acc_one_correction": (
            "至少一项更正：{options}",
            "at least one correction: {options}",
        ),
    }
)
LABELS.update(
    {
        "died": ("死亡", "died"),
        "moved_away": ("迁出", "moved away"),
        "merged": ("合户", "merged"),
        "duplicate": ("重复登记", "duplicate"),
    }
)

# Units renamed and merged (issue 15): org rename, org merge (撤并).
MESSAGES.update(
    {
        "unit_retired": (
            "{field}：单位 {value}（{name}）已于 {day} 撤并入 {into}，代码不再使用：应为在用的单位代码（如 {into}）",
            "{field}: unit {value} ({name}) was merged into {into} on {day} and its code is never reused; "
            "accepted: a unit in service (such as {into})",
        ),
        "merge_township_villages": (
            "乡镇 {code} 下还有在用的村 {units}：先用 minqing org merge 把这些村并入其他乡镇的村，再撤并该乡镇",
            "township {code} still has villages in service ({units}); merge them into villages of another "
            "township first (minqing org merge), then the township",
        ),
        "acc_new_name": ("与现名“{name}”不同的新名称", "a new name, not the current '{name}'"),
        "acc_not_county": (
            "乡镇、村或组的代码（县名在 minqing.yaml 中）",
            "the code of a township, village or group (the county's name is in minqing.yaml)",
        ),
        "acc_merge_into": ("另一个在用的{level}级单位的代码", "the code of another {level} unit in service"),
        "acc_group_into": (
            "撤并村时，并入村 {code} 下的组代码",
            "when merging a village, a group of the village it joins ({code})",
        ),
    }
)

# Rosters, petition ledgers and last year's sheets (issue 16, import).
MESSAGES.update(
    {
        "no_head_row": (
            "{field}：户编号 {value} 的各行中没有户主（与户主关系 为“户主”的一行）",
            "{field}: no row of 户编号 {value} is the head's (与户主关系 户主); accepted: one 户主 row per household",
        ),
        "members_mismatch": (
            "{field} 为 {value}，但户编号 {register_no} 在表中有 {count} 人：两者应一致",
            "{field} says {value} but 户编号 {register_no} has {count} person row(s); accepted: values that agree",
        ),
        "personal_column": (
            "列“{column}”含个人信息（证件号码或电话），无法识别：用 --map 指定其字段（或 null 明确忽略），或删除该列",
            "column '{column}' holds personal data (an ID number or phone) the import does not understand; "
            "accepted: --map it to a field (or to null to drop it on purpose), or remove the column",
        ),
        "import_dropped": ("未导入的列：{columns}", "columns not imported: {columns}"),
        "cadre_role_needed": (
            "{field}：{unit} 不是村，无法推定角色：表中加“角色”列，或用 --role 指定整表的角色",
            "{field}: {unit} is not a village, so the role cannot be assumed; accepted: a 角色 column, or --role for the whole sheet",
        ),
        "import_members_vault": (
            "{count} 名家庭成员的证件号码只存于本机（不入 git），可用 household find --id-number 查到其户",
            "{count} members' ID numbers kept only on this machine (never in git); household find --id-number finds their household",
        ),
    }
)

# The bureau's list of units, official and short names, aliases (issue 16): org import, org add, org alias.
MESSAGES.update(
    {
        "unknown_unit": (
            "{field}：组织树中没有名为“{value}”的单位：应为{accepted}",
            "{field}: no unit in the org tree is named '{value}'; accepted: {accepted}",
        ),
        "ambiguous_unit": (
            "{field}：“{value}”可指多个单位：{matches}；请改用代码",
            "{field}: '{value}' names several units: {matches}; give the code instead",
        ),
        "unit_no_level": (
            "{field} 的代码“{value}”看不出层级：应为乡镇 9 位（或统计用 12 位 CCCCCCTTT000）、村 12 位、组 14–15 位",
            "{field}: code '{value}' names no level; accepted: township 9 digits (or the bureau's 12-digit "
            "CCCCCCTTT000), village 12, group 14-15",
        ),
        "unit_level_code": (
            "{field}：代码“{value}”是{actual}级的代码，与 --level {expected} 不符",
            "{field}: code '{value}' is a {actual} code, not --level {expected}",
        ),
        "unit_other_county": (
            "{field}：代码“{value}”不属于本台账的县（区）{county}",
            "{field}: code '{value}' is not under this ledger's county {county}",
        ),
        "county_name_differs": (
            "{field}：县（区）名称“{value}”与 minqing.yaml 中的“{name}”不符",
            "{field}: county name '{value}' differs from minqing.yaml's '{name}'",
        ),
        "unit_parent_missing": (
            "{field}：代码“{value}”的上级 {parent} 不在组织树中，表中也没有",
            "{field}: the parent {parent} of code '{value}' is neither in the org tree nor in the sheet",
        ),
        "unit_code_renamed": (
            "{field}：代码“{value}”已登记为“{name}”，表中为“{other}”：改名请用 minqing org rename",
            "{field}: code '{value}' is registered as '{name}', the sheet says '{other}'; "
            "rename it with minqing org rename",
        ),
        "unit_code_twice": (
            "{field}：代码“{value}”在第 {row} 行已是“{other}”",
            "{field}: code '{value}' is already '{other}' in row {row}",
        ),
        "unit_name_twice": (
            "{field}：同一上级下已有名为“{value}”的单位（{code}）",
            "{field}: a unit named '{value}' is already under the same parent ({code})",
        ),
        "bad_urban_rural": (
            "{field}“{value}”无效：应为 3 位城乡分类代码（如 111、121、210、220）",
            "{field}: '{value}' is invalid; accepted: a 3-digit urban-rural code (e.g. 111, 121, 210, 220)",
        ),
        "no_unit_header": (
            "{path} 前 {limit} 行中找不到表头：应有代码列（统计用区划代码、区划代码、代码、code）和名称列（名称、name）",
            "{path}: no header row in the first {limit} rows; accepted: a code column (统计用区划代码, 区划代码, "
            "代码, code) and a name column (名称, name)",
        ),
        "alias_taken": (
            "别名“{value}”已是 {code}（{name}）的名称：应为一个新名称",
            "alias '{value}' is already a name of {code} ({name}); accepted: a new name",
        ),
        "acc_unit_name": ("单位名称（如 陈家寨村委会）", "the unit's name (e.g. 陈家寨村委会)"),
    }
)

# Chinese on the command line (issue 16): an enum option takes its code, its zh/en label or a synonym offices write.
# One table for the command line (core/fields.choice) and import (ops/sheets.py).
# Labels for the few codes the shared catalog does not label (sources, indicators).
EXTRA_LABELS: dict[str, tuple[str, str]] = {
    "hotline": ("热线", "hotline"),
    "review": ("述评", "review"),
    "grid": ("网格", "grid"),
    "food": ("不愁吃", "food"),
    "clothing": ("不愁穿", "clothing"),
}
# What offices write for an enum value besides its code and its zh/en label.
SYNONYMS: dict[str, str] = {
    # household status (the national system's 户类型 and 易返贫致贫户(监测对象)类型)
    "贫困户": "poor",
    "建档立卡户": "poor",
    "建档立卡贫困户": "poor",
    "已脱贫户": "lifted",
    "已脱贫": "lifted",
    "监测对象": "monitored",
    "边缘户": "monitored",
    "边缘易致贫户": "monitored",
    "脱贫不稳定户": "monitored",
    "突发严重困难户": "monitored",
    "易返贫致贫户": "monitored",
    "非贫困户": "general",
    "一般农户": "general",
    # categories
    "收入": "income",
    "就业": "income",
    "务工": "income",
    "义务教育": "education",
    "教育保障": "education",
    "医疗保障": "medical",
    "基本医疗": "medical",
    "住房安全": "housing",
    "危房": "housing",
    "饮水安全": "water",
    "用水": "water",
    "产业发展": "industry",
    "政策": "policy",
    "其它": "other",
    # sources (no label of their own in the catalog)
    "12345": "hotline",
    "评议": "review",
    # levels
    "村级": "village",
    "乡": "township",
    "镇": "township",
    "乡级": "township",
    "乡镇级": "township",
    "县": "county",
    "区": "county",
    "县级": "county",
    "区级": "county",
    # item kinds and ledgers
    "心愿": "wish",
    "民生": "livelihood",
    "稳定": "stability",
    # how, feedback, state
    "解决": "solved",
    "解释": "explained",
    "当场解决": "on_the_spot",
    "圆梦": "fulfilled",
    "非常满意": "satisfied",
    "较满意": "basic",
    "登记": "registered",
    "交办": "assigned",
    "整改中": "in_progress",
    "正在整改": "in_progress",
    "推进中": "in_progress",
    "办结": "resolved",
    "销号": "closed",
    "未销号": "open",
    "作废": "voided",
    # roles, cadre status, visit kinds
    "村干部": "village",
    "县领导": "county_leader",
    "召回": "recalled",
    "入户走访": "visit",
    "谈话": "talk",
    "驻村": "stay",
    # why a household leaves the register (销户)
    "去世": "died",
    "重复": "duplicate",
    # indicators (两不愁三保障 + drinking water)
    "吃": "food",
    "穿": "clothing",
}
# Labels of rollup periods and groupings (--period, --by); the output says 按乡镇, the command line takes 乡镇 too.
PERIOD_LABELS: dict[str, tuple[str, str]] = {
    "day": ("日", "day"),
    "week": ("周", "week"),
    "halfmonth": ("半月", "half-month"),
    "month": ("月", "month"),
    "quarter": ("季度", "quarter"),
    "year": ("年", "year"),
    "range": ("区间", "range"),
    "month_to_date": ("本月累计", "month to date"),
}
GROUPING_LABELS: dict[str, tuple[str, str]] = {
    "county": ("按县（区）", "by county"),
    "township": ("按乡镇", "by township"),
    "village": ("按村", "by village"),
    "group": ("按组", "by group"),
    "leader": ("按包案领导", "by leader"),
    "category": ("按类别", "by category"),
    "ledger": ("按台账", "by ledger"),
}
MESSAGES.update({"acc_choice": ("{codes}（或 {labels}）", "{codes} (or {labels})")})

# Issue 18 (counts beside rates, several periods at once): the condolence visit (慰问), the discipline channel (纪委),
# year to date (今年以来) and --each.
LABELS.update({"condolence": ("慰问", "condolence")})
EXTRA_LABELS.update({"discipline": ("纪委", "discipline")})
SYNONYMS.update(
    {
        "纪检": "discipline",
        "纪委监委": "discipline",
        "纪检监察": "discipline",
        "走访慰问": "condolence",
        "慰问走访": "condolence",
    }
)
PERIOD_LABELS.update({"ytd": ("今年以来", "year to date")})
MESSAGES.update(
    {
        "too_many_periods": (
            "{field}：{count} 个期间太多：最多 {limit} 个（请缩短 --from/--to 或换用更长的期间）",
            "{field}: {count} periods are too many; accepted: at most {limit} (shorten --from/--to or use a "
            "longer period)",
        ),
        "acc_year": ("四位年份（如 2026）", "a four-digit year (e.g. 2026)"),
        "acc_each_metric": ("{codes}（--metric 须与 --each 同用）", "{codes} (--metric goes with --each)"),
    }
)

# Issue 18 (helping units and talks with cadres): departments (帮扶单位/后盾单位) outside the territorial tree, cadres
# posted to villages (驻村), 谈心谈话 with work-team cadres, and the duties per department and per team cadre.
LABELS.update({"department": ("帮扶单位", "department")})
SYNONYMS.update({"后盾单位": "department", "帮扶部门": "department", "部门": "department"})
GROUPING_LABELS.update({"department": ("按帮扶单位", "by department")})
MESSAGES.update(
    {
        "acc_department_code": (
            "县代码 {county} + D + 2–3 位序号（如 {county}D01）",
            "the county code {county}, D and 2-3 digits (e.g. {county}D01)",
        ),
        "acc_department_for_post": (
            "帮扶单位代码或名称（该干部尚未登记所属帮扶单位）",
            "a department code or name (the cadre has no department yet)",
        ),
        "hint_same_posting": (
            "干部已驻该村、属该帮扶单位",
            "the cadre is already posted to that village for that department",
        ),
        "acc_talk_with": (
            "--household 农户编号 或 --with 干部编号（谈心谈话），二选一",
            "either --household H-… or --with C-… (a talk), not both",
        ),
        "talk_with_kind": (
            "--with 只用于谈心谈话：应为 --kind talk（现为 {value}）",
            "--with is for talks only; accepted: --kind talk (given: {value})",
        ),
        "talk_cadre_no_village": (
            "--with 的干部 {cadre}（{name}）未驻村、也不在村任职：谈心谈话记在干部所驻村，应为驻村或村级干部",
            "--with: cadre {cadre} ({name}) is neither posted to nor serving in a village; accepted: a cadre posted to "
            "or serving in a village (a talk is kept in that village's stream)",
        ),
        "talk_with_self": (
            "--with 的干部 {cadre} 也在 --by 中：谈话人与被谈话人应不同",
            "--with: cadre {cadre} is also in --by; accepted: a cadre other than the talkers",
        ),
        "duty_department_activity_minimum": (
            "帮扶单位 {department}（{name}）{month} 开展活动 {count} 次：每月至少 {minimum} 次（五帮五扶）",
            "department {department} ({name}) held {count} activities in {month}; at least {minimum} a month are "
            "required (五帮五扶)",
        ),
        "duty_cadre_talk_missing": (
            "驻村工作队干部 {cadre}（{name}）{quarter} 被谈心谈话 {count} 次：每季度至少 {minimum} 次",
            "work-team cadre {cadre} ({name}) was talked with {count} times in {quarter}; at least {minimum} a "
            "quarter are required",
        ),
    }
)

# Issue 17 (history by person, quiet cron): the visitors of a visit commit, and `report` paths with --verbose.
MESSAGES.update(
    {
        "audit_visitor_mismatch": (
            "Ledger-Visitor 与走访记录的走访干部（by）不符：多列 {extra}，漏列 {missing}",
            "Ledger-Visitor trailers do not match the visitors (by) of the visits recorded: listed but not on the "
            "visit {extra}; on the visit but not listed {missing}",
        ),
    }
)

# The satisfaction survey, team visits and rounds (issue 18, core/surveys.py): survey add, visit add --round/--survey,
# check --teams.
MESSAGES.update(
    {
        "acc_household_id": ("农户编号 H-…（或其唯一前缀）", "a household id H-… (or a unique prefix)"),
        "acc_household_for_survey": (
            "测评须给出受访农户编号（--household）",
            "a household id (--household) when the survey is answered",
        ),
        "acc_round": (
            "1 到 {rounds} 的轮次（总轮数在 minqing.yaml 中设定）",
            "a round from 1 to {rounds} (minqing.yaml rounds)",
        ),
        "check_round_range": (
            "round 为 {value}，超出 minqing.yaml 设定的 {rounds} 轮：应为 1 到 {rounds}",
            "round {value} is past the {rounds} rounds of minqing.yaml; accepted: 1 to {rounds}",
        ),
        "check_team_incomplete": (
            "第 {round} 轮走访 {visit} 缺少{missing}（minqing.yaml team_roles）",
            "team visit {visit} of round {round} lacks: {missing} (minqing.yaml team_roles)",
        ),
    }
)
GROUPING_LABELS.update({"round": ("按轮次", "by round")})
LABELS.update({"survey": ("满意度测评", "survey answer")})

# Issue 17 (tables at 80 columns, names beside codes, log in the chosen language): cli/tables.py and `minqing log`.
MESSAGES.update(
    {
        "table_omitted": (
            "（终端太窄，未显示：{columns}；加 --wide 显示全部列，或用 show 看单条）",
            "(terminal too narrow; not shown: {columns}; --wide shows every column, show one entry for all of it)",
        ),
    }
)

# The static site for leaders: `report site` (issue 20).
MESSAGES.update(
    {
        "site_out_not_folder": (
            "{field} “{value}” 是一个文件：应为文件夹（不存在时自动创建）",
            "{field} '{value}' is a file; accepted: a folder (made when missing)",
        ),
        "site_written": (
            "网站 {out}：共 {pages} 个文件，本次写入 {written} 个，删除过时 {removed} 个",
            "site {out}: {pages} files, {written} written this run, {removed} stale removed",
        ),
        "site_title": ("民情台账", "minqing ledger"),
        "site_overdue": ("超期清单", "Overdue"),
        "site_due_week": ("本周到期", "Due this week"),
        "site_ranking": ("季度排名", "Quarterly ranking"),
        "site_reconcile": ("对账销号", "Reconciliation"),
        "site_search": ("搜索", "Search"),
        "site_search_hint": ("姓名、拼音首字母或编号", "name, pinyin initials or ID"),
        "site_no_hits": ("没有找到", "nothing found"),
        "site_cleared_yes": ("已清零", "cleared"),
        "site_cleared_no": ("未清零", "not cleared"),
        "site_ytd": ("{year} 年初至 {to}", "{year} to date ({to})"),
        "site_periods_month": ("月", "Months"),
        "site_periods_quarter": ("季度", "Quarters"),
        "site_periods_year": ("年初至今", "Year to date"),
        "site_period": ("统计期", "Period"),
        "site_as_of": ("数据截至 {date}", "data as of {date}"),
        "site_headline": ("主要指标", "Headline figures"),
        "site_funnel": ("排查与上报漏斗", "Escalation funnel"),
        "site_clearance": ("清零情况", "Zero open (清零)"),
        "site_activity": ("谈心、蹲点、微心愿与活动", "Talks, stays, wishes and activities"),
        "site_charts": ("图表", "Charts"),
        "site_this_vs_last": ("本月与上月（{this} 对 {last}）", "This month against last ({this} vs {last})"),
        "site_trend": ("近 {count} 个月", "The last {count} months"),
        "site_unit": ("单位", "Unit"),
        "site_units_below": ("下辖{level}", "{level} units below"),
        "site_cleared_count": ("已清零 {cleared} / {total}", "{cleared} of {total} cleared"),
        "site_household": ("农户", "Household"),
        "site_households": ("农户（{count} 户）", "Households ({count})"),
        "site_head": ("户主", "Head"),
        "site_status": ("类别", "Status"),
        "site_register_no": ("户编号", "Register no."),
        "site_kind": ("类型", "Kind"),
        "site_ledger": ("台账", "Ledger"),
        "site_category": ("类别", "Category"),
        "site_level": ("层级", "Level"),
        "site_state": ("状态", "State"),
        "site_created": ("登记日期", "Registered"),
        "site_due": ("办理时限", "Due"),
        "site_leader": ("包案领导", "Leader"),
        "site_resolution": ("办结方式", "Resolution"),
        "site_history": ("办理经过", "History"),
        "site_when": ("时间", "When"),
        "site_who": ("经办人", "Who"),
        "site_what": ("操作", "What"),
        "site_fields": ("内容", "Details"),
        "site_village": ("村", "Village"),
        "site_group": ("组", "Group"),
        "site_members": ("人口", "Members"),
        "site_id_number": ("身份证号（脱敏）", "ID number (masked)"),
        "site_phone": ("电话（脱敏）", "Phone (masked)"),
        "site_pairings": ("结对干部", "Paired cadres"),
        "site_removed": ("销户", "Removed"),
        "site_items": ("事项（{count} 项）", "Items ({count})"),
        "site_item": ("编号", "ID"),
        "site_desc": ("内容", "Description"),
        "site_visits": ("走访记录（{count} 次）", "Visits ({count})"),
        "site_date": ("日期", "Date"),
        "site_visit": ("记录编号", "Record"),
        "site_overdue_title": (
            "超期事项（截至 {date}，{count} 项）",
            "Overdue items (as of {date}: {count})",
        ),
        "site_due_week_title": (
            "本周到期事项（{start} 至 {end}，{count} 项）",
            "Items due this week ({start} to {end}: {count})",
        ),
        "site_ranking_note": (
            "得分 = 40×按期率 + 30×走访覆盖率 + 30×满意率 − 每项超期 2 分（最多扣 30 分）",
            "score = 40 × on-time rate + 30 × coverage + 30 × satisfaction − 2 per overdue item (at most 30)",
        ),
        "site_ranking_none": ("村级没有排名", "a village has no ranking"),
        "site_ranking_quarter": (
            "{quarter}（{start} 至 {end}，截至 {as_of}）",
            "{quarter} ({start} to {end}, as of {as_of})",
        ),
        "site_rank_rank": ("名次", "Rank"),
        "site_rank_name": ("单位", "Unit"),
        "site_rank_score": ("得分", "Score"),
        "site_rank_on_time_points": ("按期得分", "On-time points"),
        "site_rank_coverage_points": ("覆盖得分", "Coverage points"),
        "site_rank_satisfaction_points": ("满意得分", "Satisfaction points"),
        "site_rank_overdue_penalty": ("超期扣分", "Overdue penalty"),
        "site_reconcile_title": (
            "对账销号 {unit}（截至 {date}：未销号 {count} 项，超期 {overdue} 项）",
            "Reconciliation {unit} (as of {date}: {count} open, {overdue} overdue)",
        ),
        "site_overdue_days": ("超期天数", "Days overdue"),
        "site_last": ("最近办理", "Last action"),
        "site_days_since": ("距今天数", "Days since"),
        "site_sign": ("核对签字", "Checked"),
        "site_sign_maker": ("制表", "Prepared by"),
        "site_sign_checker": ("核对", "Checked by"),
        "site_sign_leader": ("分管领导", "Leader in charge"),
    }
)

# Issue 17: `minqing log` names each field in the chosen language (en: the YAML key itself, as in the files).
FIELD_LABELS: dict[str, str] = {
    "id": "编号",
    "name": "名称",
    "unit": "单位",
    "role": "角色",
    "title": "职务",
    "phone": "电话",
    "status": "状态",
    "kind": "类型",
    "ledger": "台账",
    "category": "类别",
    "desc": "描述",
    "source": "来源",
    "household": "农户",
    "visit": "走访",
    "level": "层级",
    "state": "状态",
    "created": "登记日期",
    "extensions": "延期次数",
    "due": "时限",
    "leader": "责任领导",
    "resp_unit": "责任单位",
    "team": "专班成员",
    "plan": "整改措施",
    "progress": "整改进展",
    "how": "办结方式",
    "resolution": "办结说明",
    "resolved": "办结日期",
    "feedback": "群众满意度",
    "closed": "销号日期",
    "close_reason": "销号说明",
    "head": "户主",
    "village": "村",
    "group": "组",
    "members": "家庭人口",
    "id_number": "身份证号",
    "indicators": "风险指标",
    "pairings": "结对",
    "register_no": "登记编号",
    "registered": "建档日期",
    "removed": "销户日期",
    "recalled": "召回日期",
    "recall_reason": "召回原因",
    "date": "日期",
    "by": "走访人",
    "note": "记录",
    "items": "登记事项",
    "reason": "原因",
    "claimed_by": "认领人",
    "parent": "上级",
    "county": "县（区）",
}


def field_label(key: str, lang: str = "zh") -> str:
    """A record field's name for people: Chinese, or the YAML key itself in English."""
    return key if lang == "en" else FIELD_LABELS.get(key, key)


# Issue 17 (one language per message): what a refusal accepts, said in the chosen language rather than an English
# literal at the raise.
MESSAGES.update(
    {
        "acc_out_workbook": (
            "工作簿的文件名（xlsx 是二进制文件，不能输出到终端）",
            "a file name for the workbook (xlsx is binary)",
        ),
        "acc_leader_id": ("责任领导的干部编号 C-…", "a cadre id C-…"),
        "acc_report_folder": (
            "存放报表文件的文件夹（或 --site）",
            "a folder for the report files (or --site)",
        ),
        "acc_month_as_reported": ("month（按月报送，配合 --as-reported）", "month (with --as-reported)"),
        "acc_as_reported_by": ("{by}（报送时的口径）", "{by} (as reported)"),
        "acc_public_key_file": (
            "公钥文件，如 ~/.ssh/id_ed25519.pub",
            "a public key file such as ~/.ssh/id_ed25519.pub",
        ),
        "acc_private_key_file": (
            "SSH 私钥文件的路径，如 ~/.ssh/id_ed25519",
            "the path of an SSH private key, e.g. ~/.ssh/id_ed25519",
        ),
        "acc_one_place": (
            "--household H-… 与 --unit 单位代码 二者给且只给一个",
            "exactly one of --household H-… or --unit CODE",
        ),
        "acc_at_most_one_place": (
            "--household H-… 与 --unit 单位代码 至多给一个",
            "at most one of --household H-… or --unit CODE",
        ),
        "acc_date_with_to": ("日期 YYYY-MM-DD（配合 --to）", "a date YYYY-MM-DD (with --to)"),
        "acc_unit_code_digits": ("组织树中某个单位代码的数字", "digits of a unit code in the org tree"),
        "acc_site_unit": ("县、乡镇或村的代码", "a county, township or village code"),
        "acc_audit_since": ("本台账的提交、标签或分支", "a commit, tag or branch of this ledger"),
        "why_key_lines": ("有 {count} 行密钥", "{count} key lines"),
        "why_private_key": ("这是私钥", "a private key"),
        "why_key_type": ("类型“{name}”", "type '{name}'"),
        "why_not_base64": ("不是 base64 编码", "not base64"),
        "why_damaged_key": ("密钥数据已损坏", "damaged key data"),
        "why_no_such_file": ("文件不存在", "no such file"),
        "why_unreadable": ("无法读取该文件", "the file cannot be read"),
        "why_encrypted_key": (
            "不是未加密的私钥；请把它的 .pub 放在旁边",
            "not an unencrypted private key; put its .pub beside it",
        ),
        "why_not_hex": ("不是十六进制密钥", "not a hex key"),
        # a ledger file or --map that is not ledger YAML (yamlio.YamlProblem.said, store's details)
        "yaml_problem": ("YAML 有误：“{problem}”", "{problem}"),
        "yaml_duplicate_key": ("键“{field}”重复", "duplicate key {field}"),
        "file_too_large": (
            "文件有 {size} 字节，上限为 {limit} 字节",
            "file is {size} bytes; the limit is {limit}",
        ),
        "yaml_nul_bytes": ("文件含有 NUL 字节", "file contains NUL bytes"),
        "yaml_alias": (
            "台账文件中不允许使用 YAML 锚点和别名",
            "YAML anchors and aliases are not allowed in ledger files",
        ),
        "yaml_tag": ("台账文件中不允许使用 YAML 标签 {tag}", "YAML tag {tag} is not allowed in ledger files"),
        # PyYAML's own words, quoted as it said them (it has no Chinese)
        "yaml_syntax": ("YAML 语法错误，解析器报告：“{problem}”", "YAML syntax error: {problem}"),
        "yaml_not_utf8": ("文件不是 UTF-8 编码", "file is not UTF-8"),
        "yaml_one_document": ("实体文件只能有一个 YAML 文档", "entity files hold exactly one YAML document"),
        "at_line": ("第 {line} 行：{what}", "line {line}: {what}"),
        "detail_directory": ("应为文件的位置是一个目录", "a directory where a file belongs"),
        "detail_not_entity": ("文件内容应为编号 {id} 的条目（键值映射）", "expected a mapping with id {id}"),
        "detail_no_replay": ("其历史无法重放：“{error}”", "its history does not replay ({error})"),
        "detail_unknown_key": ("未知的键“{field}”", "unknown key {field}"),
        "detail_forged": (
            "字段“{field}”为 {value}，而其历史重放得到 {replayed}（是否被手工修改？）",
            "{field} is {value} but its history gives {replayed} (a hand edit?)",
        ),
        # click's own usage errors, said in Chinese (cli/help_lang.localize_usage_error)
        "usage_no_such_option": ("没有选项 {name}", "No such option: {name}"),
        "usage_did_you_mean": ("（是否想用 {names}？）", " (Possible options: {names})"),
        "usage_missing": ("缺少参数 {name}", "Missing parameter: {name}"),
        "usage_needs_value": ("选项 {name} 需要一个值", "Option '{name}' requires an argument."),
        "usage_no_such_command": ("没有命令“{name}”", "No such command '{name}'."),
        "usage_extra_arguments": ("多余的参数“{values}”", "Got unexpected extra arguments ({values})"),
        "usage_invalid_value": ("{name} 的值无效：“{detail}”", "Invalid value for '{name}': {detail}"),
        "usage_try": ("运行“{command} {option}”查看帮助。", "Try '{command} {option}' for help."),
        "usage_error": ("错误：{message}", "Error: {message}"),
        "ctrl_c": ("已中断", "interrupted"),
        "internal_error": (
            "内部错误：{kind}: {error}（加 -v 运行可看详情）",
            "internal error: {kind}: {error} (run with -v for details)",
        ),
        "acc_code_digits": (
            "在上级代码后续编的 {digits} 位数字代码",
            "{digits} digits extending the parent's code",
        ),
    }
)

# Issue 18 (helping units, talks with cadres): the new fields and the `post` op as `minqing log` names them.
FIELD_LABELS.update({"department": "帮扶单位", "posted": "驻村", "with_cadre": "谈话对象"})
OP_LABELS.update({"post": ("驻村", "post")})
