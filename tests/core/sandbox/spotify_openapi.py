"""The vendored OpenAPI description of Spotify's Web API, as the conformance test applies it.

The description is sonallux/spotify-web-api's `fixed-spotify-open-api.yml` (tests/data/spotify-openapi,
README there for its commit and licence). It is applied with `openapi-core`, which finds the
operation from the request's URL and validates the response body against that operation's schema
for the status received (`$ref`s resolved, OpenAPI 3.0's `nullable`, required fields, types,
enums and ranges).

Two kinds of adjustment are made to the loaded description, nothing else:

* `ERRATA`: places where the description cannot describe what Spotify documents it sends. Each is
  narrow and says why.
* The `devmode-2026` profile: properties the description marks `deprecated` are what Spotify took
  away from development-mode apps in 2026 (spotify-api-2026.md §1.3). There they are no longer
  required, and they must be absent, except the ones Spotify keeps sending beside their
  replacements (`DEPRECATED_BUT_SENT`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import requests
import yaml
from jsonschema.exceptions import ValidationError
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.exceptions import OpenAPIError
from openapi_core.testing import MockResponse

SPEC_DIR = Path(__file__).resolve().parents[2] / "data" / "spotify-openapi"
SPEC_PATH = SPEC_DIR / "fixed-spotify-open-api.yml"
SPEC_COMMIT = "39207c4ba600deb34b0913975d01983ba60be583"
SPEC_SHA256 = "ddeb078a50208d94c4538bd891bec0c9e67c9f3406617a2d887f0a482a4501f4"
SCHEMAS = "#/components/schemas/"

#: Deprecated properties Spotify still sends to development-mode apps, beside what replaced them:
#: `track` beside `item` in playlist items (music-assistant/server PR#3436), and the sandbox keeps
#: the playlist's `tracks` summary beside `items` for the same reason (docs/sandbox.md, Choices).
DEPRECATED_BUT_SENT = {
    ("PlaylistTrackObject", "track"),
    ("SimplifiedPlaylistObject", "tracks"),
    ("PlaylistObject", "tracks"),
}

#: Fields Spotify sends as null in a local file's track, album and artists (the track's `id` null
#: is what breaks naive clients, spotipy#1156); the description has no schema for local files.
LOCAL_TRACK_NULLS = ("id", "href")
LOCAL_ALBUM_NULLS = ("album_type", "href", "id", "release_date", "release_date_precision", "uri")
LOCAL_ARTIST_NULLS = ("href", "id", "uri")


@cache
def _load() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader reads the 286 KB file in ~0.5 s
    with SPEC_PATH.open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.load(handle, Loader=loader)
    return spec


def _schemas(spec: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = spec["components"]["schemas"]
    return schemas


def _ref_name(ref: str) -> str:
    return ref.removeprefix(SCHEMAS)


# --- errata -------------------------------------------------------------------------------------


def _type_value(spec: dict[str, Any], name: str) -> str:
    """The `type` enum value ("track", "episode") of a schema, looking through its allOf parts."""
    schema = _schemas(spec)[name]
    parts = [schema, *schema.get("allOf", [])]
    for part in parts:
        if "$ref" in part:
            try:
                return _type_value(spec, _ref_name(part["$ref"]))
            except KeyError:
                continue
        enum = part.get("properties", {}).get("type", {}).get("enum")
        if enum:
            return str(enum[0])
    raise KeyError(f"{name} has no `type` enum")


def _map_discriminators(spec: dict[str, Any]) -> None:
    """Erratum 1: `discriminator: {propertyName: type}` without a `mapping`.

    OpenAPI's implicit mapping takes the value as a schema name, so `"type": "track"` would have to
    name a schema `track`, which does not exist; every item would fail. The mapping intended is
    each alternative's own `type` value (TrackObject: "track", EpisodeObject: "episode").
    """
    for node in _walk(spec["components"]):
        discriminator = node.get("discriminator")
        if isinstance(discriminator, dict) and "mapping" not in discriminator and "oneOf" in node:
            refs = [part["$ref"] for part in node["oneOf"]]
            discriminator["mapping"] = {_type_value(spec, _ref_name(ref)): ref for ref in refs}


def _nullable_copy(schema: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """`schema` with `fields` allowed to be null (their enum, if any, dropped with the rest)."""
    out = copy.deepcopy(schema)
    for name in fields:
        original = out["properties"][name]
        out["properties"][name] = {"type": original.get("type", "string"), "nullable": True}
    return out


def _add_local_files(spec: dict[str, Any]) -> None:
    """Erratum 2: local files in playlists (`is_local: true`).

    Spotify's local-files guide and client reports (spotipy#1156, jamiew/spotify-mcp#16) show a
    track whose `id` and `href`, and whose album's and artists' ids, links and uri are null. The
    description only has TrackObject, where those are non-null strings, so a playlist item with
    `is_local: true` is held against `LocalTrackObject` instead: TrackObject with exactly those
    fields nullable and `is_local` fixed to true. Everything else (required album fields included,
    e.g. `total_tracks`) is checked as for any track.
    """
    schemas = _schemas(spec)
    schemas["LocalAlbumBase"] = _nullable_copy(schemas["AlbumBase"], LOCAL_ALBUM_NULLS)
    album = copy.deepcopy(schemas["SimplifiedAlbumObject"])
    album["allOf"][0] = {"$ref": SCHEMAS + "LocalAlbumBase"}
    schemas["LocalAlbumObject"] = album
    schemas["LocalArtistObject"] = _nullable_copy(schemas["SimplifiedArtistObject"], LOCAL_ARTIST_NULLS)
    track = _nullable_copy(schemas["TrackObject"], LOCAL_TRACK_NULLS)
    track["properties"]["album"] = {"$ref": SCHEMAS + "LocalAlbumObject"}
    track["properties"]["artists"] = {"type": "array", "items": {"$ref": SCHEMAS + "LocalArtistObject"}}
    track["properties"]["is_local"] = {"type": "boolean", "enum": [True]}
    track["required"] = ["is_local"]
    schemas["LocalTrackObject"] = track
    schemas["PlaylistTrackOrLocalObject"] = {
        "oneOf": [{"$ref": SCHEMAS + "TrackObject"}, {"$ref": SCHEMAS + "LocalTrackObject"}],
    }
    item = schemas["PlaylistTrackObject"]["properties"]
    for key in ("item", "track"):
        item[key]["discriminator"]["mapping"]["track"] = SCHEMAS + "PlaylistTrackOrLocalObject"
    # a non-local track must not pass as a local one: TrackObject requires nothing, so pin it
    schemas["TrackObject"]["properties"]["is_local"] = {"type": "boolean", "enum": [False]}


def _cursor_next_nullable(spec: dict[str, Any]) -> None:
    """Erratum 3: CursorPagingObject.next says "(`null` if none)" but lacks `nullable: true`
    (PagingObject's `next` has it); the last page of recently-played has no next page."""
    _schemas(spec)["CursorPagingObject"]["properties"]["next"]["nullable"] = True


ERRATA = (_map_discriminators, _add_local_files, _cursor_next_nullable)


# --- the devmode-2026 profile ------------------------------------------------------------------


def _drop_deprecated(spec: dict[str, Any]) -> None:
    """Deprecated properties: not required, and absent unless listed in DEPRECATED_BUT_SENT."""
    for name, schema in _schemas(spec).items():
        # AlbumObject lists `required` beside its allOf, for properties declared inside it
        parts = [schema, *schema.get("allOf", [])]
        deprecated = {key for part in parts for key, value in part.get("properties", {}).items()
                      if value.get("deprecated")}
        for part in parts:
            if "required" in part:
                part["required"] = [key for key in part["required"] if key not in deprecated]
                if not part["required"]:
                    del part["required"]  # OpenAPI 3.0 wants a non-empty list
            for key in list(part.get("properties", {})):
                if key in deprecated and (name, key) not in DEPRECATED_BUT_SENT:
                    part["properties"][key] = {"not": {}, "description": "deprecated: not sent to dev-mode apps"}


def spec_for(profile: str, api_base: str) -> dict[str, Any]:
    """The description as held against one sandbox (its server URL, its profile)."""
    spec = copy.deepcopy(_load())
    spec["servers"] = [{"url": api_base.rstrip("/")}]
    for erratum in ERRATA:
        erratum(spec)
    if profile == "devmode-2026":
        _drop_deprecated(spec)
    return spec


@cache
def openapi_for(profile: str, api_base: str) -> OpenAPI:
    # The description itself is checked once by its publisher's CI; skipping it here saves seconds.
    return OpenAPI.from_dict(spec_for(profile, api_base), config=Config(spec_validator_cls=None))


def operation_deprecated(path_template: str) -> bool:
    """Whether the description marks GET `path_template` (its own spelling) deprecated."""
    return bool(_load()["paths"][path_template]["get"].get("deprecated"))


# --- validation ---------------------------------------------------------------------------------


class NonConformingResponse(AssertionError):
    """A response the description does not allow; the message lists where and why."""


def check(openapi: OpenAPI, response: requests.Response, *, body: Any = None) -> None:
    """Raise NonConformingResponse unless `response` matches the description.

    With `body`, that body is validated in place of the response's own (to test the checker).
    """
    answer: Any = RequestsOpenAPIResponse(response)
    if body is not None:
        answer = MockResponse(json.dumps(body).encode(), status_code=response.status_code,
                              content_type="application/json")
    try:
        openapi.validate_response(RequestsOpenAPIRequest(response.request), answer)
    except OpenAPIError as exc:
        raise NonConformingResponse(_explain(response, exc)) from None


def _explain(response: requests.Response, exc: OpenAPIError) -> str:
    errors = list(_schema_errors(exc))
    head = f"{response.request.method} {response.url} -> {response.status_code}: {type(exc).__name__}"
    if not errors:
        return f"{head}: {_short(str(exc))}"
    lines = sorted({_describe(leaf) for error in errors for leaf in _leaves(error)})
    shown = lines[:30]
    more = f"\n  ... and {len(lines) - len(shown)} more" if len(lines) > len(shown) else ""
    return head + "".join(f"\n  {line}" for line in shown) + more


def _schema_errors(exc: BaseException) -> Iterator[ValidationError]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield from getattr(current, "schema_errors", ())
        current = current.__cause__ or current.__context__


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The errors under a oneOf/anyOf failure, from the alternative that came closest (fewest
    errors): a local file is reported as a LocalTrackObject, not as a TrackObject."""
    if not error.context:
        yield error
        return
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0] if sub.relative_schema_path else None, []).append(sub)
    for sub in min(branches.values(), key=len):
        yield from _leaves(sub)


def _describe(error: ValidationError) -> str:
    # list positions as `*`: one line per kind of defect, however many items share it
    where = "/".join("*" if isinstance(p, int) else str(p) for p in error.absolute_path) or "(body)"
    if error.validator == "not":
        return f"at {where}: deprecated field sent to a dev-mode app"
    return f"at {where}: {_short(error.message)}"


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)
