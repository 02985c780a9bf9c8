# The Celery app is loaded with Django so that sending a task from a view uses its configuration.
from config.celery import app as celery_app

__all__ = ("celery_app",)
