"""The catalog: tracks, who made them, where they were listed, their labels and their features.

Keys: every catalog entity has a `key` that is unique and stable across imports. It is the
Spotify id when one is known; otherwise a derived key ("name:<artist>" for an artist known only
by name, "local:<sha256>" for a local audio file). Imports upsert on the key, so importing the
same file twice changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Artist(models.Model):
    key = models.CharField(max_length=200, unique=True)
    spotify_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    name = models.CharField(max_length=500)

    def __str__(self) -> str:
        return self.name


class Album(models.Model):
    key = models.CharField(max_length=600, unique=True)
    spotify_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    name = models.CharField(max_length=500, blank=True, default="")
    release_date = models.CharField(max_length=10, blank=True, default="")  # "2019", "2019-05" or "2019-05-10"
    release_year = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name or self.key


class Track(models.Model):
    key = models.CharField(max_length=200, unique=True)
    spotify_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    name = models.CharField(max_length=500, blank=True, default="")
    # Denormalised "a;b" list of artist names in credit order: read by every selector, so it is
    # kept on the row instead of aggregating the many-to-many on each read.
    artist_names = models.CharField(max_length=1000, blank=True, default="")
    artists = models.ManyToManyField(Artist, through="TrackArtist", related_name="tracks")
    album = models.ForeignKey(Album, null=True, blank=True, on_delete=models.SET_NULL, related_name="tracks")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    popularity = models.PositiveSmallIntegerField(null=True, blank=True)
    isrc = models.CharField(max_length=20, blank=True, default="")
    is_local = models.BooleanField(default=False)
    # "<normalised primary artist>|<normalised title>": how the dataset provider finds a track
    # that another source names without a Spotify id (see core/providers/dataset.py).
    match_key = models.CharField(max_length=600, blank=True, default="", db_index=True)

    def __str__(self) -> str:
        return f"{self.name} – {self.artist_names.replace(';', ', ')}"


class TrackArtist(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE)
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["track", "artist"], name="uniq_track_artist")]
        ordering = ["position"]


class Playlist(models.Model):
    key = models.CharField(max_length=200, unique=True)
    spotify_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    name = models.CharField(max_length=500, blank=True, default="")
    owner_id = models.CharField(max_length=200, blank=True, default="")
    snapshot_id = models.CharField(max_length=200, blank=True, default="")
    tracks = models.ManyToManyField(Track, through="PlaylistTrack", related_name="playlists")

    def __str__(self) -> str:
        return self.name or self.key


class PlaylistTrack(models.Model):
    """A track's place in a playlist; a playlist keeps its order, and may list a track twice."""

    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="entries")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="playlist_entries")
    position = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["playlist", "position"], name="uniq_playlist_position")]
        ordering = ["playlist", "position"]


class Dataset(models.Model):
    name = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=2000, help_text="URL or path the data came from")
    format = models.CharField(max_length=40, blank=True, default="")
    licence = models.CharField(max_length=500, blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    imported_at = models.DateTimeField(auto_now=True)
    row_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name

    @property
    def feature_source(self) -> str:
        """The provenance name of the features this dataset brought with it."""
        return f"dataset:{self.name}"


class GenreLabel(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="labels")
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="labels")
    genre = models.CharField(max_length=100)
    subgenre = models.CharField(max_length=100, blank=True, default="")
    playlist = models.ForeignKey(Playlist, null=True, blank=True, on_delete=models.SET_NULL)
    # Part of the uniqueness below: NULLs never collide in a unique index, so "no playlist" is "".
    playlist_key = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "track", "genre", "subgenre", "playlist_key"], name="uniq_genre_label"
            )
        ]
        indexes = [models.Index(fields=["dataset", "genre"])]


class AudioFeatures(models.Model):
    """One source's features for one track. A later source adds a row; it never overwrites another's."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="audio_features")
    source = models.CharField(max_length=220, help_text="spotify, reccobeats, dataset:<name> or local")
    source_version = models.CharField(max_length=100, blank=True, default="")
    fetched_at = models.DateTimeField()
    how = models.JSONField(default=dict, blank=True, help_text="feature -> measured | estimated")

    # The 13 features in Spotify's schema; each may be unknown, since some sources lack some.
    danceability = models.FloatField(null=True, blank=True)
    energy = models.FloatField(null=True, blank=True)
    key = models.SmallIntegerField(null=True, blank=True)
    loudness = models.FloatField(null=True, blank=True)
    mode = models.SmallIntegerField(null=True, blank=True)
    speechiness = models.FloatField(null=True, blank=True)
    acousticness = models.FloatField(null=True, blank=True)
    instrumentalness = models.FloatField(null=True, blank=True)
    liveness = models.FloatField(null=True, blank=True)
    valence = models.FloatField(null=True, blank=True)
    tempo = models.FloatField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    time_signature = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["track", "source"], name="uniq_features_per_source")]
        verbose_name_plural = "audio features"


class LocalFile(models.Model):
    """Where a local track's audio lives, and what its tags and folder say about its genre.

    Files analysed by `genrelens analyze` have no owner (they are the installation's); an upload
    belongs to the user, or else the anonymous session, that sent it. Tag text is the uploader's
    data, stored as given and escaped wherever it is shown.
    """

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="local_files")
    path = models.CharField(max_length=2000, unique=True)
    folder = models.CharField(max_length=500, blank=True, default="", help_text="parent folder name")
    genre_tag = models.CharField(max_length=200, blank=True, default="")
    title = models.CharField(max_length=500, blank=True, default="", help_text="the file's own title tag")
    analysed_at = models.DateTimeField(auto_now=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="local_files")
    owner_session = models.CharField(max_length=40, blank=True, default="", db_index=True)


class TrackAnalysis(models.Model):
    """Beat-level analysis of a local track, for the rhythm view (Spotify's audio analysis is gone)."""

    track = models.OneToOneField(Track, on_delete=models.CASCADE, related_name="analysis")
    beats = models.JSONField(default=list)
    downbeats = models.JSONField(default=list)
    sections = models.JSONField(default=list)
    # estimate -> 0..1 (tempo, beats, time_signature, key): shown beside each estimate
    confidence = models.JSONField(default=dict)
    analyser_version = models.CharField(max_length=100, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)


class TrainedModel(models.Model):
    """A saved genre model and its card; exactly one is active at a time."""

    version = models.CharField(max_length=100, unique=True)
    path = models.CharField(max_length=2000)
    label = models.CharField(max_length=20, default="genre")
    dataset_name = models.CharField(max_length=200, blank=True, default="")
    dataset_sha256 = models.CharField(max_length=64, blank=True, default="")
    # The artifact's sha256 when it was registered, checked before unpickling: the card beside the
    # artifact vouches for it too, but whoever can replace one file can replace both.
    sha256 = models.CharField(max_length=64, blank=True, default="")
    card = models.JSONField(default=dict)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True), name="one_active_model")
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.version}{' (active)' if self.is_active else ''}"


class AnalysisDocument(models.Model):
    """A track's analysis as the API served it, kept so the next request is a single read.

    Keyed by what it was computed from: the track, the active model's version and the feature rows
    used (their sources and fetch times). A new active model or new features make a new document;
    old ones stay until the track is deleted.
    """

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="analysis_documents")
    model_version = models.CharField(max_length=100, blank=True, default="")
    sources_key = models.CharField(max_length=64, help_text="sha256 of the feature rows' sources and times")
    document = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["track", "model_version", "sources_key"],
                                               name="uniq_analysis_document")]


class PublicTaste(models.Model):
    """A dataset's feature distributions per genre on fixed grids, computed once per dataset version."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="tastes")
    dataset_sha256 = models.CharField(max_length=64, blank=True, default="")
    document = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "dataset_sha256"], name="uniq_public_taste")]
