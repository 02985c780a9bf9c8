"""A taste from the local music `genrelens analyze` measured (each file's track once, no plays)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from genrelens.core.audio.synth import write_demo_folder
from genrelens.listening.models import ImportedTaste

pytestmark = pytest.mark.django_db


def test_analysed_local_music_becomes_a_taste_of_its_own(tmp_path: Path, public_model) -> None:
    write_demo_folder(tmp_path / "music", duration=8.0)
    call_command("analyze", str(tmp_path / "music"), "--workers", "1", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("taste", "local", "--user", "lou", stdout=out)
    assert "lou: local: 4 of 4 analysed tracks with features" in out.getvalue()
    taste = ImportedTaste.objects.get(user__username="lou", source="local")
    assert taste.weighted is None and taste.unweighted["track_count"] == 4
    assert taste.unweighted["coverage"]["by_source"] == {"local": 4}
    assert taste.report["tracks"]["by_source"] == {"local": 4}


def test_without_analysed_music_it_says_what_to_do(public_model) -> None:
    with pytest.raises(CommandError, match="genrelens analyze FOLDER"):
        call_command("taste", "local", "--user", "lou", stdout=StringIO())
