from __future__ import annotations

from django.db import models


class SpotifyAccount(models.Model):
    """A Spotify user who logged in, with their token encrypted at rest (Fernet)."""

    spotify_id = models.CharField(max_length=200, unique=True)
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
    created_at = models.DateTimeField(auto_now_add=True)
