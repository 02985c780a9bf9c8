"""Settings helpers fail loudly on values that cannot work."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile
from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envfloat, envint, envsecret, installation_secret
from genrelens.core.audio import synth

ROOT = Path(__file__).resolve().parents[1]


def test_bad_booleans_numbers_and_secret_files_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    monkeypatch.setenv("X_FLOAT", "-3")
    monkeypatch.setenv("X_SECRET_FILE", "/nonexistent/secret")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL='maybe' is not a boolean"):
        envbool("X_BOOL", False)
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        envint("X_INT", 1)
    with pytest.raises(ImproperlyConfigured, match="must be at least 0"):
        envfloat("X_FLOAT", 1.0, minimum=0.0)
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        envsecret("X_SECRET")


def test_the_installation_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = installation_secret(tmp_path)
    assert installation_secret(tmp_path) == first and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def _genrelens(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "genrelens.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_an_unsupported_database_url_stops_start_up(tmp_path: Path) -> None:
    result = _genrelens("check", DATABASE_URL="mysql://x@y/z", GENRELENS_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DATABASE_URL='mysql://x@y/z': use sqlite:///PATH or postgres://" in result.stderr


def test_help_explains_each_genrelens_command(tmp_path: Path) -> None:
    result = _genrelens("--help", GENRELENS_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "import     Import a dataset" in result.stdout
    assert "migrate" in result.stdout


def test_runtime_files_go_under_the_configured_var_dir(tmp_path: Path) -> None:
    result = _genrelens("migrate", "-v0", GENRELENS_VAR_DIR=str(tmp_path / "v"), DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "v" / "genrelens.sqlite3").exists() and (tmp_path / "v" / "secret_key").exists()


def test_a_command_on_a_database_never_migrated_says_to_migrate_and_changes_nothing(tmp_path: Path) -> None:
    song = tmp_path / "song.wav"
    soundfile.write(song, synth.drum_pattern(120.0, 3.0).samples, 22050)
    var = tmp_path / "v"
    result = _genrelens("analyze", str(song), GENRELENS_VAR_DIR=str(var), DATABASE_URL="")
    assert result.returncode != 0
    assert "genrelens analyze: the database is not set up" in result.stderr
    assert "run `genrelens migrate` first" in result.stderr and "Traceback" not in result.stderr
    with sqlite3.connect(var / "genrelens.sqlite3") as db:
        assert db.execute("select name from sqlite_master where type = 'table'").fetchall() == []
