"""Sync over a real git server on this machine (issue 19): `git daemon` with receive-pack enabled and smart HTTP
(`git http-backend` behind a small local WSGI server), each serving the county's bare repo with minqing's
pre-receive hook installed. Townships clone over the network transport, two of them race their syncs, and a forged
push through the same transport is refused by the served repo's hook."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from conftest import git, run
from test_sync import VILLAGE_A, Seed, assert_consistent, at, head, seed  # noqa: F401

from minqing.ledgers.ops import visits
from minqing.ledgers.repo.store import Ledger

GIT_EXEC = Path(subprocess.run(["git", "--exec-path"], capture_output=True, text=True).stdout.strip())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(
                f"the server exited early: {process.stderr.read() if process.stderr else ''}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


def central_repo(seed: Seed, root: Path) -> Path:  # noqa: F811
    """The county's bare repo holding the seed ledger, with minqing's pre-receive hook (as the guide sets it up)."""
    central = root / "bijiang.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(central)], check=True)
    installed = run("hooks", "install", "--bare", str(central))
    assert installed.exit_code == 0, installed.output
    subprocess.run(["git", "push", "-q", str(central), "main"], cwd=seed.path, check=True)
    return central


# ---------------------------------------------------------------- the two servers


def serve_git_daemon(root: Path) -> Iterator[str]:
    port = free_port()
    daemon = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--enable=receive-pack",
            f"--base-path={root}",
            "--listen=127.0.0.1",
            f"--port={port}",
            str(root),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, daemon)
        yield f"git://127.0.0.1:{port}/bijiang.git"
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


class _ThreadingWSGIServer(WSGIServer):
    """One thread per request: a push's POST and the client's next request may overlap."""

    daemon_threads = True

    def process_request(self, request, client_address):  # type: ignore[no-untyped-def]
        thread = threading.Thread(target=self._serve_one, args=(request, client_address), daemon=True)
        thread.start()

    def _serve_one(self, request, client_address):  # type: ignore[no-untyped-def]
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


def http_backend_app(root: Path):
    """git's own smart-HTTP CGI program, called per request (what Apache or nginx + fcgiwrap do in an office)."""
    backend = str(GIT_EXEC / "git-http-backend")

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        cgi_env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/tmp"),
            "GIT_PROJECT_ROOT": str(root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REMOTE_USER": "township",  # http-backend refuses anonymous pushes
            "REMOTE_ADDR": "127.0.0.1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "REQUEST_METHOD": environ["REQUEST_METHOD"],
            "PATH_INFO": environ.get("PATH_INFO", ""),
            "QUERY_STRING": environ.get("QUERY_STRING", ""),
            "CONTENT_TYPE": environ.get("CONTENT_TYPE", ""),
            "CONTENT_LENGTH": str(len(body)),
        }
        for key in ("HTTP_CONTENT_ENCODING", "HTTP_GIT_PROTOCOL"):
            if key in environ:
                cgi_env[key] = environ[key]
        for key in ("MINQING_TEST_CLOCK", "MINQING_NOW", "MINQING_LANG", "GIT_CONFIG_NOSYSTEM"):
            if key in os.environ:
                cgi_env[key] = os.environ[key]
        done = subprocess.run([backend], input=body, env=cgi_env, capture_output=True)
        head_bytes, _, payload = done.stdout.partition(b"\r\n\r\n")
        status = "200 OK"
        headers = []
        for line in head_bytes.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = value.strip()
            elif name:
                headers.append((name, value.strip()))
        start_response(status, headers)
        return [payload]

    return app


def serve_http(root: Path) -> Iterator[str]:
    server = make_server(
        "127.0.0.1", 0, http_backend_app(root), server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/bijiang.git"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["git-daemon", "smart-http"])
def served(request: pytest.FixtureRequest, seed: Seed, tmp_path: Path) -> Iterator[tuple[Path, str]]:  # noqa: F811
    central = central_repo(seed, tmp_path / "srv")
    serve = serve_git_daemon if request.param == "git-daemon" else serve_http
    yield from ((central, url) for url in serve(tmp_path / "srv"))


# ---------------------------------------------------------------- the tests


def clone(seed: Seed, url: str, target: Path, user: str) -> Path:  # noqa: F811
    result = run(
        "clone", url, str(target), "--secret-file", str(seed.path / ".git/minqing/secret"), "--user", user
    )
    assert result.exit_code == 0, result.output
    # The client never sends a chunked POST (the tiny WSGI server does not read one); git's own buffer is 1 MiB.
    git(target, "config", "http.postBuffer", str(64 << 20))
    return target


def minqing_sync(path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "minqing.cli", "-C", str(path), "sync"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MINQING_LOCK_TIMEOUT": "10"},
    )


def test_two_townships_race_their_sync_over_the_server(served, seed: Seed, tmp_path: Path):  # noqa: F811
    central, url = served
    heping = clone(seed, url, tmp_path / "heping", seed.leader_a)
    bahuang = clone(seed, url, tmp_path / "bahuang", seed.leader_b)
    assert git(heping, "remote", "get-url", "origin").strip() == url
    for path, actor, home, hour in (
        (heping, seed.leader_a, seed.homes[0], 9),
        (bahuang, seed.leader_b, seed.homes[3], 10),
    ):
        for visit_day in (22, 23):
            visits.add_visit(
                Ledger.open(path),
                actor,
                household=home,
                by=[actor],
                date=f"2026-11-{visit_day}",
                at=at(23, hour),
            )
    # Both at once: one push wins, the other is refused as non-fast-forward, fetches, merges and pushes again.
    racing = [minqing_sync(heping), minqing_sync(bahuang)]
    outcomes = [(proc.wait(timeout=120), proc.stderr.read()) for proc in racing]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    # Whoever pushed first has not yet seen the other's commits: one more sync each brings everyone level.
    for path in (heping, bahuang):
        again = run("sync", ledger=path)
        assert again.exit_code == 0, again.output
    assert head(central, "main") == head(heping) == head(bahuang)
    for path in (heping, bahuang):
        assert_consistent(path)
        assert run("audit", ledger=path).exit_code == 0
    # The served repo's own history passes audit too (its pre-receive hook ran for every push).
    assert "pre-receive" in os.listdir(central / "hooks")


def test_a_forged_push_is_refused_by_the_served_repo(served, seed: Seed, tmp_path: Path):  # noqa: F811
    central, url = served
    heping = clone(seed, url, tmp_path / "heping", seed.leader_a)
    accepted = head(central, "main")
    # A hand edit committed with plain git, no trailers: the served repo's pre-receive must refuse it.
    household_file = heping / "households" / VILLAGE_A / f"{seed.homes[0]}.yaml"  # 甲, a poor household
    household_file.write_text(
        household_file.read_text(encoding="utf-8").replace("status: poor", "status: lifted")
    )
    git(heping, "commit", "-q", "-am", "改户类别")
    pushed = subprocess.run(
        ["git", "push", "origin", "HEAD:refs/heads/main"], cwd=heping, capture_output=True, text=True
    )
    assert pushed.returncode != 0
    assert "推送被拒绝" in pushed.stderr or "push refused" in pushed.stderr, pushed.stderr
    assert head(central, "main") == accepted
    # minqing sync refuses to carry it either: the local audit stops it before anything reaches the server.
    git(heping, "reset", "-q", "--hard", "HEAD~1")
    visits.add_visit(
        Ledger.open(heping),
        seed.leader_a,
        household=seed.homes[0],
        by=[seed.leader_a],
        date="2026-11-22",
        at=at(23),
    )
    good = run("sync", ledger=heping)
    assert good.exit_code == 0, good.output
    assert head(central, "main") == head(heping)
