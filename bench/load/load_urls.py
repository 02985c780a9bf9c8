"""URLconf for bench/bench_load.py only (never in production URLs): the app's own routes plus a bare
Django view returning a constant JSON body, the ceiling this server and middleware stack can reach."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns

CONSTANT = {"status": "ok", "items": [1, 2, 3], "note": "a constant body: no database, no upstream"}


def constant(request: HttpRequest) -> JsonResponse:
    return JsonResponse(CONSTANT)


urlpatterns = [path("bench/constant", constant), *app_urlpatterns]
