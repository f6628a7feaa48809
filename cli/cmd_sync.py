"""Many offices: clone, sync, conflicts, resolve-conflict, and the hidden merge-driver git calls."""

from typing import Annotated

import typer

from .common import STATE, AsOpt, JsonOpt, echo, ledger, note, print_json, print_table, progress_stream, t


def register(app: typer.Typer) -> None:
    app.command("clone")(clone)
    app.command("sync")(sync)
    app.command("conflicts")(conflicts)
    app.command("resolve-conflict")(resolve_conflict)
    app.command("merge-driver", hidden=True)(merge_driver)


def clone(
    url: Annotated[str, typer.Argument()],
    path: Annotated[str | None, typer.Argument()] = None,
    secret_file: Annotated[
        str | None,
        typer.Option("--secret-file"),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user"),
    ] = None,
) -> None:
    from minqing.ledgers.sync import sync as sync_mod

    new, has_secret = sync_mod.clone(url, path, secret_file, user, progress_stream(), STATE.lang)
    echo(t(f"已克隆到 {new.root}（已注册合并驱动）", f"cloned into {new.root} (merge drivers registered)"))
    if not has_secret:
        note(
            t(
                "警告：没有 --secret-file，本副本的身份证号查重和查找不会匹配",
                "warning: no --secret-file; id-number look-ups in this clone will not match",
            )
        )


def _conflict_rows(records) -> list[list[str]]:
    return [[r.id, r.path, r.ours_summary, r.theirs_summary, r.reason_text(STATE.lang)] for r in records]


def _conflict_headers() -> list[str]:
    return [
        t("冲突", "conflict"),
        t("文件", "file"),
        t("本方", "ours"),
        t("对方", "theirs"),
        t("原因", "reason"),
    ]


def sync(
    remote: Annotated[str | None, typer.Option("--remote")] = None,
    actor: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    from minqing.ledgers.sync import sync as sync_mod

    report = sync_mod.sync(ledger(), actor, remote, progress=progress_stream(), lang=STATE.lang)
    if json_out:
        data = report.to_dict()
        data["conflicts"] = [sync_mod.conflict_summary(c, STATE.lang) for c in report.conflicts]
        print_json(data)
    elif report.townships:
        rows = [[r.name, r.code, r.visits, r.items, r.transitions, r.other] for r in report.townships]
        headers = [t("乡镇", "township"), t("代码", "code"), t("走访", "visits"), t("新事项", "new items")]
        headers += [t("流转", "transitions"), t("其他", "other")]
        print_table(headers, rows, title=t(f"从 {report.remote} 收到", f"received from {report.remote}"))
    if report.drivers_registered:
        note(t("已为本副本注册合并驱动", "registered the merge drivers in this clone"))
    if report.conflicts:
        if not json_out:
            print_table(_conflict_headers(), _conflict_rows(report.conflicts))
        note(
            t(
                f"{len(report.conflicts)} 处冲突需要人工决定，未推送到 {report.remote}："
                "minqing resolve-conflict ID --take ours|theirs",
                f"{len(report.conflicts)} conflict(s) need a person; nothing was pushed to {report.remote}: "
                "minqing resolve-conflict ID --take ours|theirs",
            )
        )
        raise typer.Exit(1)
    parts = [t(f"收到 {report.received} 个提交", f"received {report.received} commit(s)")]
    if report.merged:
        parts.append(t("已合并", "merged"))
    elif report.fast_forward:
        parts.append(t("已快进", "fast-forwarded"))
    parts.append(
        t(f"推送 {report.sent} 个提交", f"pushed {report.sent} commit(s)")
        if report.pushed
        else t("无需推送", "nothing to push")
    )
    note(f"{report.remote}/{report.branch}: " + t("，", ", ").join(parts))


def conflicts(json_out: JsonOpt = False) -> None:
    from minqing.ledgers.sync import sync as sync_mod

    records = sync_mod.open_conflicts(ledger())
    if json_out:
        out = []
        for record in records:
            item = sync_mod.conflict_summary(record, STATE.lang)
            item.update(ours_version=record.ours, theirs_version=record.theirs)
            out.append(item)
        print_json(out)
    elif records:
        print_table(_conflict_headers(), _conflict_rows(records))
    if records:
        note(
            t(
                f"{len(records)} 处冲突待决定：minqing resolve-conflict ID --take ours|theirs",
                f"{len(records)} open conflict(s): minqing resolve-conflict ID --take ours|theirs",
            )
        )
        raise typer.Exit(1)
    note(t("没有未解决的冲突", "no open conflicts"))


def resolve_conflict(
    conflict_id: Annotated[str, typer.Argument()],
    take: Annotated[str | None, typer.Option("--take")] = None,
    actor: AsOpt = None,
) -> None:
    from minqing.ledgers.sync import sync as sync_mod

    done = sync_mod.settle(ledger(), actor, conflict_id, take)
    side = {"ours": t("本方", "ours"), "theirs": t("对方", "theirs")}[done.take]
    if done.committed:
        echo(
            t(
                f"{done.record.id} 采用{side}版本；合并已提交 {done.committed[:10]}",
                f"{done.record.id}: took {side}; merge committed {done.committed[:10]}",
            )
        )
        note(t("运行 minqing sync 发送到中心库", "run minqing sync to send it to the central repo"))
    else:
        echo(t(f"{done.record.id} 采用{side}版本", f"{done.record.id}: took {side}"))
        note(
            t(
                f"还有 {done.remaining} 处冲突；最后一处决定后提交合并",
                f"{done.remaining} conflict(s) remain; the merge is committed when the last is settled",
            )
        )


def merge_driver(
    base: Annotated[str, typer.Argument()],
    ours: Annotated[str, typer.Argument()],
    theirs: Annotated[str, typer.Argument()],
    path: Annotated[str, typer.Argument()],
) -> None:
    from minqing.ledgers.sync import sync as sync_mod

    raise typer.Exit(sync_mod.run_driver(base, ours, theirs, path))
