"""`genrelens analyze --queue` makes a job; `genrelens jobs` shows it with its parts and progress."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from genrelens.core.audio.synth import drum_pattern, write_audio
from genrelens.jobs.models import Job
from genrelens.jobs.services import job_run

# the jobs run here, in this process (job_run): what is tested is the commands, not the queue
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_queued_folder_shows_its_parts_and_progress_as_they_finish(tmp_path: Path, settings) -> None:
    settings.GENRELENS_ANALYSIS_CHUNK = 2
    for i in range(3):
        synth = drum_pattern(100.0 + 10 * i, 2.0)
        write_audio(tmp_path / f"d{i}.wav", synth.samples, synth.sr)
    out = StringIO()
    call_command("analyze", str(tmp_path), "--queue", stdout=out)
    job = Job.objects.get(kind="analyze_folder")
    assert str(job.pk) in out.getvalue() and job.status == "queued"

    job_run(job_id=job.pk)
    first = job.parts.order_by("key").first()
    assert first is not None
    job_run(job_id=first.pk)
    shown = _jobs(str(job.pk), "--json")
    assert [(j["kind"], j["status"], j["progress"]) for j in shown] == [
        ("analyze_folder", "running", {"done": 2, "total": 3}),
        ("analyze_files", "done", {"done": 2, "total": 2}),
        ("analyze_files", "queued", {"done": 0, "total": 1})]

    job_run(job_id=job.parts.get(key="chunk-1").pk)
    lines = _jobs().splitlines()
    assert len(lines) == 1 and "analyze_folder" in lines[0] and "done" in lines[0] and "3/3" in lines[0]


def test_an_unknown_job_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="no job not-a-job"):
        call_command("jobs", "not-a-job")


def _jobs(*args: str) -> list[dict] | str:
    out = StringIO()
    call_command("jobs", *args, stdout=out)
    text = out.getvalue()
    return [json.loads(line) for line in text.splitlines()] if "--json" in args else text
