"""Errors the core raises. Callers catch these, never a library's own exception types."""

from __future__ import annotations


class GenrelensError(Exception):
    """Base class of every error genrelens raises on purpose."""


class RateLimited(GenrelensError):
    """The service asked us to wait longer than we are willing to (its Retry-After, in seconds)."""

    def __init__(self, retry_after: float, endpoint: str = "") -> None:
        self.retry_after = retry_after
        self.endpoint = endpoint
        super().__init__(f"rate limited on {endpoint or 'the API'}: retry after {retry_after:g} s")


class EndpointRestricted(GenrelensError):
    """This app may not use the endpoint (Spotify's 2024/2026 restrictions answer 403 or 404)."""

    def __init__(self, endpoint: str, status: int = 403) -> None:
        self.endpoint = endpoint
        self.status = status
        super().__init__(f"endpoint {endpoint} is not available to this app (HTTP {status})")


class ReauthRequired(GenrelensError):
    """The user's refresh token is no longer valid (revoked, or older than six months): log in again."""


class ProviderError(GenrelensError):
    """A feature provider failed. `permanent` errors are not worth retrying."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        self.permanent = permanent
        super().__init__(message)


class ImportFailed(GenrelensError):
    """A dataset could not be imported; nothing was written."""


class NotFound(GenrelensError):
    """A dataset, model or track that was asked for by name does not exist."""


class ConfigurationError(GenrelensError):
    """A setting has a value that cannot work."""


class UpstreamError(ProviderError):
    """A remote service (Spotify, ReccoBeats) answered with an error, or could not be reached.

    `status` is the HTTP status, or None when no response arrived (connection error, timeout).
    4xx are `permanent`; 5xx and connection errors are transient and have been retried already.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None,
        endpoint: str = "",
        retry_after: float | None = None,
        reason: str | None = None,
    ) -> None:
        self.status = status
        self.endpoint = endpoint
        self.retry_after = retry_after
        self.reason = reason
        permanent = status is not None and 400 <= status < 500 and status != 429
        super().__init__(message, permanent=permanent)
