"""Uploading an audio file: size and type limits, storage under var/, analysis in the background.

An upload belongs to whoever sent it: the logged-in user, or else the anonymous session (made on
the first upload). Only its owner can read its status and its track's analysis.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from genrelens.catalog.local import Owner
from genrelens.jobs.models import Job
from genrelens.jobs.services import job_create

#: what the analysis can decode (soundfile/libsndfile); M4A/AAC would need GPL or external binaries
ALLOWED = {".mp3", ".flac", ".ogg", ".oga", ".opus", ".wav", ".aif", ".aiff"}
#: leading bytes of each container, so a renamed text file is refused before it is stored
_MAGIC = (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"\xff\xfa", b"fLaC", b"OggS", b"RIFF", b"FORM")
#: room in a multipart body for its boundaries, part headers and small fields
MULTIPART_OVERHEAD = 64 * 1024


def _too_big(limit: int) -> RequestDataTooBig:
    return RequestDataTooBig(f"the upload is larger than the limit of {limit:,} bytes")


class CappedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: refuses a body whose declared length is over the limit before
    reading any of it, and stops reading one that grows past it, so an oversized upload is never
    spooled to disk. (A proxy in front should refuse it even earlier: deploy/nginx-limits.conf.)"""

    def handle_raw_input(self, input_data: Any, META: dict[str, Any], content_length: int, boundary: bytes,
                         encoding: str | None = None) -> None:
        self.limit = settings.GENRELENS_UPLOAD_MAX_BYTES
        self.received = 0
        if content_length > self.limit + MULTIPART_OVERHEAD:
            raise _too_big(self.limit)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise _too_big(self.limit)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class UploadInput(serializers.Serializer):
    file = serializers.FileField()
    train = serializers.BooleanField(default=False, help_text="let this file's genre tag label training data "
                                                              "(off by default: your upload stays yours)")

    def validate_file(self, value: UploadedFile) -> UploadedFile:
        limit = settings.GENRELENS_UPLOAD_MAX_BYTES
        if value.size is not None and value.size > limit:
            raise serializers.ValidationError(f"file is {value.size:,} bytes; the limit is {limit:,}")
        suffix = Path(value.name or "").suffix.lower()
        if suffix not in ALLOWED:
            raise serializers.ValidationError(f"unsupported type {suffix or '(none)'}; "
                                              f"allowed: {', '.join(sorted(ALLOWED))}")
        head = value.read(12)
        value.seek(0)
        if not head.startswith(_MAGIC):
            raise serializers.ValidationError("the content is not audio of the type its name says")
        return value


class JobOutput(serializers.ModelSerializer):
    status_url = serializers.SerializerMethodField()
    track_id = serializers.SerializerMethodField()
    analysis_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ["id", "status", "error", "created_at", "finished_at", "status_url", "track_id", "analysis_url"]

    def get_status_url(self, job: Job) -> str:
        return reverse("api:upload-detail", kwargs={"job_id": job.pk})

    def get_track_id(self, job: Job) -> str | None:
        return (job.result or {}).get("track_id")

    def get_analysis_url(self, job: Job) -> str | None:
        key = self.get_track_id(job)
        return f"{reverse('api:analysis')}?track_id={key}" if key else None


def request_owner(request: HttpRequest | Request, *, create: bool = False) -> Owner:
    """The caller as an owner of uploads; `create` starts an anonymous session when there is none."""
    user = request.user
    if user.is_authenticated:
        return Owner(user_id=user.pk, is_staff=user.is_staff)
    session = request.session
    if create and not session.session_key:
        session["uploads"] = True  # a modified session is saved and its cookie sent
        session.save()
    return Owner(session_key=session.session_key or "")


def upload_store(upload: UploadedFile, *, folder_name: str = "uploads") -> Path:
    """Write an uploaded file under MEDIA_ROOT/<folder_name> by a random name (keeping its suffix,
    which the readers go by); the job that reads it deletes it."""
    folder = Path(settings.MEDIA_ROOT) / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{Path(upload.name or '').suffix.lower()[:8]}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


class UploadCreateApi(APIView):
    parser_classes = [MultiPartParser]
    permission_classes = [AllowAny]  # anonymous uploads are allowed; they belong to the session

    @extend_schema(request={"multipart/form-data": UploadInput}, responses={202: JobOutput})
    def post(self, request: Request) -> Response:
        data = UploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        owner = request_owner(request, create=True)
        path = upload_store(data.validated_data["file"])
        job = job_create(kind="analyze_upload", payload={
            "path": str(path), "name": data.validated_data["file"].name, "train": data.validated_data["train"],
            **owner.fields()}, **owner.fields())
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class UploadDetailApi(APIView):
    permission_classes = [AllowAny]  # an anonymous caller sees only their session's uploads

    @extend_schema(responses=JobOutput)
    def get(self, request: Request, job_id: uuid.UUID) -> Response:
        job = Job.objects.filter(request_owner(request).rows(), pk=job_id, kind="analyze_upload").first()
        if job is None:
            raise NotFound(f"no upload {job_id}")
        return Response(JobOutput(job).data)
