from django.contrib import admin

from genrelens.catalog import models


@admin.register(models.Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ("name", "artist_names", "key", "duration_ms", "is_local")
    search_fields = ("name", "artist_names", "key", "spotify_id")
    raw_id_fields = ("album",)


@admin.register(models.Artist)
class ArtistAdmin(admin.ModelAdmin):
    list_display = ("name", "key")
    search_fields = ("name", "key")


@admin.register(models.Album)
class AlbumAdmin(admin.ModelAdmin):
    list_display = ("name", "release_date", "key")
    search_fields = ("name", "key")


@admin.register(models.Playlist)
class PlaylistAdmin(admin.ModelAdmin):
    list_display = ("name", "owner_id", "key")
    search_fields = ("name", "key")


@admin.register(models.Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("name", "format", "row_count", "imported_at", "sha256")
    readonly_fields = ("imported_at",)


@admin.register(models.GenreLabel)
class GenreLabelAdmin(admin.ModelAdmin):
    list_display = ("track", "genre", "subgenre", "dataset")
    list_filter = ("dataset", "genre")
    raw_id_fields = ("track", "playlist")


@admin.register(models.AudioFeatures)
class AudioFeaturesAdmin(admin.ModelAdmin):
    list_display = ("track", "source", "fetched_at", "tempo", "energy")
    list_filter = ("source",)
    raw_id_fields = ("track",)


@admin.register(models.LocalFile)
class LocalFileAdmin(admin.ModelAdmin):
    # Tag text is the uploader's: the admin escapes it like every value (no format_html/mark_safe here).
    list_display = ("track", "title", "genre_tag", "owner", "analysed_at")
    list_filter = ("owner",)
    raw_id_fields = ("track", "owner")
    readonly_fields = ("path", "owner", "owner_session", "analysed_at")


@admin.register(models.TrainedModel)
class TrainedModelAdmin(admin.ModelAdmin):
    list_display = ("version", "label", "dataset_name", "is_active", "created_at")
    # The artifact is a pickle: whoever could point `path` elsewhere, or change the recorded
    # sha256, could make the app unpickle a file of their choosing. Only activation is editable.
    readonly_fields = ("version", "path", "sha256", "label", "dataset_name", "dataset_sha256", "card", "created_at")
