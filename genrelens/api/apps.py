from django.apps import AppConfig


class ApiConfig(AppConfig):
    """Thin DRF endpoints: parse, call a service or selector, serialize."""

    name = "genrelens.api"
    verbose_name = "API"
