"""Tastes: the public's per dataset, the user's (refreshed by a background job), share links and
comparing two tastes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound as HttpNotFound
from rest_framework.request import Request
from rest_framework.response import Response

from genrelens.accounts.models import ShareLink
from genrelens.accounts.shares import DEFAULT_DAYS, MAX_DAYS, share_body, share_create, share_get, share_revoke
from genrelens.api import shapes
from genrelens.api.clients import caller_account, require_account
from genrelens.api.kept import KeptApi, KeptKey, kept_json
from genrelens.api.views import PublicApi, UserApi
from genrelens.catalog.taste import public_taste_named
from genrelens.core.listening.types import WEIGHTING_CHOICES
from genrelens.core.taste.documents import compare, public_as_taste, share_snapshot
from genrelens.jobs.models import Job
from genrelens.jobs.selectors import job_progress_get
from genrelens.jobs.services import job_create
from genrelens.listening.selectors import ChosenTaste, taste_chosen


def job_body(job: Job) -> dict[str, Any]:
    return {"id": job.pk, "kind": job.kind, "status": job.status, "progress": job_progress_get(job),
            "error": job.error, "result": job.result, "created_at": job.created_at, "finished_at": job.finished_at,
            "status_url": reverse("api:job-detail", kwargs={"job_id": job.pk})}


class PublicTasteApi(PublicApi):
    @extend_schema(parameters=[OpenApiParameter("dataset", str, description="default: the model's dataset")],
                   responses={200: shapes.PublicTaste})
    def get(self, request: Request) -> Response:
        return Response(public_taste_named(request.query_params.get("dataset") or None))


class TasteChoice(serializers.Serializer):
    source = serializers.CharField(required=False, help_text="spotify, spotify_export, lastfm, playlists or local "
                                                             "(default: the first of /rest/taste/sources)")
    weighting = serializers.ChoiceField(choices=WEIGHTING_CHOICES, required=False,
                                        help_text="default: plays when the source has plays")


_CHOICE_PARAMS = [OpenApiParameter("source", str, description="spotify, spotify_export, lastfm, playlists or local"),
                  OpenApiParameter("weighting", str, enum=list(WEIGHTING_CHOICES))]


def _choice(data: Any) -> tuple[str | None, str | None]:
    """(source, weighting) as asked for; None where the user's default applies. Checked as TasteChoice
    checks them (tests/api/test_taste_choice.py holds the two to the same answers), without building
    the serializer, whose fields are deep-copied per instance: on a kept taste read that was a fifth of
    the request (bench/bench_load.py)."""
    errors: dict[str, list[str]] = {}
    source, weighting = data.get("source"), data.get("weighting")
    if hasattr(data, "getlist"):  # a query string or form: DRF reads an empty optional field as absent
        source, weighting = source or None, weighting or None
    if source is not None:
        if isinstance(source, bool) or not isinstance(source, str | int | float):
            errors["source"] = ["Not a valid string."]
        elif not str(source).strip():
            errors["source"] = ["This field may not be blank."]
        else:
            source = str(source).strip()
    if weighting is not None and (not isinstance(weighting, str) or weighting not in WEIGHTING_CHOICES):
        errors["weighting"] = [f'"{weighting}" is not a valid choice.']
    if errors:
        raise serializers.ValidationError(errors)
    return source, weighting


def _chosen(user_id: int, data: Any) -> ChosenTaste:
    source, weighting = _choice(data)
    return taste_chosen(user_id=user_id, source=source, weighting=weighting)


class MyTasteApi(KeptApi, UserApi):
    @extend_schema(parameters=_CHOICE_PARAMS, responses={200: shapes.UserTaste},
                   description="One of the user's tastes (it says which); 404 (code not_found) until one exists.")
    def get(self, request: Request) -> Response:
        user_id, (source, weighting) = request.user.pk, _choice(request.GET)
        return Response(kept_json(_taste_key(user_id, source, weighting),
                                  build=lambda: taste_chosen(user_id=user_id, source=source,
                                                             weighting=weighting).body()))

    def kept_key(self, request: HttpRequest | Request, user_id: Any) -> KeptKey:
        return _taste_key(user_id, *_choice(request.GET))


def _taste_key(user_id: int, source: str | None, weighting: str | None) -> KeptKey:
    # kept until one of the user's tastes changes (every write of one renews "user:<id>")
    return KeptKey(name="taste", scopes=[f"user:{user_id}"], params=[user_id, source, weighting], seconds=3600)


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


class ShareInput(TasteChoice):
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
        account = caller_account(request)  # guests share too; their links carry no name
        chosen = _chosen(request.user.pk, request.data)
        link = share_create(user=request.user, owner_name=account.display_name if account else "",
                            days=data.validated_data["days"], document=chosen.document)
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
                               OpenApiParameter("genre", str, description="with=public: one genre's taste"),
                               *_CHOICE_PARAMS],
                   responses={200: shapes.Comparison},
                   description="A shared taste against the caller's own (with=me, needs a login) or the public's.")
    def get(self, request: Request) -> Response:
        link = share_get(token=request.query_params.get("token", ""))
        against = request.query_params.get("with", "me" if request.user.is_authenticated else "public")
        if against not in ("me", "public"):
            raise serializers.ValidationError({"with": ["must be me or public"]})
        if against == "me":
            if not request.user.is_authenticated:
                raise HttpNotFound("you have no taste to compare yet: log in and refresh it, or import your data")
            mine, label = _chosen(request.user.pk, request.query_params).document, "you"
        else:
            genre = request.query_params.get("genre") or None
            mine, label = public_as_taste(public_taste_named(link.snapshot.get("dataset") or None), genre), (
                genre or "everyone")
        result = compare(link.snapshot, mine)
        # both tastes travel with the comparison so the app can overlay their distributions; the
        # caller's own side is reduced to aggregates like the shared one
        return Response({**result, "a": {"label": link.owner_name or "shared taste"}, "b": {"label": label},
                         "a_taste": link.snapshot, "b_taste": share_snapshot(mine)})
