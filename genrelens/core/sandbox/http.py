"""Request/response plumbing and routing, independent of the APIs being imitated."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode


@dataclass(slots=True)
class Request:
    method: str
    path: str  # normalised: no query, no trailing slash
    params: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    base_url: str  # "http://host:port", from the Host header so links work behind any name
    template: str = ""
    path_args: dict[str, str] = field(default_factory=dict)

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.params.get(name)
        return values[-1] if values else default

    def form(self) -> dict[str, str]:
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[-1] for k, v in parsed.items()}

    def json_body(self) -> Any:
        if not self.body.strip():
            return {}
        return json.loads(self.body)

    def url(self, path: str, params: dict[str, Any] | None = None) -> str:
        query = urlencode({k: v for k, v in (params or {}).items() if v is not None})
        return f"{self.base_url}{path}" + (f"?{query}" if query else "")


@dataclass(slots=True)
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(data, separators=(",", ":")).encode(), headers=headers or {})


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, b"", "text/plain; charset=utf-8", {"Location": location})


class HttpError(Exception):
    """Raised by handlers; the surface (Web API, accounts, ReccoBeats) decides the body's shape."""

    def __init__(self, status: int, message: str | None = None, *, headers: dict[str, str] | None = None,
                 body: Any = None, code: int | None = None) -> None:
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.body = body
        self.code = code  # a service's own error code (ReccoBeats: 4001 missing parameter, ...)
        super().__init__(f"{status} {message}")


Handler = Callable[[Request], Response]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
        self.routes.append(Route(method, template, re.compile(f"^{regex}$"), handler))

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """(route, path args, path known under another method?)"""
        other_method = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                if route.method == method:
                    return route, found.groupdict(), False
                other_method = True
        return None, {}, other_method


def normalise_path(raw: str) -> str:
    """spotipy asks for `me/`, `tracks/?ids=` and `albums/{id}/tracks/`: trailing slashes are ignored."""
    path = re.sub(r"/{2,}", "/", raw.split("?", 1)[0])
    return path.rstrip("/") or "/"
