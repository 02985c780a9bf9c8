from django.urls import path

from genrelens.api.tracks import TrackAnalysisApi
from genrelens.api.uploads import UploadCreateApi, UploadDetailApi

app_name = "api"

urlpatterns = [
    path("uploads/", UploadCreateApi.as_view(), name="upload-create"),
    path("uploads/<uuid:job_id>/", UploadDetailApi.as_view(), name="upload-detail"),
    path("tracks/<str:key>/analysis/", TrackAnalysisApi.as_view(), name="track-analysis"),
]
