from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from genrelens.web.views import NOT_APP_PREFIXES, spa_index

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("genrelens.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Last: every other path is a route of the single-page app.
    re_path(rf"^(?!{NOT_APP_PREFIXES}).*$", spa_index, name="spa"),
]
