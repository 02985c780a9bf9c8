"""A person's journey through the app in Chromium, against the real server and the sandbox, both profiles.

Each step saves a screenshot under var/screenshots/ and checks the page with axe-core (no serious or
critical violations).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from genrelens.core.audio.synth import drum_pattern, write_audio
from tests.e2e.conftest import App, Journey

pytestmark = pytest.mark.e2e


@pytest.fixture
def legacy_app(app_factory) -> App:
    return app_factory("legacy")


@pytest.fixture
def devmode_app(app_factory) -> App:
    return app_factory("devmode-2026")


def log_in(journey: Journey, user: str = "ann") -> Any:
    """Through the app's button and the sandbox's consent page, as a person does."""
    page = journey.goto("/")
    page.get_by_test_id("login-link").first.click()
    page.wait_for_url(re.compile(re.escape(journey.app.sandbox.base_url) + r"/authorize"))
    journey.shot("spotify-consent")
    page.select_option("select[name=user]", user)
    page.click("button[value=agree]")
    page.get_by_test_id("account").wait_for()
    assert page.url.startswith(journey.app.url)
    return page


def first_liked_word(app: App, user: str = "ann") -> str:
    token = app.sandbox.user_token(user)["access_token"]
    items = requests.get(app.sandbox.api_base + "me/tracks?limit=1", timeout=10,
                         headers={"Authorization": f"Bearer {token}"}).json()["items"]
    return str(items[0]["track"]["name"]).split()[0]


def test_home_logged_out_says_what_works_without_spotify(legacy_app: App, journey_factory) -> None:
    journey = journey_factory(legacy_app)
    page = journey.goto("/")
    page.get_by_test_id("home-logged-out").wait_for()
    journey.shot("home-logged-out")
    journey.no_serious_accessibility_violations("home, logged out")
    assert not journey.errors


def test_log_in_and_search(legacy_app: App, journey_factory) -> None:
    journey = journey_factory(legacy_app)
    page = log_in(journey)
    word = first_liked_word(legacy_app)
    page.get_by_test_id("nav-search").click()
    page.get_by_test_id("search-input").fill(word)
    page.get_by_test_id("search-submit").click()
    page.get_by_test_id("track-row").first.wait_for()
    assert word.lower() in page.get_by_test_id("track-row").first.inner_text().lower()
    journey.shot("search")
    journey.no_serious_accessibility_violations("search")


def test_log_in_and_open_an_analysis(legacy_app: App, journey_factory) -> None:
    journey = journey_factory(legacy_app)
    page = log_in(journey)
    journey.shot("home")
    journey.no_serious_accessibility_violations("home")
    page.get_by_test_id("nav-liked").click()
    page.get_by_test_id("track-row").first.locator("a.track-link").click()
    page.wait_for_url(re.compile(r"/track/"))
    page.get_by_test_id("percentiles-card").wait_for()
    # the genre probabilities are drawn (a lazily loaded chart): the model scored the track
    page.get_by_test_id("genre-card").get_by_test_id("bar-chart").wait_for()
    journey.shot("analysis")
    journey.no_serious_accessibility_violations("analysis")
    assert not journey.errors


def test_liked_tracks_sorted_by_two_keys_filtered_and_exported_as_shown(legacy_app: App, journey_factory) -> None:
    journey = journey_factory(legacy_app)
    page = log_in(journey)
    page.get_by_test_id("nav-liked").click()
    page.get_by_test_id("track-row").first.wait_for()
    page.get_by_test_id("sort-energy").click()
    page.get_by_test_id("sort-danceability").click(modifiers=["Shift"])
    page.get_by_test_id("filter-column").select_option("valence")
    page.get_by_test_id("filter-min").fill("0.3")
    page.get_by_test_id("filter-add").click()
    count = page.get_by_test_id("table-count")
    count.filter(has_text=" of ").wait_for()
    shown, total = (int(n.replace(",", "")) for n in re.findall(r"[\d,]+", count.inner_text())[:2])
    assert 0 < shown < total
    journey.shot("liked-sorted-filtered")
    journey.no_serious_accessibility_violations("liked tracks")

    with page.expect_download() as download:
        page.get_by_test_id("csv-export").click()
    path = journey.tmp / "export.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == shown
    energy, dance, valence = (_column(rows, name) for name in ("energy", "danceability", "valence"))
    keys = list(zip(energy, dance, strict=True))
    assert keys == sorted(keys), "sorted by energy, then danceability"
    assert min(valence) >= 0.3


def _column(rows: list[dict[str, str]], name: str) -> list[float]:
    header = next(h for h in rows[0] if h.lower().startswith(name))
    return [float(row[header]) for row in rows]


def upload_drums(journey: Journey, folder: Path, bpm: float, seed: int) -> Any:
    """Write a 12-second synthetic drum loop and hand it to the upload page; returns the page."""
    audio = folder / f"drums-{bpm:.0f}.wav"
    synth = drum_pattern(bpm, 12.0, seed=seed)
    write_audio(audio, synth.samples, synth.sr)
    page = journey.goto("/upload")
    page.get_by_test_id("upload-input").set_input_files(str(audio))
    return page


def test_upload_a_file_and_watch_its_rhythm_view_run(legacy_app: App, journey_factory, tmp_path: Path) -> None:
    journey = journey_factory(legacy_app)
    page = upload_drums(journey, tmp_path, 120.0, seed=3)
    row = page.get_by_test_id("upload-row").first
    page.get_by_test_id("upload-rhythm-link").wait_for(timeout=420_000)  # a first analysis compiles numba code
    assert row.get_attribute("data-status") == "done"
    journey.shot("upload")
    journey.no_serious_accessibility_violations("upload")
    page.get_by_test_id("upload-rhythm-link").click()
    page.get_by_test_id("rhythm-canvas").wait_for()
    player = page.get_by_test_id("rhythm-audio")
    player.evaluate("audio => audio.play()")
    page.wait_for_function("() => document.querySelector('[data-testid=rhythm-audio]').currentTime > 1.5")
    first = page.get_by_test_id("rhythm-readout").inner_text()
    page.wait_for_function("() => document.querySelector('[data-testid=rhythm-audio]').currentTime > 3")
    assert page.get_by_test_id("rhythm-readout").inner_text() != first, "the view follows playback"
    player.evaluate("audio => { audio.pause(); audio.currentTime = 8; }")
    page.wait_for_function("() => document.querySelector('[data-testid=rhythm-audio]').paused")
    journey.shot("rhythm")
    journey.no_serious_accessibility_violations("rhythm")
    # The server deleted its copy; the browser kept the file, so a reload still plays it.
    page.reload()
    page.get_by_test_id("rhythm-audio").wait_for()
    page.get_by_test_id("rhythm-forget").click()
    page.get_by_test_id("rhythm-file").wait_for()
    page.reload()
    page.get_by_test_id("rhythm-file").wait_for()  # forgotten for good
    assert not journey.errors


def test_an_uploaded_files_analysis_shows_its_genres_as_estimated_with_their_measured_agreement(
        legacy_app: App, journey_factory, tmp_path: Path) -> None:
    journey = journey_factory(legacy_app)
    page = upload_drums(journey, tmp_path, 100.0, seed=5)
    page.get_by_test_id("upload-analysis-link").wait_for(timeout=420_000)
    page.get_by_test_id("upload-analysis-link").click()
    page.wait_for_url(re.compile(r"/track/local"))
    card = page.get_by_test_id("genre-card")
    card.get_by_test_id("bar-chart").wait_for()  # the companion scored it
    agreement = card.get_by_test_id("local-agreement")
    assert "not from Spotify" in agreement.inner_text() and "real recordings" in agreement.inner_text()
    assert "-local" in card.inner_text()  # the companion's id, not the active model's
    # the notice (the app's rounding) and the server's note beside it give the same share
    shown = re.search(r"features (\d+) % of the time", agreement.inner_text())
    noted = re.search(r"features (\d+)% of the time", card.inner_text())
    assert shown and noted and shown.group(1) == noted.group(1)
    journey.shot("upload-analysis")
    journey.no_serious_accessibility_violations("upload-analysis")
    assert not journey.errors


def test_taste_then_a_share_link_opened_in_a_fresh_browser(legacy_app: App, journey_factory, browser) -> None:
    journey = journey_factory(legacy_app)
    page = log_in(journey)
    page.get_by_test_id("nav-taste").click()
    page.get_by_test_id("taste-refresh").first.click()
    page.get_by_test_id("density-chart").first.wait_for(timeout=180_000)
    journey.shot("taste")
    journey.no_serious_accessibility_violations("taste")
    page.get_by_test_id("nav-compare").click()
    page.get_by_test_id("share-create").click()
    url = page.get_by_test_id("share-url").first.inner_text().strip()
    journey.shot("compare")
    stranger = journey_factory(legacy_app)
    stranger.page.goto(url if url.startswith("http") else legacy_app.url + url)
    stranger.page.get_by_test_id("similarity-score").wait_for()
    stranger.page.get_by_test_id("density-chart").first.wait_for()  # the charts load lazily
    stranger.shot("shared-link")
    stranger.no_serious_accessibility_violations("shared link")


@pytest.mark.parametrize("path,ready", [("/model", "model-accuracy-card"), ("/status", "status-health"),
                                        ("/top", "track-row"), ("/browse", "category-grid")])
def test_other_pages_render_their_data(legacy_app: App, journey_factory, path: str, ready: str) -> None:
    journey = journey_factory(legacy_app)
    page = log_in(journey)
    journey.goto(path)
    page.get_by_test_id(ready).first.wait_for()
    journey.shot(path.strip("/"))
    journey.no_serious_accessibility_violations(path)
    assert not journey.errors


def test_devmode_journey_answers_with_data_or_a_plain_message(devmode_app: App, journey_factory) -> None:
    journey = journey_factory(devmode_app)
    page = log_in(journey)
    journey.shot("home")
    page.get_by_test_id("nav-search").click()
    page.get_by_test_id("search-input").fill(first_liked_word(devmode_app))
    page.get_by_test_id("search-submit").click()
    page.get_by_test_id("track-row").first.wait_for()
    journey.shot("search")
    page.get_by_test_id("nav-liked").click()
    page.get_by_test_id("track-row").first.wait_for()
    journey.shot("liked")
    journey.no_serious_accessibility_violations("liked, dev mode")
    page.get_by_test_id("track-row").first.locator("a.track-link").click()
    page.get_by_test_id("page-analysis").wait_for()
    journey.shot("analysis")
    # Dev mode has no categories: a plain sentence saying so, not a failure.
    page.get_by_test_id("nav-browse").click()
    message = page.get_by_test_id("state-error").first
    message.wait_for()
    assert "Not available for this Spotify app" in message.inner_text()
    journey.shot("browse-restricted")
    journey.no_serious_accessibility_violations("browse, dev mode")
    journey.goto("/status")
    page.get_by_test_id("capabilities-off").first.wait_for()
    journey.shot("status")
    assert not journey.errors


def test_no_spotify_login_upload_a_data_export_then_share_the_taste(legacy_app: App, journey_factory,
                                                                     tmp_path: Path) -> None:
    from tests.listening.exports import extended_history, write_zip

    export = write_zip(tmp_path / "my_spotify_data.zip",
                       {"Streaming_History_Audio_2016-2025_0.json": extended_history(600, 120)})
    journey = journey_factory(legacy_app)
    page = journey.goto("/taste")
    page.get_by_test_id("taste-import").wait_for()
    journey.shot("taste-import-offered")
    page.get_by_test_id("taste-import-file").set_input_files(str(export))
    page.get_by_test_id("taste-which").wait_for(timeout=180_000)
    assert "Spotify data export" in page.get_by_test_id("taste-which").inner_text()
    page.get_by_test_id("taste-match").wait_for()
    page.get_by_test_id("density-chart").first.wait_for()
    journey.shot("taste-from-export")
    journey.no_serious_accessibility_violations("taste from a data export")
    page.get_by_role("button", name="Share this taste").click()
    url = page.get_by_test_id("share-this-taste-url").inner_text().strip()
    stranger = journey_factory(legacy_app)
    stranger.page.goto(url)
    stranger.page.get_by_test_id("similarity-score").wait_for()
    stranger.shot("shared-export-taste")
    assert not journey.errors
