"""Catalog writes and reads for the user's own audio files (source "local").

An analysed file becomes a Track keyed by its audio content ("local:<sha256>"), features under
source "local" with how each was obtained, a TrackAnalysis with beats for the rhythm view, and
genre labels in two datasets, "local-tags" (the file's genre tag) and "local-folders" (its parent
folder), so `genrelens train --source local` reuses the whole model machinery.

Files given to `genrelens analyze` are the installation's own. An upload belongs to its `Owner`:
it never renames a track that exists already (the same audio may be someone else's), feeds
training only when its owner asks, and its track is shown only to its owners and to staff.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q

from genrelens.catalog.models import AudioFeatures, Dataset, GenreLabel, LocalFile, Track, TrackAnalysis
from genrelens.catalog.services import match_key, sourced_features_save
from genrelens.core.types import FEATURE_NAMES, SourcedFeatures
from genrelens.shared_cache import catalog_changed

if TYPE_CHECKING:  # the audio stack is heavy to import; only its types are needed here
    from genrelens.core.audio.analyze import AnalysisResult

LOCAL_SOURCE = "local"
LABEL_DATASETS = {"tag": "local-tags", "folder": "local-folders"}


def local_keys_analysed() -> frozenset[str]:
    """Keys of local tracks that already have features: re-running analyze skips their files."""
    return frozenset(AudioFeatures.objects.filter(
        source=LOCAL_SOURCE, track__local_files__owner__isnull=True, track__local_files__owner_session=""
    ).values_list("track__key", flat=True))


@dataclass(frozen=True, slots=True)
class Owner:
    """Who an upload belongs to: a logged-in user, or else an anonymous session."""

    user_id: int | None = None
    session_key: str = ""
    is_staff: bool = False

    def rows(self) -> Q:
        """Rows (jobs, local files) with an `owner` and an `owner_session` that belong to this owner."""
        if self.user_id is not None:
            return Q(owner_id=self.user_id)
        if self.session_key:
            return Q(owner__isnull=True, owner_session=self.session_key)
        return Q(pk__in=[])  # no user and no session owns nothing

    def fields(self) -> dict[str, object]:
        return {"owner_id": self.user_id, "owner_session": "" if self.user_id is not None else self.session_key}


def local_track_visible(*, track: Track, viewer: Owner) -> bool:
    """A local track is private to the owners of its files (and staff): its tags are theirs."""
    return viewer.is_staff or LocalFile.objects.filter(viewer.rows(), track=track).exists()


def local_analysis_store(*, result: AnalysisResult, analyser_version: str, owner: Owner | None = None,
                         train: bool = True, file_name: str = "") -> Track:
    """Store one successful analysis (track, features, beats, file, labels) in one transaction.

    `owner` None is `genrelens analyze` on the installation's files: tags name the track and feed
    the label datasets. An upload (`owner` set) names only a track it creates, and labels it by its
    genre tag only with `train` (the uploader's choice); its folder is ours, never a genre.
    `file_name` is the name the file had on the uploader's computer: an untagged upload is stored
    under a random name, and the person knows it by theirs.
    """
    if result.error is not None or result.track_key is None:
        raise ValueError(f"{result.path}: cannot store a failed analysis ({result.error})")
    path = Path(result.path).resolve()
    tags = result.tags
    artists = [a.strip() for a in tags.artist.replace(";", "/").split("/") if a.strip()]
    title = tags.title or Path(file_name).stem or path.stem
    naming = {"name": title[:500], "artist_names": ";".join(artists)[:1000], "is_local": True,
              "duration_ms": result.features.duration_ms, "match_key": match_key(artists, title)}
    with transaction.atomic():
        catalog_changed()
        if owner is None:
            track, _ = Track.objects.update_or_create(key=result.track_key, defaults=naming)
        else:
            track, _ = Track.objects.get_or_create(key=result.track_key, defaults=naming)
        sourced_features_save(items=[SourcedFeatures(track_key=track.key, features=result.features,
                                                     source=LOCAL_SOURCE, source_version=analyser_version,
                                                     how=dict(result.how))])
        TrackAnalysis.objects.update_or_create(track=track, defaults={
            "beats": list(result.beats), "downbeats": list(result.downbeats), "sections": list(result.sections),
            "confidence": dict(result.confidence), "analyser_version": analyser_version})
        LocalFile.objects.update_or_create(path=str(path), defaults={
            "track": track, "folder": path.parent.name[:500], "genre_tag": tags.genre[:200],
            "title": (tags.title or "")[:500], **(owner or Owner()).fields()})
        if train:
            _label(track, "tag", tags.genre)
        if owner is None:
            _label(track, "folder", path.parent.name)
    return track


def _label(track: Track, kind: str, genre: str) -> None:
    genre = genre.strip()
    if not genre:
        return
    dataset, _ = Dataset.objects.get_or_create(name=LABEL_DATASETS[kind], defaults={
        "source": "genrelens analyze", "format": "local",
        "licence": "your own files"})
    GenreLabel.objects.get_or_create(dataset=dataset, track=track, genre=genre[:100], subgenre="", playlist_key="")


def local_paths(keys: Iterable[str] | None = None) -> dict[str, str]:
    """Track key -> file path for the installation's local tracks (what the local feature provider
    needs); uploads are left out: their files are deleted once analysed."""
    rows = LocalFile.objects.filter(owner__isnull=True, owner_session="")
    if keys is not None:
        rows = rows.filter(track__key__in=list(keys))
    return dict(rows.values_list("track__key", "path"))


def local_document(*, track: Track) -> dict[str, object]:
    """What the API serves for a local track: its features with provenance, and its beats."""
    features = AudioFeatures.objects.filter(track=track, source=LOCAL_SOURCE).first()
    analysis = TrackAnalysis.objects.filter(track=track).first()
    return {
        "features": {name: getattr(features, name) for name in FEATURE_NAMES} if features else None,
        "how": features.how if features else {},
        "beats": analysis.beats if analysis else [],
        "downbeats": analysis.downbeats if analysis else [],
        "sections": analysis.sections if analysis else [],
        "confidence": analysis.confidence if analysis else {},
    }
