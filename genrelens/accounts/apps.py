from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Spotify logins: one encrypted token per Spotify user, never a shared cache file."""

    name = "genrelens.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # the cached user is dropped on every save, in every process (a worker saves users too)
        from genrelens.accounts import backends  # noqa: F401
