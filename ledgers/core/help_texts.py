"""Help text of every command, group, option and argument, in zh-CN and en: the catalog `minqing --help` reads.

Keys: a command by its path as typed (`"issue add"`; the root is `"minqing"`), an option by the command's path and the
option's long name (`"issue add --desc"`), an argument by its metavar (`"issue show ITEM_ID"`). A key without a path
(`"--as"`, `"ITEM_ID"`) is the text of that option wherever no command-specific key exists. cli/help_lang.py looks a
parameter up specific-first. Examples live apart in EXAMPLES: they are commands, the same in both languages, and are
printed as blocks that never rewrap (a pasted example must not be broken in the middle)."""

from __future__ import annotations

HELP: dict[str, tuple[str, str]] = {
    "--json": (
        "以 JSON 输出到标准输出（键名稳定，见 README）。",
        "Machine-readable JSON on stdout (stable keys, see README).",
    ),
    "CADRE_ID": ("干部编号或其唯一前缀。", "Cadre id or unique prefix."),
    "HOUSEHOLD_ID": ("农户编号或其唯一前缀。", "Household id or unique prefix."),
    "--as": (
        "以哪位干部的身份操作（干部编号；默认取 MINQING_USER 或 git config minqing.user）。",
        "Acting cadre id (default: MINQING_USER, git config minqing.user).",
    ),
    "--month": ("只看这个月，格式 YYYY-MM。", "Only this month, YYYY-MM."),
    "--date": ("日期 YYYY-MM-DD（默认今天）。", "Date YYYY-MM-DD (default: today)."),
    "--by": ("汇总口径：{codes}（默认 township）。", "Grouping: {codes} (default: township)."),
    "--unit": ("只看该单位及其下级（单位代码）。", "Only this unit and what lies under it (code)."),
    "--format": (
        "输出格式：table|md|csv|json|xlsx（默认 table）。",
        "table|md|csv|json|xlsx (default: table).",
    ),
    "--out": ("写入该文件，而不是标准输出。", "Write to this file instead of stdout."),
    "--ledger": ("台账：{codes}", "Ledger: {codes}"),
    "--kind": (
        "种类：households|cadres|visits|issues（导入时还可 petitions、surveys）",
        "households|cadres|visits|issues (import: also petitions, surveys)",
    ),
    "--encoding": (
        "CSV 编码（默认先试 UTF-8，再试 GB18030）。",
        "CSV encoding (default: detect UTF-8, then GB18030).",
    ),
    "--unmask": (
        "显示本机保存的完整身份证号、手机号（限有权角色；会记录）。",
        "Show full ID numbers/phones kept on this machine (allowed roles; logged).",
    ),
    "--reason": ("原因（必填）。", "Why (required)."),
    "--status": ("状态：{codes}", "Status: {codes}"),
    "CADRE": ("干部编号或其唯一前缀。", "Cadre id or unique prefix."),
    "--note": ("更正后的备注。", "The corrected note."),
    "--household": ("正确的农户。", "The right household."),
    "--raise": ("评议中指出的问题（可重复）。", "A problem pointed out at the review (repeatable)."),
    "--category": ("每个 --raise 的类别，按顺序对应。", "Category of each --raise, in order."),
    "--late": (
        "补录：记在已报送的期间之内；须同时给出 --reason。",
        "补录: record it inside a closed (reported) period; needs --reason.",
    ),
    "VISIT_ID": ("走访编号或其唯一前缀。", "Visit id or unique prefix."),
    "ITEM_ID": ("事项编号或其唯一前缀。", "Item id or unique prefix."),
    "ACTIVITY_ID": ("活动编号或其唯一前缀。", "Activity id or unique prefix."),
    "REVIEW_ID": ("评议编号或其唯一前缀。", "Review id or unique prefix."),
    "MONTH": ("月份，格式 YYYY-MM。", "The month YYYY-MM."),
    "minqing": (
        "民情台账 minqing：县里的农户、走访和事项台账，保存在 git 中。",
        "民情台账 minqing: the county ledger of households, visits and items, kept in git.",
    ),
    "-C": ("在这个台账目录中运行，如同从那里启动。", "Run as if started in this ledger directory."),
    "--lang": (
        "界面语言：zh（默认）或 en；也可设环境变量 MINQING_LANG。",
        "zh (default) or en; also MINQING_LANG.",
    ),
    "--verbose": ("输出更多信息。", "More output."),
    "--no-input": ("从不提问；缺少必填项即报错。", "Never prompt; a missing field is an error."),
    "--help": ("显示本帮助并退出。", "Show this message and exit."),
    "--version": ("显示版本号后退出。", "Print the version and exit."),
    "--install-completion": ("为当前 shell 安装命令补全。", "Install completion for the current shell."),
    "--show-completion": (
        "显示当前 shell 的命令补全脚本，便于复制或自行安装。",
        "Show completion for the current shell, to copy it or customize the installation.",
    ),
    "init": (
        "新建台账库：配置文件、组织树根节点和第一位管理员干部。",
        "Create a ledger repo with its config, org root and first admin cadre.",
    ),
    "init PATH": ("新台账库所在的目录。", "Directory for the new ledger repo."),
    "init --county-code": ("6 位 GB/T 2260 区划代码，例如 520602。", "6-digit GB/T 2260 code, e.g. 520602."),
    "init --county-name": ("县（区）名称，例如 碧江区。", "County name, e.g. 碧江区."),
    "init --admin-name": (
        "第一位管理员干部的姓名（默认取 git user.name）。",
        "First admin cadre (default: git user.name).",
    ),
    "status": (
        "给录入员的一屏概况：未销号、超期、本周到期，以及各人手上的事项。",
        "One-screen summary for the clerk: open, overdue, due this week, who holds what.",
    ),
    "demo": (
        "生成虚构的示例县 碧江区（种子 001）并显示其概况。",
        "Build the synthetic sample county 碧江区 (seed 001) and print its status.",
    ),
    "demo PATH": ("示例县的生成位置。", "Where to build the sample county."),
    "demo --seed": (
        "随机种子 0-2147483647：同一种子生成同一个县。",
        "Random seed 0-2147483647: the same seed builds the same county.",
    ),
    "pair": ("干部与农户结对（结对认亲）。", "Pair a cadre with a household (结对认亲)."),
    "pair CADRE_ID": ("干部编号或其前缀。", "Cadre id or prefix."),
    "pair HOUSEHOLD_ID": ("农户编号或其前缀。", "Household id or prefix."),
    "unpair": ("解除结对。", "Undo a pairing."),
    "unpair CADRE_ID": ("干部编号或其前缀。", "Cadre id or prefix."),
    "unpair HOUSEHOLD_ID": ("农户编号或其前缀。", "Household id or prefix."),
    "clone": (
        "克隆县台账库，并在克隆中登记合并驱动（以及县密钥）。",
        "Clone a county ledger and register its merge drivers (and the county secret) in the clone.",
    ),
    "clone URL": (
        "县中心库：路径，或 ssh://…、https://… 地址。",
        "The county's central repo: a path, ssh://… or https://… URL.",
    ),
    "clone PATH": ("克隆所在的目录（默认由地址得出）。", "Directory for the clone (default: from the URL)."),
    "clone --secret-file": (
        "县密钥（.git/minqing/secret）的副本，用于按身份证号查找。",
        "A copy of the county secret (.git/minqing/secret) for id-number look-ups.",
    ),
    "clone --user": (
        "在此克隆中默认以哪位干部身份操作（git config minqing.user）。",
        "Cadre id to act as by default in this clone (git config minqing.user).",
    ),
    "sync": (
        "拉取、合并（从不变基）并推送；按乡镇显示收到的内容。\n\n退出码：0 已同步；1 有真正的冲突需要人来处理（未推送）；3 远端无法连接。",
        "Fetch, merge (never rebase) and push; print what came in per township.\n\nExit 0 synced, 1 a true conflict needs a person (nothing was pushed), 3 the remote is unreachable.",
    ),
    "sync --remote": ("同步的远端（默认 origin）。", "Remote to sync with (default: origin)."),
    "conflicts": (
        "列出未完成的同步合并中的冲突及双方内容。仍有未解决的冲突时退出码为 1。",
        "List the conflicts of an unfinished sync merge, with both sides. Exit 1 while any is open.",
    ),
    "resolve-conflict": (
        "用一方的版本解决一个冲突；最后一个解决后即提交合并。",
        "Settle one conflict with one side's version; the last one settled commits the merge.",
    ),
    "resolve-conflict CONFLICT_ID": (
        "minqing conflicts 给出的冲突编号（条目编号，或 文件#键）。",
        "Conflict id from minqing conflicts (an entry id, or file#key).",
    ),
    "resolve-conflict --take": (
        "ours（本克隆的版本）| theirs（远端的版本）。",
        "ours (this clone's version) | theirs (the remote's).",
    ),
    "merge-driver": (
        "供 git 合并一个台账文件（在 .gitattributes 中声明；由 init、clone、doctor --fix 登记）。",
        "Merge one ledger file for git (declared in .gitattributes; registered by init, clone, doctor --fix).",
    ),
    "merge-driver BASE": (
        "%O：共同祖先的版本（临时文件）。",
        "%O: the common ancestor's version (a temp file).",
    ),
    "merge-driver OURS": (
        "%A：本方的版本；合并结果写在这里。",
        "%A: this side's version; the result is written here.",
    ),
    "merge-driver THEIRS": ("%B：另一方的版本。", "%B: the other side's version."),
    "merge-driver PATH": ("%P：该文件在台账中的路径。", "%P: the file's path in the ledger."),
    "doctor": (
        "检查本克隆：合并驱动、过期的锁、被中断的命令留下的文件、未完成的合并、临时文件。\n\n退出码：0 正常（或发现的问题都已修复）；1 仍有需要处理的问题。",
        "Check this clone: merge drivers, stale lock, files left by a killed command, unfinished merge, temp files.\n\nExit 0 when healthy (or everything found was fixed), 1 when something still needs attention.",
    ),
    "doctor --fix": (
        "修复能修复的问题（每项修复都会报告）。",
        "Repair what can be repaired (each repair is reported).",
    ),
    "check": (
        "检查每个台账文件；每个问题输出一行“路径:行号: 说明”，有问题时退出码为 1。",
        "Check every ledger file; print `path:line: message` per finding, exit 1 when there are any.",
    ),
    "check --activity-minimum": (
        "同时标出 --month 中活动次数少于此数的村（五帮五扶：2；见 minqing duties）。",
        "Also flag villages with fewer activities than this in --month (五帮五扶: 2; see minqing duties).",
    ),
    "check --month": (
        "--activity-minimum 所指的月份，YYYY-MM（默认本月）。",
        "Month for --activity-minimum, YYYY-MM (default: this one).",
    ),
    "rollup": (
        "按单位和期间汇总走访、覆盖、事项和逐级上交情况，带合计行。",
        "Visits, coverage, items and the escalation funnel per unit and period, with a total row.",
    ),
    "rollup --period": (
        "期间：day|week|halfmonth|month|quarter|year（默认 month）。",
        "day|week|halfmonth|month|quarter|year (default: month).",
    ),
    "rollup --from": ("指定区间的起始日期 YYYY-MM-DD。", "Start of an explicit range YYYY-MM-DD."),
    "rollup --to": ("指定区间的结束日期（默认今天）。", "End of an explicit range (default: today)."),
    "rollup --format": (
        "输出格式：table|md|csv|json|xlsx|html（默认 table）。",
        "table|md|csv|json|xlsx|html (default: table).",
    ),
    "rollup --fail-on-overdue": (
        "有任何事项超期时退出码为 1（供定时任务报警）。",
        "Exit 1 when any item is overdue (for cron alerts).",
    ),
    "rollup --repo": (
        "要汇总的台账库；可重复，用于多个县。",
        "Ledger repo to include; repeat for several counties.",
    ),
    "rollup --repos-file": (
        "列出要汇总的台账库的文本文件：每行一个路径（空行、# 注释行不计；相对路径从该文件所在目录算起），"
        "可与 --repo 同用；多个台账库并行汇总（MINQING_JOBS 设进程数，1 为逐个）。",
        "A text file listing ledger repos to include, one path a line (blank lines and # comments skipped; relative "
        "to the file's folder); goes with --repo. Several ledgers are read in parallel (MINQING_JOBS: processes, 1: "
        "one at a time).",
    ),
    "rollup --as-reported": (
        "按月份报送（period close）时保存的数字原样输出。",
        "The figures stored when the month was closed (period close), exactly.",
    ),
    "rollup --ytd": (
        "今年以来：从 --to（默认今天）所在年份的 1 月 1 日到 --to。",
        "Year to date: 1 January of --to's year (default: today's) through --to.",
    ),
    "rollup --each": (
        "逐期并列：month|quarter|year，覆盖 --from..--to（可写 YYYY-MM；默认今年 1 月至今），另有全期合计。",
        "Periods side by side: month|quarter|year over --from..--to (YYYY-MM allowed; default: this year to "
        "date), with the span's total.",
    ),
    "rollup --metric": (
        "--each 的表格列出哪些指标（JSON 键名或列名，可重复或用逗号分隔；默认 走访、已走访户、有问题户、新增事项、销号、未销号）。",
        "Figures the --each table shows (JSON keys or headers; repeat or comma-separate; default: visits, "
        "households_visited, households_with_problems, opened, closed, open).",
    ),
    "reindex": (
        "按台账已提交的 YAML 重建索引缓存（.git/minqing/index.sqlite）。",
        "Rebuild the index cache (.git/minqing/index.sqlite) from the ledger's committed YAML.",
    ),
    "rank": (
        "按公开的计分办法给乡镇或驻村工作队做季度排名（季排名），列出每项得分。\n\n得分 = 40 × 按期办结率 + 30 × 走访覆盖率 + 30 × 满意率 − 每个超期事项 2 分（最多扣 30 分）。",
        "Rank townships or village work teams for a quarter (季排名) by a documented score, each component shown.\n\nScore = 40 × on-time rate + 30 × coverage + 30 × satisfaction − 2 per overdue item (at most 30).",
    ),
    "rank --quarter": ("季度 YYYYQn（默认本季度）。", "Quarter YYYYQn (default: the current one)."),
    "rank --by": ("排名对象：township|team（默认 township）。", "township|team (default: township)."),
    "reconcile": (
        "对账销号表：每个未销号条目及其最近一次处理和距今天数，供每月联席会议使用。",
        "Reconciliation sheet (对账销号): each open entry with its last action and the days since, for the monthly joint meeting.",
    ),
    "reconcile --ledger": ("台账：{codes}（默认三本都列）。", "Ledger: {codes} (default: all three)."),
    "reconcile --unit": ("单位代码（默认全县）。", "Unit code (default: the whole county)."),
    "duties": (
        "检查职责完成情况：每村每月活动（五帮五扶 ≥ 2）、每位县领导每月蹲点一次、每个结对户每季度谈心谈话一次、每个帮扶单位每月活动（五帮五扶 ≥ 2）、每名驻村工作队干部每季度被谈心谈话一次。每项不足输出一行“路径: 说明”；有不足时退出码为 1。",
        "Check the duties: activities per village a month (五帮五扶 ≥ 2), a stay a month per county leader (蹲点), a talk a quarter per paired household (谈心谈话), activities per department a month (五帮五扶 ≥ 2), a talk a quarter with each work-team cadre. Prints `path: message` per shortfall; exit 1 when any.",
    ),
    "duties --month": (
        "活动和蹲点所看的月份，YYYY-MM（默认本月）。",
        "Month for activities and stays, YYYY-MM (default: this one).",
    ),
    "duties --quarter": (
        "谈心谈话所看的季度，YYYYQn（默认本季度）。",
        "Quarter for talks, YYYYQn (default: this one).",
    ),
    "duties --only": (
        "只查：activities|stays|talks|departments|cadre_talks（默认全部都查）。",
        "activities|stays|talks|departments|cadre_talks (default: all of them).",
    ),
    "duties --activity-minimum": (
        "每村（及每个帮扶单位）每月需要的活动次数（默认取 minqing.yaml，2）。",
        "Activities a village (and a department) needs a month (default: minqing.yaml, 2).",
    ),
    "import": (
        "导入农户、干部、走访或事项的台账表格：要么全部导入，要么一行不写，一次提交。",
        "Import an office sheet (台账) of households, cadres, visits or items: all rows or nothing, one commit.\n\nExample: minqing import 农户花名册.csv --kind households --encoding gb18030",
    ),
    "import FILE": (
        "表格文件：.xlsx 或 .csv（UTF-8、带 BOM 的 UTF-8、GB18030/GBK）。",
        "The sheet: .xlsx or .csv (UTF-8, UTF-8 with BOM, GB18030/GBK).",
    ),
    "import --sheet": (
        ".xlsx 中的工作表名（默认为当前可见的活动表，否则为第一张可见的表；隐藏的表只能按名称指定）。",
        "Worksheet name in an .xlsx (default: the active sheet if visible, else the first visible one; a hidden sheet only by name).",
    ),
    "import --map": (
        "YAML 文件，把本表的表头对应到字段（表头: 字段）。",
        "YAML file mapping this sheet's headers to fields (header: field).",
    ),
    "import --dry-run": ("逐行检查并报告；不写入任何内容。", "Check every row and report; write nothing."),
    "import --registered": (
        "本表中农户、干部和结对的建档日期（例如去年的花名册）：YYYY-MM-DD。",
        "The day this sheet's households, cadres and pairings date from (建档), e.g. last year's roster: YYYY-MM-DD.",
    ),
    "import --role": (
        "干部花名册没有“角色”列时，所有干部的角色（村级单位默认 village）。",
        "Cadres: the role of every cadre of a roster without a 角色 column (default: village for a village unit).",
    ),
    "export": (
        "按导入所用的台账表头导出农户、干部、走访或事项（身份证号、手机号遮盖）。",
        "Export households, cadres, visits or items with the 台账 headers import reads (ID numbers and phones masked).\n\nExample: minqing export --kind households --format csv > households.csv",
    ),
    "export --state": (
        "事项：registered|assigned|in_progress|resolved|closed|open；农户：poor|lifted|monitored|general；干部：active|recalled。",
        "Items: registered|assigned|in_progress|resolved|closed|open; households: poor|lifted|monitored|general; cadres: active|recalled.",
    ),
    "export --unit": ("只导出该单位代码下的条目。", "Only entries under this unit code."),
    "export --format": (
        "输出格式：xlsx|csv|json（默认按 --out 的扩展名，否则 csv）。",
        "xlsx|csv|json (default: from --out's suffix, else csv).",
    ),
    "export --out": (
        "要写入的文件（不给时 csv 和 json 输出到标准输出）。",
        "File to write (csv and json go to stdout without it).",
    ),
    "export --encoding": (
        "CSV 编码（默认 utf-8-sig，Excel 可直接打开；旧版 Excel 用 gb18030）。",
        "CSV encoding (default utf-8-sig, which Excel opens; gb18030 for old Excel).",
    ),
    "export --as": (
        "配合 --unmask，以哪位干部的身份操作（默认取 MINQING_USER 或 git config minqing.user）。",
        "Acting cadre id, for --unmask (default: MINQING_USER, git config minqing.user).",
    ),
    "find": (
        "按名称（单位也可用曾用名）、拼音、首字母或编号前缀查找农户、干部、事项和单位。",
        "Find households, cadres, items and units by name (a unit by an earlier name too), pinyin, initials or ID prefix.\n\nExample: minqing find 路灯 --kind item --json",
    ),
    "find TEXT": (
        "中文、拼音（zhangsan）、首字母（zs）或编号前缀。",
        "Chinese text, pinyin (zhangsan), initials (zs) or an ID prefix.",
    ),
    "find --kind": ("只找：household|cadre|item|unit。", "Only household|cadre|item|unit."),
    "find --limit": ("最多显示的结果数（0 表示全部）。", "At most this many results (0: all)."),
    "log": (
        "显示一个条目（或全部）的历史：日期、操作人、操作、字段变化和提交。",
        "Show the history of one entry (or all): date, actor, operation, field changes and commit.",
    ),
    "log ENTRY": (
        "条目：Q-/H-/C- 编号或唯一前缀，V-/A-/R- 编号，或单位代码。",
        "An entry: Q-/H-/C- id or unique prefix, V-/A-/R- id, unit code.",
    ),
    "log --since": ("只看该日期及以后的变化。", "Only changes on or after this date."),
    "log --by": (
        "只看这位干部（编号或前缀）做的变化，以及他参加的走访。",
        "Only changes made by this cadre (id or prefix), and the visits they went on.",
    ),
    "log --op": (
        "只看这种操作：issue.close，或 close、assign 等。",
        "Only this operation: issue.close, or close, assign, …",
    ),
    "log --limit": ("只看最近 N 条变化。", "Only the last N changes."),
    "log --unmask": (
        "显示完整的身份证号和手机号（限 unmask_roles；会记录）。",
        "Show full ID numbers and phones (unmask_roles only; logged).",
    ),
    "audit": (
        "逐个提交重放历史，报告操作规则不允许的每一处改动（有则退出码为 1）。",
        "Replay the history commit by commit and report every change its operation does not allow (exit 1).",
    ),
    "audit --since": (
        "只看这个之后的提交（提交、标签或分支）。",
        "Only commits after this one (commit, tag or branch).",
    ),
    "undo": (
        "撤销你今天的最后一次操作（一次走访、一项活动、一个登记的事项、一次结对），作为一个新提交。\n\n以下情况拒绝：之后已有人在其上继续操作；操作不是今天做的；该操作有自己的更正命令（提示中会写明）。",
        "Undo your last operation of today (a visit, an activity, an item registered, a pairing) as a new commit.\n\nRefused when someone has since built on it, when it was not today, or for an operation with its own correction command (named in the message).",
    ),
    "undo --reason": ("原因（随撤销一起记录）。", "Why (recorded with the undo)."),
    "org": ("组织树：县 → 乡镇 → 村 → 组/网格。", "The org tree: county → township → village → group/grid."),
    "org add": (
        "在组织树中添加单位；未给出的层级和上级按代码推出。",
        "Add a unit to the org tree; its level and parent are read from the code when left out.",
    ),
    "org add CODE": (
        "单位代码：乡镇 9 位（或统计局的 12 位 CCCCCCTTT000），村 12 位，组 14-15 位；帮扶单位为县代码 + D + 2-3 位序号（520602D01）。",
        "Unit code: township 9 digits (or the bureau's 12-digit CCCCCCTTT000), village 12, group 14-15; a department (帮扶单位) the county code, D and 2-3 digits (520602D01).",
    ),
    "org add NAME": (
        "单位名称；正式名称（…村民委员会）与简称（…村）一并保存。",
        "Unit name; an official one (…村民委员会) is kept beside its short name (…村).",
    ),
    "org add --level": (
        "层级：township|village|group|department（默认按代码推出）。",
        "township|village|group|department (default: read from the code).",
    ),
    "org add --parent": (
        "上级单位，代码或名称（默认按代码推出）。",
        "Parent unit, code or name (default: from the code).",
    ),
    "org import": (
        "导入统计局的单位名单（统计用区划代码、名称）：要么全部导入，要么一行不写，一次提交。\n\n层级和上级按各行代码推出；本县那一行须与 minqing.yaml 一致；正式名称与各单位常用的简称一并保存。组织树中已有的同名单位保持不变，所以再次导入同一名单不会改动任何内容。",
        "Import the bureau's list of units (统计用区划代码, 名称): all rows or nothing, one commit.\n\nLevel and parent come from each code; the county's own row is checked against minqing.yaml; official names are kept beside the short names offices use. Units already in the tree under the same name are left as they are, so importing the same list again changes nothing.",
    ),
    "org import FILE": (
        "统计局的区划代码名单（.xlsx 或 .csv）。",
        "The statistics bureau's list of division codes (.xlsx or .csv).",
    ),
    "org import --sheet": (".xlsx 中的工作表（默认第一张）。", "Worksheet of an .xlsx (default: the first)."),
    "org import --dry-run": ("逐行检查；不写入任何内容。", "Check every row; write nothing."),
    "org alias": (
        "给单位另起一个名称（别名），选项、表格和查找都认得它。",
        "Give a unit another name (别名) that options, sheets and find accept.",
    ),
    "org alias CODE": ("单位，代码或名称。", "The unit, code or name."),
    "org alias ALIAS": ("该单位的另一个名称（别名）。", "Another name it is known by (别名)."),
    "org rename": (
        "单位更名；旧名称保留为别名，查找和导入仍认得它。",
        "Rename a unit (更名); the old name stays as an alias, so find and import still know it.",
    ),
    "org rename CODE": ("更名单位的代码。", "Code of the unit renamed."),
    "org rename NAME": ("新名称。", "Its new name."),
    "org rename --reason": ("原因（例如批准文件）。", "Why (e.g. the approval document)."),
    "org merge": (
        "把单位并入同级的另一个单位（撤并建制村）：其农户、干部和未办结事项在一次提交中迁入；原代码停用，永不再用。乡镇须在其下各村都并走后才能合并。",
        "Merge a unit into another of its level (撤并建制村): its households, cadres and unfinished items move in one commit; the code is retired, never reused. A township only once its villages are merged.",
    ),
    "org merge CODE": ("被合并（停用）单位的代码。", "Code of the unit merged (retired)."),
    "org merge --into": ("并入单位的代码（同一层级）。", "Code of the unit it joins (same level)."),
    "org merge --group-into": (
        "合并村时：其农户并入 --into 的哪个组。",
        "Merging a village: the group of --into its households join.",
    ),
    "org list": (
        "显示组织树；备注中给出单位的正式名称、其他名称，以及已撤并单位的去向（撤并）。",
        "Print the org tree; a note gives a unit's official name, its other names and where a merged one went (撤并).",
    ),
    "cadre": ("干部：走访、交办和销号的人。", "Cadres: the people who visit, assign and close."),
    "cadre add": ("把干部加入花名册。", "Add a cadre to the roster."),
    "cadre add --name": ("干部姓名。", "Cadre's name."),
    "cadre add --unit": ("干部所在单位的代码。", "Unit code the cadre belongs to."),
    "cadre add --role": ("角色：{codes}", "Role: {codes}"),
    "cadre add --title": (
        "职务：第一书记|驻村队长|包村领导|…（自由填写）。",
        "第一书记|驻村队长|包村领导|… (free text).",
    ),
    "cadre add --phone": ("手机号；保存遮盖后的号码和密钥哈希。", "Phone; stored masked plus a keyed hash."),
    "cadre list": ("列出干部。", "List cadres."),
    "cadre list --unit": (
        "只列该单位（及其下级单位）的干部。",
        "Only cadres of this unit (and units below it).",
    ),
    "cadre list --status": ("状态：{codes}", "Status: {codes}"),
    "cadre show": (
        "显示一位干部及其结对和未销号事项（--unmask：完整手机号，限有权角色，会记录）。",
        "Show one cadre, with pairings and open cases (--unmask: full phone, for allowed roles, logged).",
    ),
    "cadre recall": (
        "召回干部；其未销号事项随后须改派。",
        "Recall a cadre (召回); their open cases then need reassignment.",
    ),
    "cadre recall --reason": ("召回原因（必填）。", "Why the cadre is recalled (required)."),
    "cadre roster": (
        "干部花名册：状态、召回情况及各人手上的事项；被召回干部的未销号事项须改派。",
        "The cadre roster: status, recalls and what each still holds; recalled cadres' open cases need reassignment.",
    ),
    "cadre roster --unit": ("只列该单位及其下级的干部。", "Only cadres of this unit and below."),
    "cadre roster --recalled": (
        "只列被召回的干部（召回），以及须改派的事项。",
        "Only recalled cadres (召回), with what needs reassignment.",
    ),
    "cadre edit": (
        "更正干部的姓名、职务或手机号；旧值保留在历史中。",
        "Correct a cadre's name, title or phone (更正); the old values stay in the history.",
    ),
    "cadre edit --name": ("更正后的姓名。", "The corrected name."),
    "cadre edit --title": (
        "更正后的职务（第一书记|驻村队长|…）。",
        "The corrected title (第一书记|驻村队长|…).",
    ),
    "cadre edit --phone": (
        "更正后的手机号；保存遮盖后的号码和密钥哈希。",
        "The corrected phone; stored masked plus a keyed hash.",
    ),
    "cadre edit --reason": ("更正原因（必填）。", "Why it is corrected (required)."),
    "cadre move": (
        "干部调动到另一单位；列出其未销号事项和结对，保留或移交。",
        "Move a cadre to another unit (调动); open cases and pairings are listed, kept or handed over.",
    ),
    "cadre move --unit": ("调入的单位。", "The unit the cadre moves to."),
    "cadre move --reason": ("原因（必填）：调动文件。", "Why (required): the transfer order."),
    "cadre move --hand-over-to": (
        "接手未销号事项和结对的干部（不给则保留原样）。",
        "Cadre who takes over the open cases and pairings (else they are kept).",
    ),
    "cadre key": ("干部的 SSH 签名密钥（git 提交签名）。", "Cadres' SSH signing keys (git commit signing)."),
    "cadre key add": (
        "登记干部用于签名提交的 SSH 公钥（在干部文件上一次提交）。",
        "Register a cadre's SSH public key for signed commits (one commit on the cadre file).",
    ),
    "cadre key add --ssh-pubkey": (
        "该干部的 SSH 公钥文件（…/id_ed25519.pub）。",
        "The cadre's SSH public key file (…/id_ed25519.pub).",
    ),
    "cadre key use": (
        "本机上该干部的提交用这把私钥签名（本地 git 配置，不产生提交）。",
        "Sign this machine's commits by the cadre with this private key (local git config, no commit).",
    ),
    "cadre key use KEYFILE": ("本机上该干部的 SSH 私钥。", "The cadre's SSH private key on this machine."),
    "household": (
        "登记在册的农户（两不愁三保障指标、结对）。",
        "Households on the register (两不愁三保障 indicators, pairings).",
    ),
    "household add": ("把农户加入花名册。", "Add a household to the register."),
    "household add --head": ("户主。", "Head of household."),
    "household add --village": ("村代码（12 位）。", "Village code (12 digits)."),
    "household add --group": ("村内的组/网格代码。", "Group/grid code within the village."),
    "household add --members": ("家庭人口数（1-50）。", "Number of members (1-50)."),
    "household add --id-number": (
        "18 位身份证号（会校验，保存遮盖后的号码和密钥哈希）。",
        "18-digit ID (checked, stored masked + keyed hash).",
    ),
    "household add --phone": (
        "手机号（保存遮盖后的号码和密钥哈希）。",
        "Phone (stored masked + keyed hash).",
    ),
    "household add --register-no": ("在本单位花名册上的编号。", "Number on the office's register."),
    "household add --registered": (
        "本单位建档的日期，YYYY-MM-DD（已知时填写）。",
        "The day the office registered it (建档), YYYY-MM-DD, when known.",
    ),
    "household list": (
        "列出农户（身份证号、手机号遮盖）；--all 同时列出已销户的。",
        "List households (ID numbers and phones masked); --all includes removed ones (销户).",
    ),
    "household list --unit": ("只列该单位代码下的农户。", "Only households under this unit code."),
    "household list --all": (
        "同时列出已销户（销户）的农户，并加标记。",
        "Also households removed from the register (销户), marked.",
    ),
    "household show": (
        "显示一户的指标、结对、走访和事项（--unmask：完整身份证号和手机号）。",
        "Show one household with its indicators, pairings, visits and items (--unmask: full ID number and phone).",
    ),
    "household set": (
        "设置农户的两不愁三保障及饮水安全指标、状态或人口数。",
        "Set a household's 两不愁三保障 + drinking-water indicators, status or members.",
    ),
    "household set --food": ("ok|risk（不愁吃）", "ok|risk (不愁吃)"),
    "household set --clothing": ("ok|risk（不愁穿）", "ok|risk (不愁穿)"),
    "household set --education": ("ok|risk（义务教育保障）", "ok|risk (义务教育保障)"),
    "household set --medical": ("ok|risk（基本医疗保障）", "ok|risk (基本医疗保障)"),
    "household set --housing": ("ok|risk（住房安全保障）", "ok|risk (住房安全保障)"),
    "household set --water": ("ok|risk（饮水安全）", "ok|risk (饮水安全)"),
    "household set --members": ("家庭人口数。", "Number of members."),
    "household set --phone": ("新手机号（遮盖保存）。", "New phone (stored masked)."),
    "household find": (
        "按完整身份证号查找农户（用密钥哈希比对；号码本身从不保存）。",
        "Find a household by full ID number (matched by keyed hash; the number itself is never stored).",
    ),
    "household find --id-number": ("要查找的完整 18 位身份证号。", "Full 18-digit ID number to look up."),
    "household edit": (
        "更正农户信息；旧值保留在历史中。迁到别的村请用 household move。",
        "Correct a household (更正); the old values stay in its history. Another village: household move.",
    ),
    "household edit --head": ("更正后的户主。", "The corrected head of household."),
    "household edit --members": ("更正后的家庭人口数（1-50）。", "The corrected number of members (1-50)."),
    "household edit --group": (
        "正确的组/网格代码（须为该户所在村的组）。",
        "The right group/grid code (a group of the household's village).",
    ),
    "household edit --register-no": (
        "更正后的花名册编号。",
        "The corrected number on the office's register.",
    ),
    "household edit --reason": ("更正原因（必填）。", "Why it is corrected (required)."),
    "household move": (
        "把农户迁到另一个村（搬迁）；其事项保留原单位，结对保留并列出。",
        "Move a household to another village (搬迁); its items keep their unit and its pairings stay, listed.",
    ),
    "household move --village": ("新村代码（12 位）。", "The new village code (12 digits)."),
    "household move --group": ("新村内的组/网格代码。", "Group/grid code within the new village."),
    "household move --reason": ("迁移原因（必填）。", "Why it moves (required)."),
    "household remove": (
        "把农户从花名册中销户：从今天起不计入任何统计，历史保留。仍有结对或有未销号事项时拒绝，除非用 --transfer-to 把事项移交给另一户。",
        "Remove a household from the register (销户): out of every count from today, history kept. Refused while it is paired or has items not closed, unless --transfer-to moves the items to another household.",
    ),
    "household remove --reason": ("原因：{codes}（必填）。", "Reason: {codes} (required)."),
    "household remove --note": ("具体情况（文字）。", "What happened, in words."),
    "household remove --transfer-to": (
        "接手其未销号事项的农户。",
        "Household that takes over its items not yet closed.",
    ),
    "visit": (
        "走访、谈心谈话和蹲点（大走访、谈心谈话、蹲点）。",
        "Visits, talks and stays (大走访, 谈心谈话, 蹲点).",
    ),
    "visit add": (
        "记录一次走访（及走访中提出的每个事项），作为一次提交。",
        "Record a visit (and every item raised during it) as one commit.",
    ),
    "visit add --household": ("走访的农户（编号或前缀）。", "Household visited (id or prefix)."),
    "visit add --by": (
        "走访干部，逗号分隔（五人大走访）。",
        "Visiting cadres, comma-separated (五人大走访).",
    ),
    "visit add --kind": ("种类：{codes}", "Kind: {codes}"),
    "visit add --note": ("所见所闻。", "What was seen and said."),
    "visit add --unit": (
        "不针对某一户的蹲点：单位代码。",
        "For a stay (蹲点) without a household: the unit code.",
    ),
    "visit add --raise": ("走访中提出的事项（可重复）。", "An item raised during the visit (repeatable)."),
    "visit add --on-spot": (
        "第 i 个提出的事项是如何当场解决的。",
        "How the i-th raised item was solved on the spot.",
    ),
    "visit add --item-kind": (
        "提出事项的种类（默认 problem）。",
        "Kind of the raised items (default problem).",
    ),
    "visit add --reason": ("补录原因（配合 --late）。", "Why it is recorded late (with --late)."),
    "visit edit": (
        "更正走访：新记录注明被更正的原记录；所有统计都用更正后的记录。",
        "Correct a visit (更正): a new record naming the old one; every count uses the corrected record.",
    ),
    "visit edit --date": ("正确的日期 YYYY-MM-DD。", "The right date YYYY-MM-DD."),
    "visit edit --by": ("正确的走访干部，逗号分隔。", "The right visiting cadres, comma-separated."),
    "visit edit --reason": ("更正原因（必填）。", "Why it is corrected (required)."),
    "visit void": (
        "作废误录的走访：它不再计入任何统计；其事项会列出，供作废或保留。",
        "Void a visit typed in by mistake (作废): it leaves every count; its items are listed to void or keep.",
    ),
    "visit void --reason": ("原因（必填）：误录、重复录入。", "Why (required): typed in by mistake, twice."),
    "visit list": ("列出走访、谈心谈话和蹲点。", "List visits, talks and stays."),
    "visit list --household": ("只列这一户的走访。", "Only visits of this household."),
    "visit list --unit": ("只列该单位代码下的走访。", "Only visits under this unit code."),
    "visit list --by": (
        "只列这位干部（编号或前缀）参加的走访，不论由谁录入。",
        "Only visits this cadre (id or prefix) went on, whoever typed them in.",
    ),
    "issue": (
        "台账上的事项及其流程，直至销号。",
        "Items on the ledger and their workflow, worked to closure (销号).",
    ),
    "issue add": ("在台账上登记一个事项。", "Register an item on a ledger."),
    "issue add --desc": ("问题或诉求的内容。", "What the problem or appeal is."),
    "issue add --category": ("类别：{codes}", "Category: {codes}"),
    "issue add --kind": ("种类：{codes}", "Kind: {codes}"),
    "issue add --source": ("来源：{codes}", "Source: {codes}"),
    "issue add --household": ("涉及的农户（编号或前缀）。", "Household concerned (id or prefix)."),
    "issue add --unit": ("不针对某一户时，涉及的单位。", "Unit concerned, when not one household."),
    "issue add --visit": ("提出该事项的那次走访。", "Visit during which it was raised."),
    "issue add --due": (
        "办结时限 YYYY-MM-DD（信访件默认 60 天）。",
        "Deadline YYYY-MM-DD (petitions default to 60 days).",
    ),
    "issue assign": (
        "交办事项：一个案件一名领导一套班子一个方案，一个时限。",
        "Assign an item: one leader, one team, one plan, one deadline (一个案件一名领导一套班子一个方案).",
    ),
    "issue assign --leader": ("责任领导（干部编号）。", "Responsible leader (cadre id)."),
    "issue assign --unit": ("责任单位（文字）。", "Responsible unit (责任单位), text."),
    "issue assign --due": ("办结时限 YYYY-MM-DD。", "Deadline YYYY-MM-DD."),
    "issue assign --team": ("工作专班，干部编号逗号分隔。", "Working team, cadre ids comma-separated."),
    "issue assign --plan": ("方案。", "The plan (方案)."),
    "issue progress": ("记录已交办事项的进展。", "Record progress on an assigned item."),
    "issue progress --note": ("做了什么。", "What was done."),
    "issue escalate": (
        "把事项上交乡镇或县（在该层级重新登记，历史保留）。",
        "Refer an item to the township or county (registered again at that level, history kept).",
    ),
    "issue escalate --to": ("上交到：township|county", "township|county"),
    "issue escalate --reason": ("上交原因。", "Why it goes up."),
    "issue resolve": (
        "办结事项（explained：对不合理诉求作政策解释）。",
        "Resolve an item (explained = a policy explanation for an unreasonable demand).",
    ),
    "issue resolve --how": ("办结方式：{codes}", "How it was resolved: {codes}"),
    "issue resolve --note": ("如何办结。", "How it was resolved."),
    "issue feedback": (
        "记录农户对已办结事项的反馈（unsatisfied 会退回整改中）。",
        "Record the household's feedback on a resolved item (unsatisfied sends it back to in_progress).",
    ),
    "issue feedback --result": ("反馈结果：{codes}", "Feedback: {codes}"),
    "issue feedback --note": ("农户怎么说。", "What the household said."),
    "issue close": ("给已办结的事项销号。", "Close (销号) a resolved item."),
    "issue close --reason": (
        "没有 satisfied/basic 反馈时必填。",
        "Needed when there is no satisfied/basic feedback.",
    ),
    "issue reopen": ("重新打开已销号的事项。", "Reopen a closed item."),
    "issue edit": (
        "更正事项；旧值保留在历史中。已销号的事项只能由有权销号的角色更正。",
        "Correct an item (更正); the old values stay in its history. A closed item only by a role that may close it.",
    ),
    "issue edit --desc": ("更正后的描述。", "The corrected description."),
    "issue edit --category": ("类别：{codes}", "Category: {codes}"),
    "issue edit --kind": ("种类：problem|appeal|wish|suggestion", "problem|appeal|wish|suggestion"),
    "issue edit --unit": ("正确的单位（无涉及农户时）。", "The right unit (no household)."),
    "issue edit --reason": ("更正原因（必填）。", "Why it is corrected (required)."),
    "issue void": (
        "作废重复或误录的事项：它不再计入任何统计和列表；issue show 仍可查看。",
        "Void a duplicate or mistaken item (作废): it leaves every count and list; `issue show` still shows it.",
    ),
    "issue void --reason": ("原因（必填）：重复、误录。", "Why (required): a duplicate, a mistake."),
    "issue extend": (
        "延长事项的办结时限（信访件：只能延一次，最多 30 天）。",
        "Move an item's deadline (petitions: once, at most 30 days).",
    ),
    "issue extend --to": ("新的办结时限 YYYY-MM-DD。", "New deadline YYYY-MM-DD."),
    "issue claim": ("由一位干部认领微心愿并负责圆梦。", "Claim a wish (微心愿) for a cadre to fulfil."),
    "issue claim ITEM_ID": ("心愿编号或其唯一前缀。", "Wish id or unique prefix."),
    "issue claim --by": ("认领心愿的干部。", "Cadre who takes on the wish."),
    "issue show": ("显示一个事项及其全部历史。", "Show one item with its whole history."),
    "issue list": ("按条件列出事项。", "List items, filtered."),
    "issue list --state": (
        "状态：registered|assigned|in_progress|resolved|closed|open|voided",
        "registered|assigned|in_progress|resolved|closed|open|voided",
    ),
    "issue list --overdue": ("只列已过时限的未销号事项。", "Only open items past their deadline."),
    "issue list --all": ("同时列出已作废的事项，标为“已作废”。", "Also voided (作废) items, marked 已作废."),
    "issue list --unit": ("只列该单位代码下的事项。", "Only items under this unit code."),
    "issue list --leader": ("只列这位责任领导的事项。", "Only items of this responsible leader."),
    "issue list --category": ("只列这个类别。", "Only this category."),
    "issue list --kind": ("只列这个种类。", "Only this kind."),
    "issue list --ledger": ("只列这本台账。", "Only this ledger."),
    "report": ("给办公室生成的报表（定时任务）。", "Reports written for the office (cron)."),
    "report nightly": (
        "把当天和本月累计的汇总以 md、json 和 html 写入一个文件夹（安静运行，供定时任务）。",
        "Write the day's and the month-to-date rollups as md, json and html into a folder (quiet, for cron).",
    ),
    "report nightly --out-dir": (
        "存放 YYYY-MM-DD.{md,json,html} 的文件夹。",
        "Folder for YYYY-MM-DD.{md,json,html}.",
    ),
    "report nightly --verbose": (
        "列出写入的文件（以及索引提示）。",
        "List the files written (and index notes).",
    ),
    "report daily": (
        "日报（日报制）：按乡镇列出走访、谈心谈话、蹲点、新提出和销号的事项，以及新超期的事项。",
        "Daily report (日报制): visits, talks, stays, items raised and closed, and what fell overdue, per township.",
    ),
    "report daily --date": ("报告的日期（默认昨天）。", "The day reported (default: yesterday)."),
    "report daily --format": ("输出格式：table|md|json（默认 table）。", "table|md|json (default: table)."),
    "report daily --out-dir": (
        "把 daily-YYYY-MM-DD.{md,json,html} 写入该文件夹。",
        "Write daily-YYYY-MM-DD.{md,json,html} into this folder.",
    ),
    "report daily --verbose": (
        "列出写入的文件（否则成功时什么也不输出，供定时任务）。",
        "List the files written (otherwise nothing is printed on success, for cron).",
    ),
    "activity": (
        "活动：农民夜校、宣讲、公益和农技服务、环境整治、演练、联席会议。",
        "Activities: night schools, lectures, public/farm services, cleanups, drills, joint meetings.",
    ),
    "activity add": (
        "记录一项活动（农民夜校、政策宣讲、公益服务、环境整治、联席会议等），作为一次提交。",
        "Record an activity (农民夜校, 政策宣讲, 公益服务, 环境整治, 联席会议 …) as one commit.",
    ),
    "activity add --kind": ("种类：{codes}", "Kind: {codes}"),
    "activity add --unit": (
        "举办地的单位代码（村、乡镇等）。",
        "Unit code where it was held (village, township…).",
    ),
    "activity add --title": ("活动内容（一行）。", "What it was (one line)."),
    "activity add --participants": ("参加人数。", "Number of people who took part."),
    "activity add --by": ("组织活动的干部，逗号分隔。", "Organising cadres, comma-separated."),
    "activity add --note": ("其他值得记下的情况。", "Anything else worth keeping."),
    "activity add --reason": ("补录原因（配合 --late）。", "Why it is recorded late (with --late)."),
    "activity edit": (
        "更正活动：新记录注明被更正的原记录；所有统计都用更正后的记录。",
        "Correct an activity (更正): a new record naming the old one; every count uses the corrected record.",
    ),
    "activity edit --date": ("正确的日期 YYYY-MM-DD。", "The right date YYYY-MM-DD."),
    "activity edit --kind": ("正确的种类。", "The right kind."),
    "activity edit --unit": ("正确的单位代码。", "The right unit code."),
    "activity edit --title": ("更正后的活动内容。", "The corrected title."),
    "activity edit --participants": ("正确的人数。", "The right number."),
    "activity edit --by": ("正确的组织干部。", "The right organising cadres."),
    "activity edit --reason": ("更正原因（必填）。", "Why it is corrected (required)."),
    "activity void": (
        "作废误录的活动：它不再计入任何统计和每月最低次数。",
        "Void an activity recorded by mistake (作废): it leaves every count and the monthly minimum.",
    ),
    "activity list": (
        "列出活动，按种类给出场次和参加人数。",
        "List activities, with sessions and participants per kind.",
    ),
    "activity list --kind": ("只列这个种类。", "Only this kind."),
    "activity list --year": (
        "只列这一年（YYYY），如今年以来。",
        "Only this year (YYYY), e.g. this year to date.",
    ),
    "activity list --from": (
        "只列从这天起的活动（YYYY-MM-DD 或 YYYY-MM）。",
        "Only activities from this day (YYYY-MM-DD, or YYYY-MM: its first day).",
    ),
    "activity list --to": (
        "只列到这天为止的活动（默认今天；YYYY-MM 为该月最后一天）。",
        "Only activities up to this day (default: today; YYYY-MM: its last day).",
    ),
    "review": (
        "工作队季度评议（一会三评）及评议中指出的问题。",
        "Quarterly team reviews 一会三评 and the problems raised at them.",
    ),
    "review add": (
        "记录工作队的季度评议一会三评（及评议中指出的问题，来源 review），作为一次提交。",
        "Record a team's quarterly review 一会三评 (and the problems raised at it, source review) as one commit.",
    ),
    "review add --team": (
        "村或乡镇工作队的单位代码（或唯一名称）。",
        "Unit code (or unique name) of the village/township team.",
    ),
    "review add --quarter": ("季度 YYYYQn，例如 2026Q4。", "Quarter YYYYQn, e.g. 2026Q4."),
    "review add --report": ("述职：文本文件，或直接写内容。", "述职: a text file, or the text itself."),
    "review add --comment": ("乡镇党委书记的点评。", "点评 by the township secretary."),
    "review add --ratings": (
        "群众测评：satisfied=N,basic=N,unsatisfied=N。",
        "群众测评: satisfied=N,basic=N,unsatisfied=N.",
    ),
    "review add --grade": ("组织定评：{codes}", "组织定评 (the grade): {codes}"),
    "review add --ledger": (
        "所提事项记入的台账（默认 livelihood）。",
        "Ledger of the raised items (default livelihood).",
    ),
    "review raise": (
        "把评议中指出的问题补入其问题清单（来源为 review 的新事项），作为一次提交。",
        "Add problems pointed out at a review to its list (new items with source review), as one commit.",
    ),
    "review raise --ledger": (
        "所提事项记入的台账（默认 livelihood）。",
        "Ledger of the raised items (default livelihood).",
    ),
    "review set": (
        "修改评议：后给的组织定评，更正的测评、述职或点评。",
        "Amend a review: the 组织定评 given later, corrected ratings, report or comment.",
    ),
    "review set --ratings": (
        "群众测评：satisfied=N,basic=N,unsatisfied=N",
        "satisfied=N,basic=N,unsatisfied=N",
    ),
    "review set --grade": ("组织定评：{codes}", "组织定评 (the grade): {codes}"),
    "review set --report": ("述职：文本文件，或直接写内容。", "A text file, or the text itself."),
    "review set --comment": ("点评。", "The comment (点评)."),
    "review list": (
        "列出季度评议及其测评、定评和所提问题（统计未销号的）。",
        "List quarterly reviews with their ratings, grade and the problems raised (open ones counted).",
    ),
    "review list --quarter": ("只列这个季度，YYYYQn。", "Only this quarter, YYYYQn."),
    "review list --team": ("只列该单位代码下的工作队。", "Only teams under this unit code."),
    "review show": (
        "显示一次评议：述职、点评、测评、定评、所提问题及其状态。",
        "Show one review: report, comment, ratings, grade, the problems raised and their states.",
    ),
    "period": (
        "报送期间（报送）：关闭一个月、重新打开、查看补录。",
        "Reporting periods (报送): close a month, reopen it, show what came late.",
    ),
    "period close": (
        "为一个单位关闭一个月：把当月汇总按已报送保存；此后日期在该月内的条目须用 --late --reason。",
        "Close a month for a unit: store its rollup as reported; entries dated in it then need --late --reason.",
    ),
    "period close --unit": ("报送的单位（默认全县）。", "The unit it is reported for (default: the county)."),
    "period reopen": (
        "重新打开已关闭的月份（管理员）：日期在该月内的条目不用 --late 也可录入。",
        "Reopen a closed month (admin): entries dated in it are accepted again without --late.",
    ),
    "period reopen --unit": (
        "报送的单位（默认全县）。",
        "The unit it is reported for (default: the county).",
    ),
    "period show": (
        "显示一个月的关闭记录及其每一条补录（补录）的条目。",
        "Show a month's closings and every entry recorded late (补录) for it.",
    ),
    "hooks": (
        "拒绝手工提交和未经审计的推送的 git 钩子。",
        "Git hooks that refuse hand commits and unaudited pushes.",
    ),
    "hooks install": (
        "在本台账中安装 commit-msg 钩子，或在中心裸库中安装 pre-receive 钩子。",
        "Install the commit-msg hook in this ledger, or the pre-receive hook in a central bare repo.",
    ),
    "hooks install --bare": (
        "改为在这个中心裸库中安装 pre-receive 钩子。",
        "Install the pre-receive hook in this central bare repo instead.",
    ),
    "hooks install --force": ("替换不是 minqing 写的钩子。", "Replace a hook minqing did not write."),
    "hooks run": (
        "运行钩子的检查（由 git 调用的钩子脚本执行；不供人直接使用）。",
        "Run a hook's check (called by the hook scripts git runs; not for people).",
    ),
    "hooks run KIND": ("钩子种类：commit-msg | pre-receive", "commit-msg | pre-receive"),
    "hooks run ARGS": ("git 传给钩子的参数。", "What git passes the hook."),
    "--wide": (
        "所有列按完整宽度显示，不论终端多宽（可用管道交给 less -S）。",
        "All columns at full width, whatever the terminal's width (pipe into less -S).",
    ),
    "check --teams": (
        "同时列出某一轮中缺了 minqing.yaml team_roles 某个席位的工作队走访。",
        "Also list team visits (in a round) missing a seat of minqing.yaml team_roles.",
    ),
    "cadre add --department": (
        "干部所属的帮扶单位（帮扶单位/后盾单位）：代码或名称。",
        "The helping unit (帮扶单位/后盾单位) the cadre belongs to: its code or name.",
    ),
    "cadre post": (
        "从今天起把部门干部派驻到村（驻村：第一书记、工作队）；一次提交。",
        "Post a department's cadre to a village (驻村: first secretary, work team) from today; one commit.",
    ),
    "cadre post --village": ("派驻的村（代码或名称）。", "The village posted to (code or name)."),
    "cadre post --department": (
        "派出干部的帮扶单位（花名册中没有时必填）。",
        "The helping unit sending the cadre (required when the roster has none).",
    ),
    "cadre post --reason": ("原因（选派文件、轮换等，可不填）。", "Why (选派文件, 轮换…; optional)."),
    "visit add --round": (
        "工作队走访（五人大走访）的轮次，1..minqing.yaml 的 rounds（4）。",
        "Round of the team visit (五人大走访), 1..minqing.yaml rounds (4).",
    ),
    "visit edit --round": (
        "更正后的轮次，1..minqing.yaml 的 rounds。",
        "The right round of the team visit, 1..minqing.yaml rounds.",
    ),
    "visit add --survey": (
        "农户对满意度测评的回答：satisfied|basic|unsatisfied。",
        "The household's answer to the satisfaction survey: satisfied|basic|unsatisfied.",
    ),
    "visit add --with": (
        "与一位干部谈心谈话（--kind talk），代替 --household；--raise 的事项记到该干部所在单位。",
        "谈心谈话 with a cadre (--kind talk), in place of --household; --raise files the cadre's unit's items.",
    ),
    "survey": ("满意度测评（群众满意度测评）。", "The satisfaction survey (群众满意度测评)."),
    "survey add": (
        "记录一户对满意度测评的回答，作为一次提交。",
        "Record one household's answer to the satisfaction survey as one commit.",
    ),
    "survey add --result": (
        "测评结果：satisfied|basic|unsatisfied（满意|基本满意|不满意）。",
        "satisfied|basic|unsatisfied (满意|基本满意|不满意).",
    ),
    "survey add --round": (
        "测评的轮次，1..minqing.yaml 的 rounds（4）。",
        "Round of the campaign, 1..minqing.yaml rounds (4).",
    ),
    "survey add --household": ("受访的农户（编号或前缀）。", "Household asked (id or prefix)."),
    "survey add --by": ("询问的干部编号，逗号分隔。", "Cadres who asked, comma-separated."),
    "survey add --note": ("农户的意见。", "What the household said."),
    "survey add --reason": ("补录原因（配合 --late）。", "Why it is recorded late (with --late)."),
    "survey void": (
        "作废误录的测评回答：它不再计入任何统计。",
        "Void a survey answer typed in by mistake (作废): it leaves every count.",
    ),
    "survey void --reason": ("原因（必填）：误录、重复录入。", "Why (required): typed in by mistake, twice."),
    "SURVEY_ID": ("测评编号或其唯一前缀。", "Survey answer id or unique prefix."),
    "report nightly --site": (
        "同时更新该文件夹中给领导看的静态网站。",
        "Also bring the static site for leaders up to date in this folder.",
    ),
    "report site": (
        "给领导看的静态网站：可逐级展开的看板、期间、超期清单、对账销号和排名。\n\n可从 file:// 或任何静态网站服务器打开；不从 OUT_DIR 之外加载任何内容。重新生成时只改写内容有变化的文件。",
        "A static site for leaders: dashboards with drill-down, periods, overdue lists, 对账销号 and ranking.\n\nOpens from file:// or any static web server; nothing is loaded from outside OUT_DIR. Regenerating rewrites only the files whose content changed.",
    ),
    "report site OUT_DIR": ("网站所在的文件夹（不存在时新建）。", "Folder for the site (made when missing)."),
    "report site --months": ("期间选择器中可选的月数。", "Months offered by the period selector."),
    "report site --quiet": ("成功时什么也不输出（供定时任务）。", "Print nothing on success (for cron)."),
}

# Command path -> its examples, each one whole command line as a user types it.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "init": ("minqing init bijiang --county-code 520602 --county-name 碧江区 --admin-name 张华",),
    "status": ("minqing status",),
    "demo": ("minqing demo ./bijiang-demo --seed 7",),
    "pair": ("minqing pair C-4H2J H-7K3M",),
    "unpair": ("minqing unpair C-4H2J H-7K3M",),
    "clone": (
        "minqing clone /srv/minqing/bijiang.git heping --secret-file /media/usb/bijiang.secret --user C-4H2J9X",
    ),
    "sync": ("minqing sync --remote origin",),
    "conflicts": ("minqing conflicts --json",),
    "resolve-conflict": ("minqing resolve-conflict Q-7K3M2Q --take theirs --as C-4H2J9X",),
    "merge-driver": ("minqing merge-driver %O %A %B %P",),
    "doctor": ("minqing doctor --fix --as C-4H2J9X",),
    "check": ("minqing check --json", "minqing check --activity-minimum 2 --month 2026-11"),
    "rollup": (
        "minqing rollup --period month --by township",
        "minqing rollup --period week --date 2026-11-20 --format html --out week.html",
        "minqing rollup --repo bijiang --repo wanshan --by county --format json",
        "minqing rollup --repos-file counties.txt --by county --format json --out city.json",
        "minqing rollup --ytd --by township",
        "minqing rollup --each month --from 2026-01 --to 2026-12 --metric visits --metric opened",
    ),
    "reindex": ("minqing reindex",),
    "rank": (
        "minqing rank --quarter 2026Q4 --by township",
        "minqing rank --quarter 2026Q4 --by team --format xlsx --out 2026Q4排名.xlsx",
    ),
    "reconcile": (
        "minqing reconcile --ledger livelihood --unit 520602101",
        "minqing reconcile --ledger hardship --unit 520602101 --format xlsx --out 对账-11月.xlsx",
    ),
    "duties": (
        "minqing duties --month 2026-11",
        "minqing duties --only activities --activity-minimum 3 --json",
    ),
    "import": ("minqing import 和平乡问题台账.xlsx --kind issues --dry-run",),
    "export": (
        "minqing export --kind issues --state open --unit 520602101 --format xlsx --out 和平乡未销号.xlsx",
    ),
    "find": ("minqing find zs",),
    "log": ("minqing log Q-7K3M --since 2026-11-01", "minqing log --by C-4H2J --op close --json"),
    "audit": ("minqing audit", "minqing audit --since v2026Q3 --json"),
    "undo": ("minqing undo --reason 录错了户",),
    "org add": (
        "minqing org add 520602202201 陈家寨村委会",
        "minqing org add 520602D01 区农业农村局 --level department",
    ),
    "org import": ("minqing org import 520602-division-codes.csv",),
    "org alias": ("minqing org alias 520602202206 八组村",),
    "org rename": ("minqing org rename 520602101 和平镇 --reason 撤乡设镇",),
    "org merge": ("minqing org merge 520602101202 --into 520602101201 --reason 撤并建制村",),
    "org list": ("minqing org list --json",),
    "cadre add": ("minqing cadre add --name 李明 --unit 520602101 --role township_leader --title 包村领导",),
    "cadre list": ("minqing cadre list --unit 520602101 --status recalled",),
    "cadre show": ("minqing cadre show C-4H2J",),
    "cadre recall": ("minqing cadre recall C-4H2J --reason 驻村考核不合格",),
    "cadre roster": (
        "minqing cadre roster --recalled",
        "minqing cadre roster --unit 520602101 --format xlsx --out 干部花名册.xlsx",
    ),
    "cadre edit": ("minqing cadre edit C-4H2J --title 驻村第一书记 --reason 职务录错",),
    "cadre move": ("minqing cadre move C-4H2J --unit 520602102 --reason 组织调动 --hand-over-to C-9PQ1",),
    "cadre key add": ("minqing cadre key add C-4H2J --ssh-pubkey ~/.ssh/id_ed25519.pub",),
    "cadre key use": ("minqing cadre key use C-4H2J ~/.ssh/id_ed25519",),
    "household add": ("minqing household add --head 王大 --village 520602101201 --members 4 --status poor",),
    "household list": ("minqing household list --unit 520602101 --status poor",),
    "household show": ("minqing household show H-7K3M",),
    "household set": ("minqing household set H-7K3M --housing risk --water ok",),
    "household find": ("minqing household find --id-number 52060219800101123X",),
    "household edit": ("minqing household edit H-7K3M --head 王小二 --reason 户主姓名录错",),
    "household move": ("minqing household move H-7K3M --village 520602102201 --reason 易地扶贫搬迁",),
    "household remove": ("minqing household remove H-7K3M --reason died --note 户主去世，无其他成员",),
    "visit add": (
        "minqing visit add --household H-7K3M --by C-4H2J,C-9PQ1 --raise 屋顶漏雨 --category housing",
    ),
    "visit edit": ("minqing visit edit V-7K3M --date 2026-11-20 --reason 日期录错",),
    "visit void": ("minqing visit void V-7K3M --reason 重复录入",),
    "survey void": ("minqing survey void S-9QW2 --reason 录错户",),
    "visit list": ("minqing visit list --unit 520602101 --month 2026-11", "minqing visit list --by C-4H2J"),
    "issue add": (
        "minqing issue add --desc 村道路灯损坏 --category infrastructure --kind problem --ledger livelihood --source grid --unit 520602101201",
    ),
    "issue assign": (
        "minqing issue assign Q-7K3M --leader C-4H2J --unit 乡交通站 --due 2026-12-07 --plan 更换灯具",
    ),
    "issue progress": ("minqing issue progress Q-7K3M --note 已联系供电所",),
    "issue escalate": ("minqing issue escalate Q-7K3M --to township --reason 需乡镇协调资金",),
    "issue resolve": ("minqing issue resolve Q-7K3M --how solved --note 已更换路灯",),
    "issue feedback": ("minqing issue feedback Q-7K3M --result satisfied",),
    "issue close": ("minqing issue close Q-7K3M",),
    "issue reopen": ("minqing issue reopen Q-7K3M --reason 回访发现路灯又坏",),
    "issue edit": ("minqing issue edit Q-7K3M --category water --reason 类别录错",),
    "issue void": ("minqing issue void Q-7K3M --reason 与 Q-9PQ1 重复",),
    "issue extend": ("minqing issue extend Q-7K3M --to 2026-12-20 --reason 等待材料",),
    "issue claim": ("minqing issue claim Q-7K3M --by C-4H2J",),
    "issue show": ("minqing issue show Q-7K3M --json",),
    "issue list": ("minqing issue list --state open --unit 520602101 --overdue",),
    "report nightly": (
        "minqing report nightly --out-dir /srv/minqing/reports",
        "minqing -C /srv/minqing/bijiang report nightly --date 2026-11-23 --out-dir reports -v",
    ),
    "report daily": (
        "minqing report daily",
        "minqing report daily --date 2026-11-22 --out-dir /srv/minqing/reports",
    ),
    "activity add": (
        "minqing activity add --kind night_school --unit 520602101201 --date 2026-11-20 --title 猕猴桃冬季管护 --participants 35 --by C-4H2J",
    ),
    "activity edit": ("minqing activity edit A-7K3M --participants 53 --reason 人数录错",),
    "activity void": ("minqing activity void A-7K3M --reason 重复录入",),
    "activity list": (
        "minqing activity list --month 2026-11 --unit 520602101",
        "minqing activity list --year 2026 --kind night_school",
    ),
    "review add": (
        "minqing review add --team 520602101201 --quarter 2026Q4 --report 述职.txt --comment 成效明显 --ratings satisfied=40,basic=8,unsatisfied=2 --grade good --raise 卫生室缺药 --category medical",
    ),
    "review raise": ("minqing review raise R-3K8P --raise 通组路未硬化 --category infrastructure",),
    "review set": ("minqing review set R-3K8P --grade excellent",),
    "review list": ("minqing review list --quarter 2026Q4",),
    "review show": ("minqing review show R-3K8P",),
    "period close": ("minqing period close 2026-11 --unit 520602101",),
    "period reopen": ("minqing period reopen 2026-11 --reason 上级要求重报",),
    "period show": ("minqing period show 2026-11",),
    "hooks install": ("minqing hooks install", "minqing hooks install --bare /srv/git/bijiang.git"),
    "hooks run": ("minqing hooks run commit-msg .git/COMMIT_EDITMSG",),
    "cadre post": (
        "minqing cadre post C-4H2J --village 520602202201 --department 520602D01 --reason 选派第一书记",
    ),
    "survey add": ("minqing survey add --household H-7K3M --result 基本满意 --round 2 --by C-4H2J",),
    "report site": (
        "minqing report site /srv/www/minqing",
        "minqing report site site-yunchangping --unit 520602102 --months 6 --lang en",
    ),
}


def choices() -> dict[str, tuple[str, ...]]:
    """Options whose help lists the codes they accept: `{codes}` in their text is filled from the model when help
    renders, so a code added there is in the help at once (a list written out here would go stale)."""
    from . import model
    from .messages import GROUPING_LABELS

    return {
        "--ledger": model.LEDGERS,
        "reconcile --ledger": model.LEDGERS,
        "issue add --category": model.CATEGORIES,
        "issue edit --category": model.CATEGORIES,
        "issue add --kind": model.ITEM_KINDS,
        "issue add --source": model.SOURCES,
        "issue resolve --how": model.HOW,
        "issue feedback --result": model.FEEDBACK,
        "cadre add --role": model.ROLES,
        "cadre list --status": model.CADRE_STATUS,
        "--status": model.HOUSEHOLD_STATUS,
        "household remove --reason": model.REMOVE_REASONS,
        "visit add --kind": model.VISIT_KINDS,
        "activity add --kind": model.ACTIVITY_KINDS,
        "review add --grade": model.REVIEW_GRADES,
        "review set --grade": model.REVIEW_GRADES,
        "--by": tuple(GROUPING_LABELS),
    }
