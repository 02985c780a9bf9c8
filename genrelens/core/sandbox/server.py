"""The HTTP server: stdlib ThreadingHTTPServer in front of SandboxApp, and the entry points."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from genrelens.core.errors import GenrelensError
from genrelens.core.sandbox.app import SandboxApp
from genrelens.core.sandbox.catalog import Catalog
from genrelens.core.sandbox.config import SandboxConfig, parse_config
from genrelens.core.sandbox.http import Request, normalise_path

MAX_BODY = 1 << 20


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, config: SandboxConfig, app: SandboxApp) -> None:
        self.app = app
        self.config = config
        super().__init__((config.host, config.port), SandboxRequestHandler)

    @property
    def base_url(self) -> str:
        return f"http://{self.config.host}:{self.server_address[1]}"


class SandboxRequestHandler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive: requests.Session (and spotipy) reuse them, as with Spotify.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the second waits for the client's
    # delayed ACK (~40 ms per request on keep-alive connections).
    disable_nagle_algorithm = True
    server: SandboxHTTPServer

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=normalise_path(split.path),
            params=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=f"http://{self.headers.get('Host') or self.server.base_url.removeprefix('http://')}",
        )
        response = self.server.app.handle(request)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 204:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.body and self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.config.verbose:
            super().log_message(format, *args)


def build_catalog(config: SandboxConfig) -> Catalog:
    if config.catalog == "synthetic":
        from genrelens.core.sandbox.synthetic import build_synthetic

        return build_synthetic(seed=config.seed, n_tracks=config.tracks, liked=config.liked)
    from genrelens.core.sandbox.from_dataset import build_from_dataset

    return build_from_dataset(config.catalog, seed=config.seed)


def make_server(config: SandboxConfig, catalog: Catalog | None = None) -> SandboxHTTPServer:
    """A bound, not yet serving, sandbox server (port 0 picks a free port: see `.base_url`)."""
    return SandboxHTTPServer(config, SandboxApp(config, catalog or build_catalog(config)))


def start_in_thread(config: SandboxConfig, catalog: Catalog | None = None) -> SandboxHTTPServer:
    """For benchmarks in one process: serve on a daemon thread; call `.shutdown()` when done."""
    server = make_server(config, catalog)
    threading.Thread(target=server.serve_forever, name="genrelens-sandbox", daemon=True).start()
    return server


def serve(config: SandboxConfig) -> None:
    """Run until SIGTERM/SIGINT, after printing the one `sandbox listening on ...` line."""
    server = make_server(config)
    print(f"sandbox listening on {server.base_url} profile={config.profile}", flush=True)

    def stop(signum: int, frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    if config.exit_with_parent:
        threading.Thread(target=_watch_parent, args=(server,), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _watch_parent(server: SandboxHTTPServer) -> None:
    """A killed test runner cannot stop its sandbox; its orphan notices the new parent and quits."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.5)
    server.shutdown()


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """CLI entry point; `prog` names the command in --help (e.g. "genrelens sandbox")."""
    try:
        config = parse_config(argv, prog)
        serve(config)
    except (ValueError, OSError, GenrelensError) as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    return 0
