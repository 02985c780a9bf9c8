"""Every endpoint under /rest/, the blog's API root; the OpenAPI schema and its Swagger UI with them."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from genrelens.api import analysis, auth, browse, status, taste, taste_import, uploads
from genrelens.api.views import NoSuchEndpoint

app_name = "api"

urlpatterns = [
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("health", status.HealthApi.as_view(), name="health"),
    path("capabilities", status.CapabilitiesApi.as_view(), name="capabilities"),
    path("model", status.ModelApi.as_view(), name="model"),
    path("datasets", status.DatasetsApi.as_view(), name="datasets"),
    path("auth/login", auth.LoginApi.as_view(), name="auth-login"),
    path("auth/logout", auth.LogoutApi.as_view(), name="auth-logout"),
    path("me", browse.MeApi.as_view(), name="me"),
    path("search", browse.SearchApi.as_view(), name="search"),
    path("nowplaying", browse.NowPlayingApi.as_view(), name="nowplaying"),
    path("toptracks", browse.TopTracksApi.as_view(), name="toptracks"),
    path("likedtracks", browse.LikedTracksApi.as_view(), name="likedtracks"),
    path("categories", browse.CategoriesApi.as_view(), name="categories"),
    path("playlists", browse.CategoryPlaylistsApi.as_view(), name="playlists"),
    path("myplaylists", browse.MyPlaylistsApi.as_view(), name="myplaylists"),
    path("playlist_tracks", browse.PlaylistTracksApi.as_view(), name="playlist-tracks"),
    path("album_tracks", browse.AlbumTracksApi.as_view(), name="album-tracks"),
    path("analysis", analysis.AnalysisApi.as_view(), name="analysis"),
    path("taste", taste.MyTasteApi.as_view(), name="taste"),
    path("taste/public", taste.PublicTasteApi.as_view(), name="taste-public"),
    path("taste/refresh", taste.TasteRefreshApi.as_view(), name="taste-refresh"),
    path("taste/sources", taste_import.TasteSourcesApi.as_view(), name="taste-sources"),
    path("taste/imports", taste_import.TasteImportCreateApi.as_view(), name="taste-import-create"),
    path("taste/local", taste_import.TasteLocalApi.as_view(), name="taste-local"),
    path("taste/imports/<uuid:import_id>", taste_import.TasteImportDetailApi.as_view(), name="taste-import-detail"),
    path("jobs/<uuid:job_id>", taste.JobDetailApi.as_view(), name="job-detail"),
    path("share", taste.SharesApi.as_view(), name="share"),
    path("share/<str:token>", taste.ShareDetailApi.as_view(), name="share-detail"),
    path("shared/<str:token>", taste.SharedApi.as_view(), name="shared"),
    path("compare", taste.CompareApi.as_view(), name="compare"),
    path("uploads", uploads.UploadCreateApi.as_view(), name="upload-create"),
    path("uploads/<uuid:job_id>", uploads.UploadDetailApi.as_view(), name="upload-detail"),
    re_path(r"^.*$", NoSuchEndpoint.as_view(), name="no-such-endpoint"),  # last: the JSON 404
]
