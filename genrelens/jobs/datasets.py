"""Resolve a command's `--dataset NAME|PATH` to a canonical frame, its name and its fingerprint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.conf import settings

from genrelens.catalog.local import LABEL_DATASETS, LOCAL_SOURCE
from genrelens.catalog.models import Dataset
from genrelens.catalog.selectors import dataset_get, labelled_frame
from genrelens.core.dataset.formats import read_dataset
from genrelens.core.dataset.rawfile import dataset_stem
from genrelens.core.errors import NotFound


@dataclass(frozen=True, slots=True)
class ResolvedDataset:
    frame: pd.DataFrame
    name: str
    sha256: str


def resolve_dataset(ref: str | None) -> ResolvedDataset:
    """A file path is read directly; otherwise a catalog dataset by name (default: the latest import)."""
    if ref and Path(ref).is_file():
        parsed = read_dataset(ref, max_bytes=settings.GENRELENS_DATASET_MAX_BYTES)
        return ResolvedDataset(parsed.frame, dataset_stem(Path(ref)), parsed.sha256)
    if ref:
        dataset = dataset_get(name=ref)
    else:
        latest = Dataset.objects.order_by("-imported_at").first()
        if latest is None:
            raise NotFound("no dataset in the catalog yet: run `genrelens import FILE` or give --dataset PATH")
        dataset = latest
    return ResolvedDataset(labelled_frame(dataset=dataset.name), dataset.name, dataset.sha256)


def resolve_local(label_from: str) -> ResolvedDataset:
    """Local tracks labelled by their genre tag or folder, with the features measured from their audio."""
    name = LABEL_DATASETS[label_from]
    if not Dataset.objects.filter(name=name).exists():
        raise NotFound(f"no local tracks labelled by {label_from} yet: run `genrelens analyze` on tagged files "
                       "or on folders named after genres")
    frame = labelled_frame(dataset=name, sources=[LOCAL_SOURCE])
    return ResolvedDataset(frame, name, "")
