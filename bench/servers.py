"""A real git server on this machine (issue 19): `git daemon` with receive-pack enabled, and smart HTTP (`git
http-backend`, git's own CGI program, behind a small threaded WSGI server: what Apache or nginx + fcgiwrap do in an
office). Both serve every repo under a folder; the benchmark times `sync` and `clone` through them and the tests
race two townships' syncs through them."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

GIT_EXEC = Path(subprocess.run(["git", "--exec-path"], capture_output=True, text=True).stdout.strip())
# Passed through to the served repo's hooks (the tests' clock and language).
HOOK_ENV = ("MINQING_TEST_CLOCK", "MINQING_NOW", "MINQING_LANG", "GIT_CONFIG_NOSYSTEM")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited early: {process.stderr.read() if process.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


@contextmanager
def git_daemon(root: Path) -> Iterator[str]:
    """`git daemon` serving the repos under `root`, pushes allowed; yields its base URL (`git://127.0.0.1:PORT`)."""
    port = free_port()
    daemon = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack", f"--base-path={root}"]
        + ["--listen=127.0.0.1", f"--port={port}", str(root)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, daemon)
        yield f"git://127.0.0.1:{port}"
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


def http_backend_app(root: Path):  # type: ignore[no-untyped-def]
    """git's own smart-HTTP CGI program, called per request."""
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
        for key in HOOK_ENV:
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


@contextmanager
def smart_http(root: Path) -> Iterator[str]:
    """Smart HTTP serving the repos under `root`, pushes allowed; yields its base URL (`http://127.0.0.1:PORT`).
    A client must not send a chunked POST (this small server does not read one): set `http.postBuffer` high."""
    server = make_server(
        "127.0.0.1", 0, http_backend_app(root), server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


SERVERS = {"git daemon": git_daemon, "smart HTTP": smart_http}
