"""Uploads and the API under hostile callers (issue 19): body size, ownership, labels, markup in
tags, forwarded headers, Basic auth, admin password guessing, and leaks of server paths."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from genrelens.catalog.models import GenreLabel, LocalFile, Track
from genrelens.core.audio.synth import drum_pattern, write_audio
from genrelens.core.audio.tags import write_tags
from genrelens.jobs.models import Job
from tests.api.test_uploads import upload, wait_for

# uploads are analysed by a Celery worker thread on the embedded broker (tests/conftest_jobs.py)
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("job_worker")]

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def tagged_wav(tmp_path: Path, *, title: str, genre: str, name: str = "song.wav") -> bytes:
    """A real WAV with tags (title, genre)."""
    synth = drum_pattern(120.0, 6.0, style="four_on_the_floor")
    path = tmp_path / name
    write_audio(path, synth.samples, synth.sr)
    write_tags(path, title=title, genre=genre)
    return path.read_bytes()


def done(client: APIClient, response) -> dict:
    assert response.status_code == 202, response.content
    job = wait_for(client, response.json()["status_url"])
    assert job["status"] == "done", job["error"]
    return job


# --- finding 3: the size limit holds before the body is read ------------------------------------


def test_an_oversized_body_is_refused_before_it_is_read(live_server, settings) -> None:
    settings.GENRELENS_UPLOAD_MAX_BYTES = 1_000_000
    host, port = live_server.thread.host, live_server.thread.port
    declared = 300 * 1024 * 1024
    with socket.create_connection((host, port), timeout=10) as conn:
        csrf = "a" * 32  # the API checks CSRF on anonymous writes too; a matching cookie and header pass
        conn.sendall((f"POST /rest/uploads HTTP/1.1\r\nHost: {host}\r\n"
                      f"Cookie: csrftoken={csrf}\r\nX-CSRFToken: {csrf}\r\n"
                      f"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: {declared}\r\n\r\n"
                      ).encode() + b"--xyz\r\n" + b"\0" * 65536)
        # 64 KiB of 300 MB sent: a server that waits for the rest never answers, and recv times out
        answer = _read_answer(conn)
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "larger than the limit of 1,000,000 bytes" in answer


def _read_answer(conn: socket.socket) -> str:
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace")


def test_a_body_that_grows_past_the_limit_stops_being_read(settings) -> None:
    settings.GENRELENS_UPLOAD_MAX_BYTES = 50_000
    handle = io.BytesIO(b"RIFF" + b"\0" * 60_000)  # under limit + overhead as a whole, over it as a file
    handle.name = "big.wav"
    response = APIClient().post("/rest/uploads", {"file": handle}, format="multipart")
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert not Job.objects.exists()


def test_the_nginx_limit_matches_the_default_upload_limit() -> None:
    conf = (Path(__file__).resolve().parents[2] / "deploy" / "nginx-limits.conf").read_text()
    assert "client_max_body_size 51m;" in conf  # 50 MiB of audio plus the multipart overhead


# --- finding 5: uploads belong to their uploader --------------------------------------------------


def test_an_upload_is_visible_to_its_uploader_only(tmp_path: Path) -> None:
    alice, mallory = APIClient(), APIClient()
    job = done(alice, upload(alice, "a.wav", tagged_wav(tmp_path, title="Mine", genre="rock")))
    assert alice.get(job["analysis_url"]).status_code == 200
    assert mallory.get(job["status_url"]).status_code == 404
    assert mallory.get(job["analysis_url"]).status_code == 404
    assert APIClient().get(job["analysis_url"]).status_code == 404  # no session at all

    user = User.objects.create_user("bob", password="a-long-password-1")
    bob = APIClient()
    bob.force_login(user)
    bob_job = done(bob, upload(bob, "b.wav", tagged_wav(tmp_path, title="Bob's", genre="jazz", name="b.wav")))
    assert bob.get(bob_job["status_url"]).status_code == 200
    assert alice.get(bob_job["status_url"]).status_code == 404
    assert Job.objects.get(pk=bob_job["id"]).owner == user


def test_an_upload_never_renames_a_track_nor_labels_training_data_unless_asked(tmp_path: Path) -> None:
    first, second = APIClient(), APIClient()
    job = done(first, upload(first, "a.wav", tagged_wav(tmp_path, title="Original", genre="rock")))
    track = Track.objects.get(key=job["track_id"])
    assert track.name == "Original" and not GenreLabel.objects.exists()  # no label without train

    again = done(second, upload(second, "a.wav", tagged_wav(tmp_path, title="Renamed by someone", genre=XSS)))
    assert again["track_id"] == track.key
    track.refresh_from_db()
    assert track.name == "Original" and not GenreLabel.objects.exists()
    # both uploaders see the shared audio's analysis, each through their own file
    assert second.get(again["analysis_url"]).status_code == 200
    assert LocalFile.objects.filter(track=track).count() == 2

    third = APIClient()
    handle = io.BytesIO(tagged_wav(tmp_path, title="t", genre="blues", name="c.wav"))
    handle.name = "c.wav"
    done(third, third.post("/rest/uploads", {"file": handle, "train": "true"}, format="multipart"))
    assert list(GenreLabel.objects.values_list("genre", "dataset__name")) == [("blues", "local-tags")]


def test_tag_text_is_escaped_where_staff_see_it(tmp_path: Path) -> None:
    client = APIClient()
    handle = io.BytesIO(tagged_wav(tmp_path, title=XSS, genre=XSS))
    handle.name = "x.wav"
    done(client, client.post("/rest/uploads", {"file": handle, "train": "true"}, format="multipart"))
    assert LocalFile.objects.get().genre_tag == XSS  # stored as data, unchanged

    staff = User.objects.create_superuser("admin", password="a-long-password-1")
    admin = APIClient()
    admin.force_login(staff)
    for url in ("/admin/catalog/localfile/", "/admin/catalog/genrelabel/", "/admin/catalog/track/"):
        page = admin.get(url).content.decode()
        assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page, url


def test_tag_text_is_escaped_in_html_reports(tmp_path: Path) -> None:
    from genrelens.core.reports.html import eda_report
    from tests.factories import blog_frame

    frame = blog_frame()
    frame["playlist_genre"] = [XSS, "rock", XSS, "rock", XSS]
    html = eda_report(frame, tmp_path / "report", dataset_name=XSS).read_text()
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


# --- finding 6: forwarded headers, Basic auth, admin logins ----------------------------------------


@pytest.fixture
def three_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    # DRF reads the rates into the throttle class once, at import: set them where it looks.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "1000/minute"})
    cache.clear()


def test_a_forged_x_forwarded_for_does_not_walk_past_the_rate_limit(three_a_minute: None) -> None:
    client = APIClient()
    codes = [client.get("/rest/analysis?track_id=nothing", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
             for i in range(8)]
    assert codes[:3] == [400] * 3 and codes.count(429) == 5  # 400: "nothing" is not a track id


def test_with_a_trusted_proxy_its_forwarded_address_is_the_client(settings, three_a_minute: None) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = APIClient()
    codes = [client.get("/rest/analysis?track_id=x", HTTP_X_FORWARDED_FOR=f"forged, 10.0.0.{i}").status_code
             for i in range(6)]
    assert codes.count(429) == 0  # six clients behind the proxy, one request each


def test_basic_auth_is_not_accepted_so_passwords_cannot_be_guessed_through_the_api() -> None:
    User.objects.create_user("carol", password="right-password-123")
    import base64

    for password in ("wrong", "right-password-123"):
        token = base64.b64encode(f"carol:{password}".encode()).decode()
        response = APIClient().get("/rest/analysis?track_id=nothing", HTTP_AUTHORIZATION=f"Basic {token}")
        assert response.status_code == 400  # anonymous either way (a bad id): the header is never checked


def test_failed_admin_logins_are_limited_per_client_address(settings) -> None:
    User.objects.create_superuser("root", password="right-password-123")
    client = APIClient(enforce_csrf_checks=False)
    codes = [client.post("/admin/login/", {"username": "root", "password": f"guess{i}"}).status_code
             for i in range(settings.AXES_FAILURE_LIMIT + 1)]
    limit = settings.AXES_FAILURE_LIMIT  # the attempt that reaches the limit is already refused
    assert codes == [200] * (limit - 1) + [429] * 2
    # locked out: even the right password is refused from that address, and so is a forged XFF
    locked = client.post("/admin/login/", {"username": "root", "password": "right-password-123"},
                         HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert locked.status_code == 429
    other = APIClient(REMOTE_ADDR="198.51.100.7")
    assert other.post("/admin/login/", {"username": "root", "password": "right-password-123"}).status_code == 302


def test_views_are_closed_unless_they_say_they_are_open(settings) -> None:
    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == ["rest_framework.permissions.IsAuthenticated"]
    assert settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] == [
        "genrelens.api.authentication.CsrfSessionAuthentication"]  # sessions only, CSRF on every write


# --- finding 9: no server path in any response -------------------------------------------------------


def test_no_response_names_a_server_path(tmp_path: Path, settings, media: Path) -> None:
    client = APIClient()
    bodies = []
    for name, content in (("broken.flac", b"fLaC" + b"\x00garbage" * 100), ("empty.wav", b"RIFF" + b"\0" * 40),
                          ("song.wav", tagged_wav(tmp_path, title="t", genre="g"))):
        response = upload(client, name, content)
        bodies.append(response.content.decode())
        job = wait_for(client, response.json()["status_url"])
        bodies.append(json.dumps(job))
        if job["analysis_url"]:
            bodies.append(client.get(job["analysis_url"]).content.decode())
    secrets = {str(media), str(settings.GENRELENS_VAR_DIR), str(tmp_path), "media/uploads", ".venv", "Traceback"}
    for body in bodies:
        assert not [s for s in secrets if s in body], body


# --- finding 2: hostile audio never reaches the web process' memory ---------------------------------


def test_an_upload_of_hours_of_compressed_silence_fails_with_a_plain_reason(tmp_path: Path) -> None:
    from genrelens.core.audio.decode import MAX_SECONDS
    from tests.core.audio.test_limits import silence

    path = silence(tmp_path / "long.flac", seconds=MAX_SECONDS + 120, sr=44100, channels=2)
    client = APIClient()
    job = wait_for(client, upload(client, "long.flac", path.read_bytes()).json()["status_url"])
    assert job["status"] == "failed" and job["error"] == "22 minutes long; the limit is 20 minutes"


# --- issue 14: malformed and oversized bodies get a 4xx that says why, and write nothing ---------


@pytest.fixture
def member() -> APIClient:
    client = APIClient()
    client.force_login(User.objects.create_user("spotify:zed"))
    return client


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"days": 7', "JSON parse error"),
        ('{"days": NaN}', "JSON parse error"),
        ("\xff\xfe", "JSON parse error"),
        ('{"days": "forever"}', "days: A valid integer is required."),
        ('{"days": 1e400}', "days: A valid integer is required."),
        ('{"days": 100000}', "days: Ensure this value is less than or equal to"),
        ("[1, 2]", "Expected a dictionary, but got list"),
    ],
)
def test_a_malformed_json_body_is_a_400_that_says_why_and_writes_nothing(member: APIClient, body: str,
                                                                        message: str) -> None:
    from genrelens.accounts.models import ShareLink

    response = member.post("/rest/share", body, content_type="application/json")
    error = response.json()["error"]
    # a well-formed body would get as far as "log in with Spotify" (zed has no Spotify login)
    assert response.status_code == error["status"] == 400 and message in error["message"], error
    assert not ShareLink.objects.exists()


def test_a_json_body_over_the_cap_is_a_413_and_writes_nothing(member: APIClient, settings) -> None:
    from genrelens.accounts.models import ShareLink

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = member.post("/rest/share", json.dumps({"days": 7, "pad": "x" * 20_000}),
                           content_type="application/json")
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert not ShareLink.objects.exists()


_PART = b'--XYZ\r\nContent-Disposition: form-data; name="%s"%s\r\n\r\n%s'


@pytest.mark.parametrize(
    ("content_type", "body", "status", "message"),
    [
        ("application/json", b'{"file": "x"}', 415, 'Unsupported media type "application/json"'),
        ("multipart/form-data", b"no boundary at all", 400, "Multipart form parse error"),
        ("multipart/form-data; boundary=XYZ", _PART % (b"train", b"", b"true\r\n--XYZ--\r\n"), 400,
         "file: No file was submitted."),
        # cut off before its closing boundary: the file part never completes
        ("multipart/form-data; boundary=XYZ", _PART % (b"file", b'; filename="a.wav"', b"RIFF0000WAVEfmt "), 400,
         "file: No file was submitted."),
        ("multipart/form-data; boundary=XYZ",
         _PART % (b"file", b'; filename="a.wav"', b"RIFF0000WAVEfmt \r\n--XYZ\r\n")
         + b'Content-Disposition: form-data; name="train"\r\n\r\nperhaps\r\n--XYZ--\r\n', 400,
         "train: Must be a valid boolean."),
    ],
)
def test_a_malformed_upload_is_a_4xx_that_says_why_and_stores_nothing(media: Path, content_type: str, body: bytes,
                                                                      status: int, message: str) -> None:
    response = APIClient().generic("POST", "/rest/uploads", body, content_type=content_type)
    error = response.json()["error"]
    assert response.status_code == error["status"] == status and message in error["message"], error
    assert not Job.objects.exists() and not (media / "uploads").exists()
