"""Missing required fields are asked for at a terminal (validated answer by answer), and never without one."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

import yaml
from conftest import refused


def _converse(ledger, args, answers, timeout=20.0):
    """Run minqing under a pseudo-terminal, answering each prompt in turn; returns (exit code, screen text)."""
    master, slave = pty.openpty()
    env = dict(os.environ, COLUMNS="200", TERM="dumb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "minqing.cli", "-C", str(ledger), *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    screen = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
            if pending and screen.rstrip().endswith((b":", b"):")):
                os.write(master, pending.pop(0).encode() + b"\n")
        elif proc.poll() is not None:
            break
    proc.wait(timeout=5)
    os.close(master)
    return proc.returncode, screen.decode("utf-8", "replace")


def test_household_add_prompts_and_revalidates(sample):
    code, screen = _converse(
        sample.path, ["household", "add", "--as", sample.clerk], ["测试户戊", "999", "520602101202"]
    )
    assert code == 0, screen
    assert (
        "999" in screen and "unit code '999'" not in screen
    )  # the bad village is reported in Chinese, then re-asked
    assert screen.count("村代码") == 2
    homes = list((sample.path / "households" / "520602101202").glob("H-*.yaml"))
    heads = {yaml.safe_load(p.read_text())["head"] for p in homes}
    assert "测试户戊" in heads


def test_no_terminal_means_no_prompt(sample):
    refused(sample.path, "household", "add", "--village", "520602101202", contains="--head")


def test_no_input_flag_turns_prompts_into_errors(sample):
    code, screen = _converse(sample.path, ["--no-input", "household", "add", "--village", "520602101202"], [])
    assert code == 2
    assert "--head" in screen
