"""The sandbox's own controls under /_sandbox/ (never counted in stats, never faulted)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from genrelens.core.sandbox.catalog import SPOTIFY_USER_ID
from genrelens.core.sandbox.control import ControlError
from genrelens.core.sandbox.http import HttpError, Request, Response, Router, json_response
from genrelens.core.sandbox.reccobeats import knows

if TYPE_CHECKING:
    from genrelens.core.sandbox.app import SandboxApp


class Admin:
    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.state = app.state

    def stats(self, request: Request) -> Response:
        return json_response(self.state.stats())

    def reset_stats(self, request: Request) -> Response:
        self.state.reset_stats()
        return json_response(self.state.stats())

    def faults(self, request: Request) -> Response:
        return json_response(self.state.faults_dict())

    def set_faults(self, request: Request) -> Response:
        try:
            changes = request.json_body()
        except json.JSONDecodeError as exc:
            raise HttpError(400, f"body is not JSON: {exc}") from None
        if not isinstance(changes, dict):
            raise HttpError(400, "body must be a JSON object of fault knobs")
        try:
            return json_response(self.state.update_faults(changes))
        except ControlError as exc:
            raise HttpError(400, str(exc)) from None

    def reset(self, request: Request) -> Response:
        self.state.reset()
        return json_response({"faults": self.state.faults_dict(), "tokens": "cleared"})

    def expire(self, request: Request) -> Response:
        return json_response({"expired_access_tokens": self.state.expire_all_access()})

    def revoke(self, request: Request) -> Response:
        return json_response({"revoked_refresh_tokens": self.state.revoke_all_refresh()})

    def clock(self, request: Request) -> Response:
        return json_response({"offset_s": self.state.clock_offset, "now": self.state.now()})

    def advance_clock(self, request: Request) -> Response:
        try:
            body = request.json_body()
            seconds = float(body["advance_s"])
            self.state.advance_clock(seconds)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise HttpError(400, f'body must be {{"advance_s": seconds >= 0}}: {exc}') from None
        return self.clock(request)

    def users(self, request: Request) -> Response:
        catalog = self.app.catalog
        users = [
            {
                "id": u.id,
                "display_name": u.display_name,
                "owns": [p.id for p in catalog.playlists.values() if p.owner_id == u.id],
                "collaborates": [p.id for p in catalog.playlists.values() if u.id in p.collaborator_ids],
                "liked": len(u.liked),
                "playing": u.playing is not None,
            }
            for u in catalog.sandbox_users()
        ]
        return json_response({"users": users})

    def catalog(self, request: Request) -> Response:
        catalog = self.app.catalog
        tracks = list(catalog.tracks.values())
        spotify_owned = [p.id for p in catalog.playlists.values() if p.owner_id == SPOTIFY_USER_ID]
        body: dict[str, Any] = {
            "profile": self.app.config.profile,
            "source": catalog.source,
            "seed": self.app.config.seed,
            "counts": {**catalog.counts(), "reccobeats_known": sum(1 for t in tracks if knows(t))},
            # Handy ids for tests that need "some track", "a Spotify-owned playlist" and so on.
            "examples": {
                "track_ids": [t.id for t in tracks[:5]],
                "reccobeats_unknown_track_ids": [t.id for t in tracks if not knows(t)][:5],
                "spotify_owned_playlist_ids": spotify_owned[:5],
                "category_ids": list(catalog.categories)[:5],
                "album_ids": list(catalog.albums)[:5],
                "artist_ids": list(catalog.artists)[:5],
            },
        }
        return json_response(body)


def register(router: Router, app: SandboxApp) -> None:
    admin = Admin(app)
    router.add("GET", "/_sandbox/stats", admin.stats)
    router.add("POST", "/_sandbox/stats/reset", admin.reset_stats)
    router.add("GET", "/_sandbox/faults", admin.faults)
    router.add("POST", "/_sandbox/faults", admin.set_faults)
    router.add("POST", "/_sandbox/reset", admin.reset)
    router.add("POST", "/_sandbox/tokens/expire", admin.expire)
    router.add("POST", "/_sandbox/tokens/revoke", admin.revoke)
    router.add("GET", "/_sandbox/clock", admin.clock)
    router.add("POST", "/_sandbox/clock", admin.advance_clock)
    router.add("GET", "/_sandbox/users", admin.users)
    router.add("GET", "/_sandbox/catalog", admin.catalog)
