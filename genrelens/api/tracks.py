"""A track's analysis document."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from genrelens.api.uploads import request_owner
from genrelens.catalog.documents import track_document


class TrackAnalysisApi(APIView):
    permission_classes = [AllowAny]  # catalog tracks are public; a local track only to its owners

    @extend_schema(responses=OpenApiTypes.OBJECT,
                   description="Features (each source with provenance), genre probabilities from the active "
                               "model, and beats/downbeats/sections for local tracks.")
    def get(self, request: Request, key: str) -> Response:
        return Response(track_document(key=key, viewer=request_owner(request)))
