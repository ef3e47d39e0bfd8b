"""A real HTTP server on 127.0.0.1 for the URL tests and the README tour.

Routes are set per test: ``server.route(path, body, content_type=..., status=..., headers=...)``,
``server.redirect(path, to, status=302)``; ``/slow`` waits longer than any test timeout before
answering; ``/endless`` streams without end (its Content-Length is not sent); every request's
path and User-Agent are recorded in ``server.requests``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str]] = []
        self.slow_seconds = 5.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def do_GET(self) -> None:
                server.requests.append((self.path, self.headers.get("User-Agent", "")))
                if self.path == "/slow":
                    time.sleep(server.slow_seconds)
                if self.path == "/endless":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()
                    try:
                        while True:
                            self.wfile.write(b"<p>more</p>" * 1000)
                    except (BrokenPipeError, ConnectionResetError):
                        return
                route = server.routes.get(self.path)
                if route is None:
                    route = Route(b"<h1>Not found</h1>", status=404)
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(data, content_type, status, headers or {})

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self.routes[path] = Route(b"", status=status, headers={"Location": to})

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
