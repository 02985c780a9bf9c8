from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Spotify logins: one encrypted token per Spotify user, never a shared cache file."""

    name = "genrelens.accounts"
    verbose_name = "Accounts"
