"""Uploading an audio file: size and type limits, storage under var/, analysis in the background."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from genrelens.jobs.models import Job
from genrelens.jobs.services import job_create, job_submit

#: what the analysis can decode (soundfile/libsndfile); M4A/AAC would need GPL or external binaries
ALLOWED = {".mp3", ".flac", ".ogg", ".oga", ".opus", ".wav", ".aif", ".aiff"}
#: leading bytes of each container, so a renamed text file is refused before it is stored
_MAGIC = (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"\xff\xfa", b"fLaC", b"OggS", b"RIFF", b"FORM")


class UploadInput(serializers.Serializer):
    file = serializers.FileField()

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


def _store(upload: UploadedFile) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{Path(upload.name or '').suffix.lower()}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


class UploadCreateApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": UploadInput}, responses={202: JobOutput})
    def post(self, request: Request) -> Response:
        data = UploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        path = _store(data.validated_data["file"])
        job = job_create(kind="analyze_upload", payload={"path": str(path),
                                                         "name": data.validated_data["file"].name})
        job_submit(job=job)
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class UploadDetailApi(APIView):
    @extend_schema(responses=JobOutput)
    def get(self, request: Request, job_id: uuid.UUID) -> Response:
        job = Job.objects.filter(pk=job_id, kind="analyze_upload").first()
        if job is None:
            raise NotFound(f"no upload {job_id}")
        return Response(JobOutput(job).data)
