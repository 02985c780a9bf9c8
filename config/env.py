"""12-factor settings helpers that fail loudly: a bad value stops start-up with a clear message.

Modelled on healthchecks' settings (envbool, envint, secrets from `<NAME>_FILE`).
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use one of: 1, 0, true, false, yes, no)")


def envint(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} must be at most {maximum}")
    return value


def envfloat(name: str, default: float, *, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value:g} must be at least {minimum:g}")
    return value


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def envsecret(name: str) -> str | None:
    """A secret from `NAME`, or from the file named by `NAME_FILE` (Docker/systemd style)."""
    if name in os.environ:
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path is None:
        return None
    try:
        return Path(path).read_text().strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from None


def require_deploy_keys(*, debug: bool, secret_key: str, token_keys: list[str]) -> None:
    """A public deployment (GENRELENS_DEPLOY=1) starts only with explicit, strong keys and DEBUG off:
    a key made up under var/ would change, and log everyone out, whenever var/ is lost."""
    if debug:
        raise ImproperlyConfigured("GENRELENS_DEPLOY=1 with DEBUG=1: debug pages show settings and code; set DEBUG=0")
    if not secret_key:
        raise ImproperlyConfigured("GENRELENS_DEPLOY=1 needs SECRET_KEY (or SECRET_KEY_FILE): at least 50 random "
                                   "characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'")
    if len(secret_key) < 50 or len(set(secret_key)) < 5 or secret_key.startswith("django-insecure-"):
        raise ImproperlyConfigured("SECRET_KEY is too weak for GENRELENS_DEPLOY=1: use at least 50 random characters")
    if not token_keys:
        raise ImproperlyConfigured("GENRELENS_DEPLOY=1 needs GENRELENS_TOKEN_KEYS (or GENRELENS_TOKEN_KEY), the key "
                                   "that encrypts Spotify tokens: a Fernet key, see docs/security.md")


def installation_secret(var_dir: Path, filename: str = "secret_key") -> str:
    """A random secret made once per installation and kept under var/ (mode 600).

    No secret ships with the code: an installation without SECRET_KEY gets its own, so the
    embedded default works from a fresh clone and no two installations share a key.
    """
    path = var_dir / filename
    if path.exists():
        return path.read_text().strip()
    if var_dir.is_dir() and any(var_dir.iterdir()):
        # Not silent: everything signed or encrypted under the lost key is unreadable from now on.
        sys.stderr.write(f"genrelens: {path} was missing, so a new secret key was made: users are logged out "
                         "and stored Spotify logins must be reconnected (set SECRET_KEY to avoid this)\n")
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
