from django.contrib import admin
from django.urls import include, path

from genrelens.api.auth import connect

urlpatterns = [
    path("admin/", admin.site.urls),
    path("rest/", include("genrelens.api.urls")),
    # the redirect URI registered with Spotify (README): http://127.0.0.1:8000/connect
    path("connect", connect, name="connect"),
]
