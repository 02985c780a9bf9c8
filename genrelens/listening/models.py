"""Plays a user imported and the tastes derived from them; nothing else of an export is kept.

A play keeps what a taste needs (who, which track, when, how long) and nothing about where or on
what it was played: the export's IP addresses, user agents and countries are never read
(core/listening/types.py), and tests/listening check the database for them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Source(models.TextChoices):
    SPOTIFY_EXPORT = "spotify_export", "Spotify data export"
    LASTFM = "lastfm", "Last.fm scrobbles"
    PLAYLISTS = "playlists", "Exportify playlists"
    LOCAL = "local", "analysed local music"


class Play(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plays")
    source = models.CharField(max_length=20, choices=Source.choices)
    kind = models.CharField(max_length=10, help_text="stream, scrobble or library (a kept track, no listening)")
    played_at = models.DateTimeField(null=True, blank=True)
    ms_played = models.PositiveIntegerField(null=True, blank=True)
    artist_name = models.CharField(max_length=500, blank=True, default="")
    track_name = models.CharField(max_length=500, blank=True, default="")
    album_name = models.CharField(max_length=500, blank=True, default="")
    spotify_id = models.CharField(max_length=22, blank=True, default="")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # a hash of everything above but the user: importing the same export again adds nothing
    fingerprint = models.CharField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "fingerprint"], name="uniq_play_per_user")]
        indexes = [models.Index(fields=["user", "source"])]


class ImportedTaste(models.Model):
    """One user's taste from one source: weighted by listening, unweighted, and how it matched."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imported_tastes")
    source = models.CharField(max_length=20, choices=Source.choices)
    dataset_name = models.CharField(max_length=200, blank=True, default="")
    weighted = models.JSONField(null=True, blank=True, help_text="each track weighted by its counted plays")
    unweighted = models.JSONField(help_text="each track once")
    report = models.JSONField(default=dict, help_text="match rate: plays and tracks, by how, by feature source")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "source"], name="uniq_imported_taste")]


class TasteImport(models.Model):
    """An import's progress, for the page that waits on it; its job runs the work."""

    class Stage(models.TextChoices):
        QUEUED = "queued"
        READING = "reading"
        STORING = "storing"
        MATCHING = "matching"
        FEATURES = "features"
        TASTE = "taste"
        DONE = "done"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="taste_imports")
    job_id = models.UUIDField(null=True, blank=True)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
