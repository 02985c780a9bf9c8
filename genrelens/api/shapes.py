"""Response shapes, declared once for the OpenAPI schema (and so for the app's generated types).

Views build plain dicts in the catalog's and core's functions; these serializers describe them.
The API tests validate every response against the schema built from here, so a view that drifts
from its declared shape fails a test.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers as s

from genrelens.core.listening.types import WEIGHTING_CHOICES
from genrelens.core.types import FEATURE_NAMES, INT_FEATURES

# ---------------------------------------------------------------------------------------------
# building blocks


@extend_schema_field({"type": ["object", "array"]})  # allow_null adds "null"
class NullableJson(s.JSONField):
    """Free-form JSON or null (a plain nullable JSONField renders as oneOf [any, null], which null
    matches twice)."""


class ErrorBody(s.Serializer):
    status = s.IntegerField()
    code = s.CharField(help_text="restricted, rate_limited, reauth, not_logged_in, upstream, invalid, not_found, "
                                 "throttled, ...")
    message = s.CharField(help_text="a plain sentence for people")
    details = NullableJson(allow_null=True, help_text="restricted: {what, why}; reauth: {reconnect_url}; "
                                                     "not_logged_in: {login_url}; invalid: the fields")


class Error(s.Serializer):
    error = ErrorBody()


def _feature_field(name: str) -> s.Field:
    if name in INT_FEATURES:
        return s.IntegerField(allow_null=True)
    return s.FloatField(allow_null=True)


Features = type("Features", (s.Serializer,), {name: _feature_field(name) for name in FEATURE_NAMES})


class LocalAgreement(s.Serializer):
    top1 = s.FloatField()
    top2 = s.FloatField()
    recordings = s.IntegerField()


class TopGenre(s.Serializer):
    genre = s.CharField()
    probability = s.FloatField()
    basis = s.ChoiceField(choices=["spotify_features", "estimated_features"],
                          help_text="spotify_features: Spotify's audio features (or a provider's on Spotify's scale); "
                                    "estimated_features: features genrelens estimated from an audio file")
    model = s.CharField(help_text="the model that scored it: the active model, or its companion for local files")
    agreement = LocalAgreement(allow_null=True,
                               help_text="estimated_features: how often a top genre from estimated features matched "
                                         "the one from Spotify's features for the same recordings")


class TrackItem(s.Serializer):
    id = s.CharField(help_text="Spotify id, or local:<sha256> for your own files")
    uri = s.CharField(allow_null=True)
    name = s.CharField(allow_blank=True)
    artists = s.ListField(child=s.CharField())
    album = s.CharField(allow_blank=True)
    album_id = s.CharField(allow_null=True)
    image_url = s.CharField(allow_null=True)
    duration_ms = s.IntegerField(allow_null=True)
    release_year = s.IntegerField(allow_null=True)
    popularity = s.IntegerField(allow_null=True)
    is_local = s.BooleanField()
    features = Features(allow_null=True)
    feature_source = s.CharField(allow_null=True, help_text="spotify, reccobeats, dataset:<name> or local")
    features_note = s.CharField(allow_null=True, help_text="why there are no features")
    top_genre = TopGenre(allow_null=True)


class Coverage(s.Serializer):
    tracks = s.IntegerField()
    with_features = s.IntegerField()
    by_source = s.DictField(child=s.IntegerField())


class Accuracy(s.Serializer):
    value = s.FloatField()
    protocol = s.CharField()
    random_split_value = s.FloatField(allow_null=True)


class ModelBrief(s.Serializer):
    version = s.CharField()
    accuracy = Accuracy(allow_null=True)


class TrackPage(s.Serializer):
    items = TrackItem(many=True)
    total = s.IntegerField()
    offset = s.IntegerField()
    limit = s.IntegerField()
    next_offset = s.IntegerField(allow_null=True)
    coverage = Coverage()
    model = ModelBrief(allow_null=True)


class ArtistItem(s.Serializer):
    id = s.CharField()
    name = s.CharField()
    image_url = s.CharField(allow_null=True)
    genres = s.ListField(child=s.CharField())


class AlbumItem(s.Serializer):
    id = s.CharField()
    name = s.CharField()
    artists = s.ListField(child=s.CharField())
    release_year = s.IntegerField(allow_null=True)
    image_url = s.CharField(allow_null=True)
    total_tracks = s.IntegerField(allow_null=True)


class SearchResult(s.Serializer):
    type = s.ChoiceField(choices=["track", "artist", "album"])
    source = s.ChoiceField(choices=["spotify", "catalog"])
    query = s.CharField()
    offset = s.IntegerField()
    limit = s.IntegerField()
    next_offset = s.IntegerField(allow_null=True)
    note = s.CharField(allow_null=True)
    tracks = TrackItem(many=True, help_text="type=track")
    artists = ArtistItem(many=True, help_text="type=artist")
    albums = AlbumItem(many=True, help_text="type=album")


class SpotifyUser(s.Serializer):
    spotify_id = s.CharField()
    display_name = s.CharField()
    country = s.CharField(allow_null=True)
    product = s.CharField(allow_null=True)


class Me(s.Serializer):
    connected = s.BooleanField()
    login_url = s.CharField(allow_null=True)
    user = SpotifyUser(allow_null=True)


class RhythmEstimate(s.Serializer):
    tempo = s.FloatField(allow_null=True)
    time_signature = s.IntegerField(allow_null=True)
    beat_ms = s.FloatField(allow_null=True)
    source = s.CharField(allow_null=True)
    note = s.CharField()


class NowPlaying(s.Serializer):
    is_playing = s.BooleanField()
    progress_ms = s.IntegerField(allow_null=True)
    timestamp = s.IntegerField(allow_null=True, help_text="ms since the epoch when progress_ms was measured")
    track = TrackItem()
    rhythm_estimate = RhythmEstimate(allow_null=True)


class Category(s.Serializer):
    id = s.CharField()
    name = s.CharField()
    icon_url = s.CharField(allow_null=True)


class Categories(s.Serializer):
    items = Category(many=True)


class PlaylistItem(s.Serializer):
    id = s.CharField()
    name = s.CharField(allow_blank=True)
    owner = s.CharField(allow_blank=True)
    image_url = s.CharField(allow_null=True)
    tracks_total = s.IntegerField(allow_null=True)
    is_mine = s.BooleanField()


class Playlists(s.Serializer):
    items = PlaylistItem(many=True)


# ---------------------------------------------------------------------------------------------
# analysis


class SourceRow(s.Serializer):
    source = s.CharField()
    source_version = s.CharField(allow_blank=True)
    fetched_at = s.DateTimeField()
    features = Features()
    how = s.DictField(child=s.CharField(), help_text="feature -> measured | estimated")


class Baselines(s.Serializer):
    random = s.FloatField(allow_null=True)
    majority = s.FloatField(allow_null=True)


class ModelDataset(s.Serializer):
    name = s.CharField(allow_blank=True)
    licence_note = s.CharField()


class Fidelity(s.Serializer):
    r = s.FloatField(allow_null=True)
    mae = s.FloatField(allow_null=True)
    mae_mean_predictor = s.FloatField(allow_null=True)
    n = s.IntegerField()
    protocol = s.CharField()


class Genres(s.Serializer):
    model = s.CharField()
    label = s.CharField()
    probabilities = s.DictField(child=s.FloatField(), help_text="genre -> probability, most likely first")
    accuracy = Accuracy(allow_null=True)
    baselines = Baselines()
    dataset = ModelDataset()
    note = s.CharField(allow_blank=True)
    local_agreement = LocalAgreement(allow_null=True, help_text="local tracks: how often genres from estimated "
                                                                "features agree with those from Spotify's")


class Confidence(s.Serializer):
    tempo = s.FloatField(allow_null=True, help_text="0..1")
    beats = s.FloatField(allow_null=True, help_text="0..1")
    time_signature = s.FloatField(allow_null=True, help_text="0..1")
    key = s.FloatField(allow_null=True, help_text="0..1")


class Rhythm(s.Serializer):
    beats = s.ListField(child=s.FloatField(), help_text="seconds")
    downbeats = s.ListField(child=s.FloatField(), help_text="seconds")
    sections = s.ListField(child=s.FloatField(), help_text="start of each section, seconds")
    confidence = Confidence(help_text="how sure the local analysis is of each estimate (null: not measured)")


class AnalysisTrack(s.Serializer):
    id = s.CharField()
    uri = s.CharField(allow_null=True)
    name = s.CharField(allow_blank=True)
    artists = s.ListField(child=s.CharField())
    album = s.CharField(allow_blank=True)
    duration_ms = s.IntegerField(allow_null=True)
    release_year = s.IntegerField(allow_null=True)
    popularity = s.IntegerField(allow_null=True)
    is_local = s.BooleanField()


class Stored(s.Serializer):
    model_version = s.CharField(allow_blank=True)
    sources_key = s.CharField()


class Analysis(s.Serializer):
    track = AnalysisTrack()
    features = Features(allow_null=True)
    feature_source = s.CharField(allow_null=True)
    reason = s.CharField(allow_null=True, help_text="why there are no features or genres")
    sources = SourceRow(many=True)
    genres = Genres(allow_null=True)
    percentiles = s.DictField(child=s.DictField(child=s.FloatField(allow_null=True)), allow_null=True,
                              help_text="feature -> genre (and 'all') -> the track's percentile, 0-100")
    rhythm = Rhythm(allow_null=True)
    fidelity = s.DictField(child=Fidelity(), allow_null=True,
                           help_text="local tracks: each estimated descriptor's cross-validated agreement with "
                                     "Spotify's values")
    stored = Stored()


# ---------------------------------------------------------------------------------------------
# status


class Check(s.Serializer):
    ok = s.BooleanField()
    detail = s.CharField()


class Health(s.Serializer):
    status = s.ChoiceField(choices=["ok", "degraded"])
    checks = s.DictField(child=Check())


class Off(s.Serializer):
    what = s.CharField()
    why = s.CharField()


class Provider(s.Serializer):
    name = s.CharField()
    enabled = s.BooleanField()
    reason = s.CharField(allow_blank=True)


class SpotifyCapabilities(s.Serializer):
    configured = s.BooleanField()
    flags = s.DictField(child=s.BooleanField(allow_null=True),
                        help_text="true: seen working, false: seen refused, null: not tried yet")
    search_limit = s.IntegerField()
    off = Off(many=True)


class Capabilities(s.Serializer):
    logged_in = s.BooleanField()
    spotify = SpotifyCapabilities()
    providers = Provider(many=True)


class ModelCardDataset(s.Serializer):
    name = s.CharField(allow_blank=True)
    sha256 = s.CharField(allow_blank=True)
    rows_used = s.IntegerField(allow_null=True)
    source = s.CharField(allow_blank=True)
    licence = s.CharField(allow_blank=True)


class ModelBaselines(s.Serializer):
    random = s.FloatField(allow_null=True)
    majority = s.FloatField(allow_null=True)
    majority_class = s.CharField(allow_null=True)


class Confusion(s.Serializer):
    labels = s.ListField(child=s.CharField())
    matrix = s.ListField(child=s.ListField(child=s.IntegerField()), help_text="rows: true genre; columns: predicted")


class ModelCard(s.Serializer):
    version = s.CharField()
    created_at = s.DateTimeField()
    label = s.CharField()
    candidate = s.CharField(allow_blank=True)
    classes = s.ListField(child=s.CharField())
    features = s.ListField(child=s.CharField())
    accuracy = Accuracy(allow_null=True)
    macro_f1 = s.FloatField(allow_null=True)
    log_loss = s.FloatField(allow_null=True)
    baselines = ModelBaselines()
    confusion_matrix = Confusion(allow_null=True, help_text="out-of-fold, artist-grouped")
    per_class = s.DictField(child=s.DictField(child=s.FloatField()), allow_null=True)
    dataset = ModelCardDataset()
    licence_note = s.CharField()


class DatasetItem(s.Serializer):
    name = s.CharField()
    source = s.CharField()
    format = s.CharField(allow_blank=True)
    licence = s.CharField(allow_blank=True)
    row_count = s.IntegerField()
    imported_at = s.DateTimeField()
    synthetic = s.BooleanField()


class Datasets(s.Serializer):
    items = DatasetItem(many=True)


# ---------------------------------------------------------------------------------------------
# jobs


class Progress(s.Serializer):
    done = s.IntegerField()
    total = s.IntegerField()


class Job(s.Serializer):
    id = s.UUIDField()
    kind = s.CharField()
    status = s.ChoiceField(choices=["queued", "running", "done", "failed"])
    progress = Progress(allow_null=True)
    error = s.CharField(allow_blank=True)
    result = NullableJson(allow_null=True)
    created_at = s.DateTimeField()
    finished_at = s.DateTimeField(allow_null=True)
    status_url = s.CharField()


# ---------------------------------------------------------------------------------------------
# taste (documents built by genrelens.core.taste.documents; see docs/taste.md)


class GridSpec(s.Serializer):
    min = s.FloatField()
    max = s.FloatField()
    points = s.IntegerField()
    unit = s.CharField(allow_blank=True)


class FeatureBlock(s.Serializer):
    count = s.IntegerField()
    density = s.ListField(child=s.FloatField(), allow_null=True, help_text="on the feature's grid, integrates to 1")
    percentiles = s.ListField(child=s.FloatField(), allow_null=True, help_text="p0..p100, 101 values")
    median = s.FloatField(allow_null=True)
    mean = s.FloatField(allow_null=True)
    bandwidth = s.FloatField(allow_null=True)
    frequencies = s.ListField(child=s.FloatField(), allow_null=True, required=False,
                              help_text="key, mode, time_signature: share of each whole value")


class GenreMix(s.Serializer):
    mean_probability = s.DictField(child=s.FloatField())
    top1_share = s.DictField(child=s.FloatField())


class GenreBasis(s.Serializer):
    estimated_tracks = s.IntegerField(help_text="tracks whose genres come from features estimated from their audio "
                                                "file (local tracks), not from Spotify's features")
    tracks_with_genres = s.IntegerField(help_text="all tracks the genre mix is computed from")
    model = s.CharField(allow_null=True, help_text="the model that scored the estimated tracks (the active model's "
                                                   "local companion, or the active model); null when none was")
    agreement = LocalAgreement(allow_null=True,
                               help_text="how often a top genre from estimated features matched the one from "
                                         "Spotify's features for the same recordings; null when none was estimated")


class TasteCoverage(s.Serializer):
    tracks = s.IntegerField()
    with_features = s.IntegerField()
    without_features = s.IntegerField()
    by_source = s.DictField(child=s.IntegerField())


class GenreEntry(s.Serializer):
    count = s.IntegerField()
    share = s.FloatField()
    features = s.DictField(child=FeatureBlock())


class PublicTaste(s.Serializer):
    version = s.IntegerField()
    dataset = s.CharField(allow_blank=True)
    features = s.ListField(child=s.CharField())
    grid = s.DictField(child=GridSpec())
    genres = s.DictField(child=GenreEntry())
    all = GenreEntry()


class MatchCounts(s.Serializer):
    total = s.IntegerField()
    counted = s.IntegerField(required=False, help_text="plays only: the plays that count for the weighting")
    matched = s.IntegerField()
    with_features = s.IntegerField()
    by_how = s.DictField(child=s.IntegerField(), help_text="uri, name+duration, name, unmatched")
    by_source = s.DictField(child=s.IntegerField(), help_text="feature source (reccobeats, dataset:NAME, ...); none")


class MatchReport(s.Serializer):
    weighting = s.CharField()
    plays = MatchCounts()
    tracks = MatchCounts()


class TasteSource(s.Serializer):
    source = s.CharField()
    label = s.CharField()
    updated_at = s.DateTimeField()
    weightings = s.ListField(child=s.ChoiceField(choices=WEIGHTING_CHOICES))


class TasteSources(s.Serializer):
    items = TasteSource(many=True)
    guest = s.BooleanField(help_text="the caller is a guest (no Spotify login), known by this browser session")


class ImportedFile(s.Serializer):
    format = s.CharField(help_text="extended_history, account_history, podcast_history, library, playlists, "
                                   "lastfm or exportify")
    rows = s.IntegerField(help_text="plays and library entries read")
    skipped = s.DictField(child=s.IntegerField(), help_text="reason -> rows left out")


class TasteImportResult(s.Serializer):
    files = s.DictField(child=ImportedFile(), help_text="each file with listening data, by its path in the export")
    ignored = s.ListField(child=s.CharField(), help_text="files that hold no listening data")
    skipped = s.DictField(child=s.IntegerField(), help_text="reason (podcast episode, audiobook, ...) -> rows")
    plays_read = s.IntegerField()
    plays_new = s.IntegerField(help_text="0 when the same export was imported before")
    sources = s.DictField(child=MatchReport(), help_text="each taste source rebuilt, with its match report")


class TasteImport(s.Serializer):
    id = s.UUIDField()
    stage = s.ChoiceField(choices=["queued", "reading", "storing", "matching", "features", "taste", "done", "failed"])
    done = s.IntegerField(help_text="progress within the stage (tracks)")
    total = s.IntegerField(help_text="0 when the stage has no count")
    error = s.CharField(allow_blank=True)
    result = TasteImportResult(allow_null=True, help_text="once done")
    created_at = s.DateTimeField()
    status_url = s.CharField()


class TasteBody(s.Serializer):
    """What every taste document holds: a user's own, a share link's snapshot, the public as a taste."""

    version = s.IntegerField()
    dataset = s.CharField(allow_blank=True)
    features = s.DictField(child=FeatureBlock())
    grid = s.DictField(child=GridSpec())
    genre_mix = GenreMix(allow_null=True)
    genre_basis = GenreBasis(allow_null=True, required=False,
                             help_text="how much of the genre mix rests on estimated features; absent or null in "
                                       "tastes stored before it was recorded, and for the public dataset")
    closeness = s.DictField(child=s.FloatField(allow_null=True), help_text="genre -> overlap 0..1")
    closeness_measure = s.CharField()
    coverage = TasteCoverage()
    track_count = s.IntegerField()


class UserTaste(TasteBody):
    updated_at = s.DateTimeField()
    source = s.CharField(help_text="spotify, spotify_export, lastfm, playlists or local")
    source_label = s.CharField()
    weighting = s.ChoiceField(choices=WEIGHTING_CHOICES, help_text="plays: each track weighted by its counted "
                                                                      "plays; tracks: each track once")
    weighting_label = s.CharField()
    match = MatchReport(allow_null=True, help_text="imported sources: how plays and tracks matched")


class Snapshot(TasteBody):
    kind = s.CharField(help_text="snapshot: a user's taste behind a link; public: the dataset as a taste")


class ShareFacts(s.Serializer):
    token = s.CharField()
    created_at = s.DateTimeField()
    expires_at = s.DateTimeField()
    owner_name = s.CharField(allow_blank=True)
    revoked = s.BooleanField()


class ShareLink(ShareFacts):
    url = s.CharField(help_text="the app's page for this link")


class ShareLinks(s.Serializer):
    items = ShareLink(many=True)


class Shared(ShareFacts):
    taste = Snapshot()


class FeatureDifference(s.Serializer):
    a_median = s.FloatField(allow_null=True)
    b_median = s.FloatField(allow_null=True)
    difference = s.FloatField(allow_null=True, help_text="a - b in the feature's unit")
    overlap = s.FloatField(allow_null=True, help_text="0..1")


class GenreDifference(s.Serializer):
    a = s.FloatField(allow_null=True)
    b = s.FloatField(allow_null=True)
    difference = s.FloatField(allow_null=True)


class Difference(s.Serializer):
    kind = s.ChoiceField(choices=["feature", "genre"])
    name = s.CharField()
    difference = s.FloatField(help_text="0..1: 1 - overlap for features, |a - b| for genres")


class Side(s.Serializer):
    label = s.CharField()


class Comparison(s.Serializer):
    similarity = s.FloatField(allow_null=True, help_text="0..1")
    measure = s.CharField()
    features = s.DictField(child=FeatureDifference())
    genres = s.DictField(child=GenreDifference())
    biggest_differences = Difference(many=True)
    a = Side()
    b = Side()
    a_taste = Snapshot(help_text="the shared taste")
    b_taste = Snapshot(help_text="what it is compared with, as aggregates")
