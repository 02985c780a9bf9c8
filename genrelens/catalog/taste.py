"""The public's taste: a dataset's feature distributions per genre, computed once per dataset
version and stored (the core computes; this module keeps the result)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from genrelens.catalog.genres import active_model
from genrelens.catalog.models import Dataset, PublicTaste
from genrelens.catalog.selectors import dataset_get, labelled_frame
from genrelens.core.errors import NotFound


def public_taste_get(*, dataset: Dataset) -> dict[str, Any]:
    """The stored document for this dataset version, computed and stored on first use."""
    stored = PublicTaste.objects.filter(dataset=dataset, dataset_sha256=dataset.sha256).first()
    if stored is not None:
        return stored.document
    frame = labelled_frame(dataset=dataset.name)
    if frame.empty:
        raise NotFound(f"dataset {dataset.name!r} has no labelled tracks to describe")
    from genrelens.core.taste.documents import public_taste

    document = public_taste(frame, dataset=dataset.name)
    try:
        with transaction.atomic():
            PublicTaste.objects.create(dataset=dataset, dataset_sha256=dataset.sha256, document=document)
    except IntegrityError:
        pass  # computed twice at once: the first one stored wins, and both are the same
    return document


def default_dataset() -> Dataset:
    """The active model's training dataset when it is in the catalog, else the latest import."""
    record = active_model()
    if record is not None:
        found = Dataset.objects.filter(name=record.dataset_name).first()
        if found is not None:
            return found
    latest = Dataset.objects.exclude(format="local").order_by("-imported_at").first()
    if latest is None:
        raise NotFound("no dataset in the catalog yet: import one with `genrelens import`")
    return latest


def public_taste_named(name: str | None) -> dict[str, Any]:
    return public_taste_get(dataset=dataset_get(name=name) if name else default_dataset())


def public_taste_for_model() -> dict[str, Any] | None:
    """The distributions a track's percentiles are read from (None when there is no dataset)."""
    try:
        return public_taste_get(dataset=default_dataset())
    except NotFound:
        return None
