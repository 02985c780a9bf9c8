"""ReccoBeats: free audio features by Spotify track id, the closest stand-in for Spotify's closed endpoint.

Docs: https://reccobeats.com/docs/apis/get-audio-features (notes in spotify-api-2026.md §4.1).
`GET /v1/audio-features?ids=a,b` answers `{"content": [...]}` for the ids it knows, in no
particular order and without null slots; each item's `id` is a ReccoBeats UUID, so results are
mapped back through `href` (`https://open.spotify.com/track/<spotify id>`). There is no
`time_signature` and no `duration_ms`: those come from Spotify's track object.

Plain requests, with the same `RetryPolicy` as the Spotify adapter (429/5xx handling shared).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import requests

from genrelens.core.errors import UpstreamError
from genrelens.core.spotify.retry import RetryPolicy, parse_retry_after
from genrelens.core.spotify.settings import DEFAULT_RECCOBEATS_BASE, SpotifySettings
from genrelens.core.spotify.wire import CountingSession, RequestCounter
from genrelens.core.types import FEATURE_NAMES, AudioFeatures

#: ids per request: client projects report 40 and that extra ids are silently dropped
BATCH_SIZE = 40
_BASE62 = re.compile(r"^[0-9A-Za-z]+$")
_HREF_ID = re.compile(r"open\.spotify\.com/(?:intl-[a-z-]+/)?track/([0-9A-Za-z]+)")
#: what ReccoBeats measures; time_signature and duration_ms it does not
RECCOBEATS_FEATURES: tuple[str, ...] = tuple(f for f in FEATURE_NAMES if f not in ("time_signature", "duration_ms"))


class ReccoBeatsClient:
    """Audio features from ReccoBeats (no API key) keyed by Spotify track id."""

    def __init__(
        self,
        base_url: str = DEFAULT_RECCOBEATS_BASE,
        *,
        policy: RetryPolicy | None = None,
        timeout: float = 10.0,
        session: CountingSession | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._policy = policy or RetryPolicy()
        self._timeout = timeout
        self._session = session or CountingSession()

    @classmethod
    def from_settings(
        cls, settings: SpotifySettings, *, sleep: Callable[[float], None] | None = None
    ) -> ReccoBeatsClient:
        """Build from the shared settings: reccobeats_base, retry cap, retries and timeout."""
        policy = RetryPolicy(retry_after_cap=settings.retry_after_cap, max_retries=settings.max_retries)
        if sleep is not None:
            policy = dataclasses.replace(policy, sleep=sleep)
        return cls(settings.reccobeats_base, policy=policy, timeout=settings.timeout)

    @property
    def requests(self) -> RequestCounter:
        return self._session.counter

    def close(self) -> None:
        self._session.close()

    def audio_features(self, spotify_ids: Iterable[str | None]) -> dict[str, AudioFeatures]:
        """Features for the ids ReccoBeats knows, 40 per request; unknown or malformed ids are left out."""
        # a malformed id would make ReccoBeats refuse the whole batch of 40: it cannot be known anyway
        wanted = list(dict.fromkeys(i for i in spotify_ids if i and _BASE62.match(i)))
        found: dict[str, AudioFeatures] = {}
        for start in range(0, len(wanted), BATCH_SIZE):
            chunk = wanted[start : start + BATCH_SIZE]
            body = self._policy.run("reccobeats/audio-features", functools.partial(self._get_features, chunk))
            found.update(parse_features_response(body, set(chunk)))
        return found

    def _get_features(self, ids: list[str]) -> Any:
        url = f"{self.base_url}/audio-features"
        try:
            response = self._session.get(url, params={"ids": ",".join(ids)}, timeout=self._timeout)
        except requests.RequestException as exc:
            raise UpstreamError(f"reccobeats: {exc}", status=None, endpoint="reccobeats/audio-features") from exc
        if response.status_code >= 400:
            raise UpstreamError(
                f"reccobeats/audio-features: HTTP {response.status_code} {response.text[:200]}",
                status=response.status_code,
                endpoint="reccobeats/audio-features",
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        try:
            return response.json()
        except ValueError as exc:
            raise UpstreamError(
                f"reccobeats/audio-features: body is not JSON ({exc})", status=None, endpoint="reccobeats"
            ) from exc


def spotify_id_from_href(href: Any) -> str | None:
    """"https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC" -> "4uLU6hMCjMI75M1A2tKUQC"."""
    if not isinstance(href, str):
        return None
    match = _HREF_ID.search(href)
    return match.group(1) if match else None


def parse_features_response(body: Any, asked: set[str]) -> dict[str, AudioFeatures]:
    """Map `{"content": [...]}` back to Spotify ids through each item's `href`.

    Items for ids we did not ask for are ignored (one ISRC may fan out to several records);
    when an id comes back twice the first record wins, so the answer is deterministic.
    """
    if not isinstance(body, Mapping) or not isinstance(body.get("content"), list):
        raise UpstreamError("reccobeats/audio-features: no 'content' list in the answer", status=None)
    found: dict[str, AudioFeatures] = {}
    for item in body["content"]:
        if not isinstance(item, Mapping):
            continue
        spotify_id = spotify_id_from_href(item.get("href"))
        if spotify_id is None or spotify_id not in asked or spotify_id in found:
            continue
        try:
            found[spotify_id] = AudioFeatures.from_mapping({k: item.get(k) for k in RECCOBEATS_FEATURES})
        except (TypeError, ValueError) as exc:
            raise UpstreamError(f"reccobeats: bad feature value for {spotify_id}: {exc}", status=None) from exc
    return found
