"""The Celery app: configured from Django's CELERY_* settings, tasks in genrelens/jobs/tasks.py.

`genrelens worker` and `genrelens beat` start it (docs/jobs.md); nothing else should.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# filesystem:// (the embedded broker) is kombu's transport with atomic hand-overs: genrelens/jobs/broker.py
TRANSPORT_ALIASES["filesystem"] = "genrelens.jobs.broker:Transport"

app = Celery("genrelens")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["genrelens.jobs"])


@app.on_after_configure.connect
def _schedule(sender: Celery, **kwargs: object) -> None:
    from django.conf import settings

    sender.add_periodic_task(settings.GENRELENS_JOB_SWEEP_SECONDS, sender.signature("genrelens.sweep_jobs"),
                             name="put back jobs whose worker died")
    sender.add_periodic_task(crontab(hour=settings.GENRELENS_TASTE_REFRESH_HOUR, minute=0),
                             sender.signature("genrelens.refresh_all_tastes"), name="nightly taste refresh")


def broker_folders() -> list[Path]:
    """The embedded broker's folders, made before a worker or a producer first uses them."""
    from django.conf import settings

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    keys = ("data_folder_in", "control_folder", "processed_folder")
    return [Path(options[k]) for k in keys if k in options]
