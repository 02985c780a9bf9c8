from django.contrib import admin
from django.urls import include, path, re_path

from genrelens.api.auth import connect
from genrelens.web.views import NOT_APP_PREFIXES, spa_index

urlpatterns = [
    path("admin/", admin.site.urls),
    path("rest/", include("genrelens.api.urls")),
    # the redirect URI registered with Spotify (README): http://127.0.0.1:8000/connect
    path("connect", connect, name="connect"),
    # Last: every other path is a route of the single-page app.
    re_path(rf"^(?!{NOT_APP_PREFIXES}).*$", spa_index, name="spa"),
]
