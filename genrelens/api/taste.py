"""Tastes: the public's per dataset, the user's (refreshed by a background job), share links and
comparing two tastes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound as HttpNotFound
from rest_framework.request import Request
from rest_framework.response import Response

from genrelens.accounts.models import ShareLink, UserTaste
from genrelens.accounts.shares import DEFAULT_DAYS, MAX_DAYS, share_body, share_create, share_get, share_revoke
from genrelens.api import shapes
from genrelens.api.clients import require_account
from genrelens.api.views import PublicApi, UserApi
from genrelens.catalog.taste import public_taste_named
from genrelens.core.taste.documents import compare, public_as_taste, share_snapshot
from genrelens.jobs.models import Job
from genrelens.jobs.selectors import job_progress_get
from genrelens.jobs.services import job_create


def job_body(job: Job) -> dict[str, Any]:
    return {"id": job.pk, "kind": job.kind, "status": job.status, "progress": job_progress_get(job),
            "error": job.error, "result": job.result, "created_at": job.created_at, "finished_at": job.finished_at,
            "status_url": reverse("api:job-detail", kwargs={"job_id": job.pk})}


class PublicTasteApi(PublicApi):
    @extend_schema(parameters=[OpenApiParameter("dataset", str, description="default: the model's dataset")],
                   responses={200: shapes.PublicTaste})
    def get(self, request: Request) -> Response:
        return Response(public_taste_named(request.query_params.get("dataset") or None))


class MyTasteApi(UserApi):
    @extend_schema(responses={200: shapes.UserTaste},
                   description="The user's taste; 404 (code not_found) until the first refresh has finished.")
    def get(self, request: Request) -> Response:
        taste = UserTaste.objects.filter(user_id=request.user.pk).first()
        if taste is None:
            raise HttpNotFound("no taste yet: refresh it (POST /rest/taste/refresh)")
        return Response({**taste.document, "updated_at": taste.updated_at})


class TasteRefreshApi(UserApi):
    @extend_schema(request=None, responses={202: shapes.Job})
    def post(self, request: Request) -> Response:
        require_account(request)
        job = job_create(kind="refresh_taste", payload={"user_id": request.user.pk}, owner_id=request.user.pk)
        return Response(job_body(job), status=202)


class JobDetailApi(UserApi):
    @extend_schema(responses={200: shapes.Job})
    def get(self, request: Request, job_id: str) -> Response:
        job = Job.objects.filter(pk=job_id, owner_id=request.user.pk).first()
        if job is None:
            raise HttpNotFound("no such job")
        return Response(job_body(job))


class ShareInput(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=MAX_DAYS, default=DEFAULT_DAYS)


class SharesApi(UserApi):
    @extend_schema(responses={200: shapes.ShareLinks})
    def get(self, request: Request) -> Response:
        links = ShareLink.objects.filter(user_id=request.user.pk)
        return Response({"items": [_with_url(request, share_body(link, with_taste=False)) for link in links]})

    @extend_schema(request=ShareInput, responses={201: shapes.ShareLink})
    def post(self, request: Request) -> Response:
        data = ShareInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = require_account(request)
        link = share_create(user=request.user, owner_name=account.display_name, days=data.validated_data["days"])
        return Response(_with_url(request, share_body(link, with_taste=False)), status=201)


def _with_url(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "url": f"/shared/{body['token']}"}


class ShareDetailApi(UserApi):
    @extend_schema(responses={204: OpenApiResponse(description="revoked")})
    def delete(self, request: Request, token: str) -> Response:
        share_revoke(user=request.user, token=token)
        return Response(status=204)


class SharedApi(PublicApi):
    @extend_schema(responses={200: shapes.Shared}, description="A shared taste: aggregates only, for anyone.")
    def get(self, request: Request, token: str) -> Response:
        return Response(share_body(share_get(token=token)))


class CompareApi(PublicApi):
    @extend_schema(parameters=[OpenApiParameter("token", str, required=True),
                               OpenApiParameter("with", str, enum=["me", "public"]),
                               OpenApiParameter("genre", str, description="with=public: one genre's taste")],
                   responses={200: shapes.Comparison},
                   description="A shared taste against the caller's own (with=me, needs a login) or the public's.")
    def get(self, request: Request) -> Response:
        link = share_get(token=request.query_params.get("token", ""))
        against = request.query_params.get("with", "me" if request.user.is_authenticated else "public")
        if against not in ("me", "public"):
            raise serializers.ValidationError({"with": ["must be me or public"]})
        if against == "me":
            taste = UserTaste.objects.filter(user_id=request.user.pk).first() if request.user.is_authenticated else None
            if taste is None:
                raise HttpNotFound("you have no taste to compare yet: log in and refresh it")
            mine, label = taste.document, "you"
        else:
            genre = request.query_params.get("genre") or None
            mine, label = public_as_taste(public_taste_named(link.snapshot.get("dataset") or None), genre), (
                genre or "everyone")
        result = compare(link.snapshot, mine)
        # both tastes travel with the comparison so the app can overlay their distributions; the
        # caller's own side is reduced to aggregates like the shared one
        return Response({**result, "a": {"label": link.owner_name or "shared taste"}, "b": {"label": label},
                         "a_taste": link.snapshot, "b_taste": share_snapshot(mine)})
