"""Importing listening data (a Spotify data export, Last.fm or Exportify CSVs) as a taste.

Anyone may import: a caller without a login becomes a guest (accounts/guests.py says why) and
owns the import, its plays and its taste. The file is stored under MEDIA_ROOT only until its job
has read it (jobs/services.py OWNED_FILES deletes it, whatever the outcome).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from genrelens.accounts.guests import guest_sign_in, is_guest
from genrelens.api import shapes
from genrelens.api.uploads import upload_store
from genrelens.api.views import PublicApi, UserApi
from genrelens.catalog.models import LocalFile
from genrelens.jobs.models import Job
from genrelens.jobs.services import job_create
from genrelens.jobs.taste_import import taste_from_local
from genrelens.listening.models import Source, TasteImport
from genrelens.listening.selectors import taste_chosen, taste_sources
from genrelens.listening.services import taste_import_create


class ImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="a Spotify data export (.zip, or one of its .json files), a Last.fm "
                                           "CSV or an Exportify CSV; the format is read from the content")

    def validate_file(self, value: UploadedFile) -> UploadedFile:
        limit = settings.GENRELENS_UPLOAD_MAX_BYTES
        if value.size is not None and value.size > limit:
            raise serializers.ValidationError(f"file is {value.size:,} bytes; the limit is {limit:,}")
        if not value.size:
            raise serializers.ValidationError("the file is empty")
        return value


def import_body(item: TasteImport) -> dict[str, Any]:
    stage, error = item.stage, item.error
    if stage not in (TasteImport.Stage.DONE, TasteImport.Stage.FAILED) and item.job_id is not None:
        # a job whose runner died too often is failed by jobs_recover, which knows nothing of imports
        job = Job.objects.filter(pk=item.job_id, status=Job.Status.FAILED).first()
        if job is not None:
            stage, error = TasteImport.Stage.FAILED, job.error
    return {"id": item.pk, "stage": stage, "done": item.done, "total": item.total, "error": error,
            "result": item.result, "created_at": item.created_at,
            "status_url": reverse("api:taste-import-detail", kwargs={"import_id": item.pk})}


class TasteImportCreateApi(PublicApi):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": ImportInput}, responses={202: shapes.TasteImport},
                   description="Import listening data as a taste, in the background. A caller without a login "
                               "becomes a guest of this browser session.")
    def post(self, request: Request) -> Response:
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        user = guest_sign_in(request._request)
        path = upload_store(upload, folder_name="exports")
        try:
            with transaction.atomic():
                item = taste_import_create(user_id=user.pk)
                job = job_create(kind="import_taste", owner_id=user.pk, payload={
                    "path": str(path), "name": (upload.name or "")[:200], "user_id": user.pk,
                    "import_id": str(item.pk)})
                TasteImport.objects.filter(pk=item.pk).update(job_id=job.pk)
        except BaseException:
            path.unlink(missing_ok=True)  # no job will ever read it
            raise
        return Response(import_body(item), status=202)


class TasteImportDetailApi(UserApi):
    @extend_schema(responses={200: shapes.TasteImport})
    def get(self, request: Request, import_id: uuid.UUID) -> Response:
        item = TasteImport.objects.filter(pk=import_id, user_id=request.user.pk).first()
        if item is None:
            raise NotFound("no such import")
        return Response(import_body(item))


class TasteSourcesApi(UserApi):
    @extend_schema(responses={200: shapes.TasteSources},
                   description="The caller's tastes: the Spotify library's and each imported source's.")
    def get(self, request: Request) -> Response:
        return Response({"items": taste_sources(user_id=request.user.pk), "guest": is_guest(request.user)})


class TasteLocalApi(PublicApi):
    @extend_schema(request=None, responses={200: shapes.UserTaste},
                   description="A taste (source local) from the audio files the caller uploaded and had analysed. "
                               "A caller without a login becomes a guest and keeps their uploads.")
    def post(self, request: Request) -> Response:
        session = request.session.session_key
        if not request.user.is_authenticated and not (
                session and LocalFile.objects.filter(owner__isnull=True, owner_session=session).exists()):
            # nothing to make a taste of: say so without creating a guest for nothing
            raise NotFound("no analysed local music yet: upload audio first")
        user = guest_sign_in(request._request)
        taste_from_local(user_id=user.pk, owner_id=user.pk)
        return Response(taste_chosen(user_id=user.pk, source=Source.LOCAL.value).body())
