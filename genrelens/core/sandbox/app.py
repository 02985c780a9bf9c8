"""The sandbox application: one router for all four surfaces, with faults and stats around it."""

from __future__ import annotations

import sys
import time
import traceback
from datetime import UTC, datetime
from typing import Any

from genrelens.core.sandbox.catalog import Catalog
from genrelens.core.sandbox.config import SandboxConfig
from genrelens.core.sandbox.control import Faults, SandboxState
from genrelens.core.sandbox.http import HttpError, Request, Response, Router, json_response

WEB_API_MESSAGES = {
    400: "Bad request",
    401: "Invalid access token",
    403: "Forbidden",
    404: "Resource not found",
    405: "Method not allowed",
    429: "API rate limit exceeded",
    500: "Server error.",
    502: "Bad gateway.",
    503: "Service unavailable",
}
RECCO_CODES = {400: 4004, 404: 4042, 429: 4291}


class SandboxApp:
    def __init__(self, config: SandboxConfig, catalog: Catalog) -> None:
        from genrelens.core.sandbox import accounts, admin, reccobeats, webapi

        self.config = config
        self.catalog = catalog
        self.state = SandboxState(seed=config.seed, start_faults=Faults(latency_ms=config.latency_ms))
        self.started = time.time()
        self.router = Router()
        webapi.register(self.router, self)
        accounts.register(self.router, self)
        reccobeats.register(self.router, self)
        admin.register(self.router, self)

    @property
    def legacy(self) -> bool:
        return self.config.legacy

    def handle(self, request: Request) -> Response:
        surface = surface_of(request.path)
        route, args, other_method = self.router.match(request.method, request.path)
        request.template = route.template if route else f"{_prefix(surface)}/<unknown>"
        request.path_args = args
        if surface == "admin":
            return self._run(surface, request, route, other_method)
        latency = self.state.latency_seconds()
        if latency:
            time.sleep(latency)
        decision = self.state.decide(request.method, request.path, request.template,
                                     random_faults=surface in ("webapi", "reccobeats"))
        if decision.status:
            response = fault_response(surface, request, decision.status, decision.retry_after,
                                      decision.reason)
        else:
            response = self._run(surface, request, route, other_method)
        self.state.count(f"{request.method} {request.template}", response.status)
        return response

    def _run(self, surface: str, request: Request, route: Any, other_method: bool) -> Response:
        try:
            if route is None:
                raise HttpError(405 if other_method else 404,
                                "Method not allowed" if other_method else "Service not found")
            response: Response = route.handler(request)
            return response
        except HttpError as exc:
            return error_response(surface, request, exc)
        except Exception:  # a sandbox bug must surface as a 500 with a trace, not a dropped socket
            traceback.print_exc(file=sys.stderr)
            return error_response(surface, request, HttpError(500, "Server error."))


def surface_of(path: str) -> str:
    if path.startswith("/v1/") or path == "/v1":
        return "webapi"
    if path.startswith("/reccobeats/"):
        return "reccobeats"
    if path.startswith("/_sandbox"):
        return "admin"
    return "accounts"


def _prefix(surface: str) -> str:
    return {"webapi": "/v1", "reccobeats": "/reccobeats/v1", "admin": "/_sandbox"}.get(surface, "")


def fault_response(surface: str, request: Request, status: int, retry_after: int, reason: str = "") -> Response:
    headers = {"Retry-After": str(retry_after)} if status == 429 else {}
    if reason and surface == "webapi":
        # The July 2026 quota 429 says why in `reason`; spotipy exposes it as SpotifyException.reason.
        body = {"error": {"status": status, "message": "Too many requests", "reason": reason}}
        return error_response(surface, request, HttpError(status, headers=headers, body=body))
    return error_response(surface, request, HttpError(status, WEB_API_MESSAGES[status], headers=headers))


def error_response(surface: str, request: Request, exc: HttpError) -> Response:
    if exc.body is not None:
        body = exc.body
    elif surface == "reccobeats":
        body = {
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "status": exc.status,
            "code": exc.code or RECCO_CODES.get(exc.status, exc.status * 10),
            "error": WEB_API_MESSAGES.get(exc.status, "Error"),
            "message": exc.message or "",
            "path": request.path.removeprefix("/reccobeats"),
        }
    elif surface == "accounts":
        body = {"error": "server_error" if exc.status >= 500 else "invalid_request",
                "error_description": exc.message or ""}
    else:
        error: dict[str, Any] = {"status": exc.status}
        if exc.message is not None:
            error["message"] = exc.message
        body = {"error": error}
    return json_response(body, exc.status, exc.headers)
