from __future__ import annotations

from django.conf import settings
from django.db import models


class SpotifyAccount(models.Model):
    """A Spotify user who logged in, with their token encrypted at rest (Fernet)."""

    spotify_id = models.CharField(max_length=200, unique=True)
    # The Django user a browser login signs in as; the CLI login (`genrelens login`) leaves it empty
    # until the same Spotify user logs in from a browser.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="spotify_account")
    display_name = models.CharField(max_length=300, blank=True, default="")
    token = models.TextField(help_text="Fernet-encrypted token JSON")
    scope = models.CharField(max_length=1000, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name or self.spotify_id


class PendingLogin(models.Model):
    """A login started but not finished: the CSRF state and the PKCE verifier, kept server-side."""

    state = models.CharField(max_length=100, unique=True)
    code_verifier = models.TextField(blank=True, default="", help_text="Fernet-encrypted")
    # where the browser goes after /connect (a path inside the app, checked when the login starts)
    next_path = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)


class AppCapabilities(models.Model):
    """What the configured Spotify app was seen to be allowed to do, shared by every request.

    Capabilities belong to the app (its creation date and quota mode), not to a user: one refusal
    of audio-features is remembered here so no later request asks again.
    """

    client_id = models.CharField(max_length=200, unique=True)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)


class UserTaste(models.Model):
    """A user's taste document (distributions, genre mix, coverage), rebuilt by a refresh job."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="taste")
    dataset_name = models.CharField(max_length=200, blank=True, default="")
    document = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)


class ShareLink(models.Model):
    """A snapshot of a user's taste behind an unguessable token: aggregates only, never tracks."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links")
    owner_name = models.CharField(max_length=300, blank=True, default="")
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
