from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Management commands and background tasks; each only parses input and calls a service."""

    name = "genrelens.jobs"
    verbose_name = "Jobs"
