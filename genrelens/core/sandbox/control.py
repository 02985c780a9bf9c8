"""Mutable sandbox state shared by request threads: fault knobs, request stats and tokens.

Every method takes the one lock, so concurrent requests see consistent counts and consume scripted
faults exactly once.
"""

from __future__ import annotations

import base64
import hashlib
import random
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

FAULT_STATUSES = (429, 500, 502, 503)
ACCESS_TOKEN_SECONDS = 3600
CODE_SECONDS = 600
#: Since 2026-06 refresh tokens die six months after the login; refreshing does not extend that.
REFRESH_TOKEN_SECONDS = 182 * 24 * 3600


class ControlError(ValueError):
    """A control request asked for something impossible (the message says what)."""


@dataclass(slots=True)
class ScriptedFault:
    path: str
    status: int
    count: int = 1
    retry_after: int = 1
    method: str = ""
    reason: str = ""  # e.g. "QUOTA_EXCEEDED", the July 2026 dev-mode quota 429

    def matches(self, method: str, path: str, template: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        wanted = self.path.rstrip("/") or "/"
        return wanted in (path, template)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "status": self.status, "count": self.count,
                               "retry_after": self.retry_after}
        if self.method:
            out["method"] = self.method
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(slots=True)
class Faults:
    latency_ms: float = 0.0
    rate_429: float = 0.0
    retry_after: int = 1
    rate_5xx: float = 0.0
    null_items: float = 0.0
    local_items: float = 0.0
    episode_items: float = 0.0
    null_search_items: float = 0.0
    script: list[ScriptedFault] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_ms,
            "rate_429": self.rate_429,
            "retry_after": self.retry_after,
            "rate_5xx": self.rate_5xx,
            "null_items": self.null_items,
            "local_items": self.local_items,
            "episode_items": self.episode_items,
            "null_search_items": self.null_search_items,
            "script": [s.as_dict() for s in self.script],
        }


SHARE_KNOBS = ("rate_429", "rate_5xx", "null_items", "local_items", "episode_items", "null_search_items")


@dataclass(frozen=True, slots=True)
class Decision:
    """What the fault layer decided for one request: pass through, or answer `status` at once."""

    status: int = 0
    retry_after: int = 0
    reason: str = ""


@dataclass(slots=True)
class AccessToken:
    client_id: str
    user_id: str | None  # None: a client-credentials token
    scope: frozenset[str]
    expires_at: float
    expired: bool = False


@dataclass(slots=True)
class RefreshToken:
    client_id: str
    user_id: str
    scope: frozenset[str]
    pkce: bool
    login_at: float  # when the user logged in; rotated PKCE tokens inherit it
    revoked: bool = False


@dataclass(slots=True)
class AuthCode:
    client_id: str
    user_id: str
    scope: frozenset[str]
    redirect_uri: str
    code_challenge: str
    created: float
    used: bool = False


class SandboxState:
    """Faults, stats and the token store of one running sandbox."""

    def __init__(self, *, seed: int = 0, start_faults: Faults | None = None) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._start_faults = start_faults or Faults()
        self.faults = Faults()
        self._rng = random.Random(seed)
        self.by_endpoint: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {}
        self.codes: dict[str, AuthCode] = {}
        self.clock_offset = 0.0
        self.reset()

    # --- faults -------------------------------------------------------------------------------
    def reset(self) -> None:
        """Faults and tokens back to the start state (stats are reset separately)."""
        with self._lock:
            self.faults = _copy_faults(self._start_faults)
            self._rng = random.Random(self._seed)
            self.access.clear()
            self.refresh.clear()
            self.codes.clear()
            self.clock_offset = 0.0

    # --- the clock ----------------------------------------------------------------------------
    def now(self) -> float:
        """Wall time plus whatever /_sandbox/clock advanced: tests skip hours without sleeping."""
        return time.time() + self.clock_offset

    def advance_clock(self, seconds: float) -> float:
        if seconds < 0:
            raise ControlError(f"the clock only moves forward; got {seconds} s")
        with self._lock:
            self.clock_offset += seconds
            return self.clock_offset

    def faults_dict(self) -> dict[str, Any]:
        with self._lock:
            return self.faults.as_dict()

    def update_faults(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply a partial update; validates everything before changing anything."""
        with self._lock:
            updated = _copy_faults(self.faults)
            for key, value in changes.items():
                _apply_knob(updated, key, value)
            self.faults = updated
            return self.faults.as_dict()

    def decide(self, method: str, path: str, template: str, *, random_faults: bool) -> Decision:
        """Scripted faults first (in order, one-shot), then the random shares from the seeded RNG."""
        with self._lock:
            for fault in self.faults.script:
                if fault.count > 0 and fault.matches(method, path, template):
                    fault.count -= 1
                    self.faults.script = [s for s in self.faults.script if s.count > 0]
                    return Decision(fault.status, fault.retry_after, fault.reason)
            if not random_faults:
                return Decision()
            roll = self._rng.random()
            if roll < self.faults.rate_429:
                return Decision(429, self.faults.retry_after)
            if roll < self.faults.rate_429 + self.faults.rate_5xx:
                return Decision(self._rng.choice((500, 502, 503)))
            return Decision()

    def latency_seconds(self) -> float:
        with self._lock:
            return self.faults.latency_ms / 1000.0

    def item_shares(self) -> tuple[float, float, float]:
        with self._lock:
            return self.faults.null_items, self.faults.local_items, self.faults.episode_items

    def null_search_share(self) -> float:
        with self._lock:
            return self.faults.null_search_items

    # --- stats --------------------------------------------------------------------------------
    def count(self, endpoint: str, status: int) -> None:
        with self._lock:
            self.by_endpoint[endpoint] += 1
            self.by_status[str(status)] += 1

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self.by_endpoint.values()),
                "by_endpoint": dict(sorted(self.by_endpoint.items())),
                "by_status": dict(sorted(self.by_status.items())),
            }

    def reset_stats(self) -> None:
        with self._lock:
            self.by_endpoint.clear()
            self.by_status.clear()

    # --- tokens -------------------------------------------------------------------------------
    def issue_access(self, client_id: str, user_id: str | None, scope: frozenset[str]) -> str:
        token = "BQ" + secrets.token_urlsafe(48)
        with self._lock:
            self.access[token] = AccessToken(client_id, user_id, scope, self.now() + ACCESS_TOKEN_SECONDS)
        return token

    def issue_refresh(self, client_id: str, user_id: str, scope: frozenset[str], pkce: bool,
                      login_at: float | None = None) -> str:
        token = "AQ" + secrets.token_urlsafe(64)
        with self._lock:
            self.refresh[token] = RefreshToken(client_id, user_id, scope, pkce,
                                               self.now() if login_at is None else login_at)
        return token

    def lookup_access(self, token: str) -> tuple[AccessToken | None, bool]:
        """(token, expired?) for a bearer token; (None, False) when we never issued it."""
        with self._lock:
            info = self.access.get(token)
        if info is None:
            return None, False
        return info, info.expired or self.now() >= info.expires_at

    def use_refresh(self, token: str, client_id: str) -> tuple[RefreshToken | None, str]:
        """(the refresh token, "") if this client may still use it, else (None, why not).

        PKCE tokens rotate: each works once.
        """
        with self._lock:
            info = self.refresh.get(token)
            if info is None or info.revoked or info.client_id != client_id:
                return None, "Refresh token revoked"
            if self.now() - info.login_at > REFRESH_TOKEN_SECONDS:
                return None, "Refresh token expired"
            if info.pkce:
                info.revoked = True
            return info, ""

    def expire_all_access(self) -> int:
        with self._lock:
            for info in self.access.values():
                info.expired = True
            return len(self.access)

    def revoke_all_refresh(self) -> int:
        with self._lock:
            for info in self.refresh.values():
                info.revoked = True
            return len(self.refresh)

    def issue_code(self, code: AuthCode) -> str:
        value = secrets.token_urlsafe(32)
        with self._lock:
            self.codes[value] = code
        return value

    def take_code(self, value: str) -> AuthCode | None:
        """The code if unused and fresh; marks it used so a second exchange fails like Spotify's."""
        with self._lock:
            code = self.codes.get(value)
            if code is None or code.used or self.now() - code.created > CODE_SECONDS:
                return None
            code.used = True
            return code


def s256(verifier: str) -> str:
    """PKCE S256: base64url(sha256(verifier)) without padding (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _copy_faults(faults: Faults) -> Faults:
    copy = Faults(**{k: v for k, v in faults.as_dict().items() if k != "script"})
    copy.script = [ScriptedFault(**s.as_dict()) for s in faults.script]
    return copy


def _apply_knob(faults: Faults, key: str, value: Any) -> None:
    if key in SHARE_KNOBS:
        setattr(faults, key, _share(key, value))
    elif key == "latency_ms":
        faults.latency_ms = _non_negative(key, value)
    elif key == "retry_after":
        faults.retry_after = int(_non_negative(key, value))
    elif key == "script":
        faults.script = _parse_script(value)
    else:
        raise ControlError(f"unknown fault knob {key!r}; known: {sorted(Faults().as_dict())}")


def _share(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise ControlError(f"{key} must be a share between 0 and 1, got {value!r}")
    return float(value)


def _non_negative(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ControlError(f"{key} must be a number >= 0, got {value!r}")
    return float(value)


def _parse_script(value: Any) -> list[ScriptedFault]:
    if not isinstance(value, list):
        raise ControlError("script must be a list of {path, status, count, retry_after} objects")
    faults = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise ControlError(f"script entry {entry!r} needs a string 'path'")
        unknown = set(entry) - {"path", "status", "count", "retry_after", "method", "reason"}
        if unknown:
            raise ControlError(f"script entry has unknown keys {sorted(unknown)}")
        status = entry.get("status")
        if status not in FAULT_STATUSES:
            raise ControlError(f"script status must be one of {FAULT_STATUSES}, got {status!r}")
        count = int(_non_negative("count", entry.get("count", 1)))
        retry_after = int(_non_negative("retry_after", entry.get("retry_after", 1)))
        faults.append(ScriptedFault(entry["path"], int(status), count, retry_after,
                                    str(entry.get("method", "")), str(entry.get("reason", ""))))
    return faults
