from django.apps import AppConfig


class ListeningConfig(AppConfig):
    """A user's imported listening (plays from exports and scrobbles) and the tastes built from it."""

    name = "genrelens.listening"
    verbose_name = "Listening"
