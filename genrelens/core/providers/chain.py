"""Ask feature providers in order, each only for the tracks nobody has answered yet.

The order comes from GENRELENS_FEATURE_PROVIDERS (default dataset,spotify,reccobeats): cheap and
trusted sources first, rate-limited remote ones last. Tracks that already have features in the
store are never asked for. Every answer is stored as its own (track, source) row, so the
provenance of each number survives.

A provider that is closed to this app (EndpointRestricted), rate-limited beyond our patience
(RateLimited), logged out (ReauthRequired) or misconfigured is marked blocked with the reason and
skipped for the rest of the run. Any other provider failure loses only that batch (recorded in
`errors`); after three failed batches in a row the provider is blocked too.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from tqdm import tqdm

from genrelens.core.errors import (
    ConfigurationError,
    EndpointRestricted,
    ProviderError,
    RateLimited,
    ReauthRequired,
)
from genrelens.core.providers.base import FeatureProvider, FeatureStore
from genrelens.core.types import SourcedFeatures, TrackRef

#: errors that close a provider for the rest of the run: asking again cannot help
_CLOSED = (EndpointRestricted, RateLimited, ReauthRequired, ConfigurationError)
#: a provider whose batches keep failing is skipped after this many in a row
MAX_FAILED_BATCHES = 3


@dataclass(slots=True)
class ChainReport:
    """What a run of the chain did, per track and per provider."""

    #: track key -> source that answered in this run ("spotify", "reccobeats", "dataset:<name>", ...)
    source_of: dict[str, str] = field(default_factory=dict)
    #: keys no provider could answer
    missing: list[str] = field(default_factory=list)
    #: keys that had features before the run (not asked for)
    already_stored: list[str] = field(default_factory=list)
    #: provider name -> why it was skipped from then on
    blocked: dict[str, str] = field(default_factory=dict)
    #: provider name -> transient failures (one entry per lost batch)
    errors: dict[str, list[str]] = field(default_factory=dict)
    #: provider name -> how many tracks it was asked for
    asked: dict[str, int] = field(default_factory=dict)
    #: providers that failed in a way that passes (a 5xx burst, a lost connection, a rate limit)
    failed_for_now: set[str] = field(default_factory=set)

    @property
    def interrupted(self) -> bool:
        """Some tracks are missing only for now: running again later may find them."""
        return bool(self.missing) and bool(self.failed_for_now)

    @property
    def counts(self) -> dict[str, int]:
        """Answers per source in this run."""
        return dict(Counter(self.source_of.values()))

    def summary(self) -> str:
        answered = ", ".join(f"{source} {n}" for source, n in sorted(self.counts.items())) or "none"
        blocked = "; ".join(f"{name}: {why}" for name, why in self.blocked.items()) or "none"
        return (
            f"answered: {answered}; already stored: {len(self.already_stored)}; "
            f"missing: {len(self.missing)}; blocked: {blocked}"
        )


def run_chain(
    tracks: Sequence[TrackRef],
    providers: Sequence[FeatureProvider],
    store: FeatureStore,
    *,
    progress: bool = True,
) -> ChainReport:
    """Fill `store` with features for `tracks` from `providers`, in order; see the module docstring."""
    report = ChainReport()
    unique = list({ref.key: ref for ref in tracks}.values())
    stored = store.keys_with_features([ref.key for ref in unique])
    report.already_stored = [ref.key for ref in unique if ref.key in stored]
    pending = [ref for ref in unique if ref.key not in stored]
    for provider in providers:
        if not pending:
            break
        report.asked[provider.name] = len(pending)
        answered = _run_provider(provider, pending, store, report, progress)
        pending = [ref for ref in pending if ref.key not in answered]
    report.missing = [ref.key for ref in pending]
    return report


def _run_provider(
    provider: FeatureProvider,
    pending: list[TrackRef],
    store: FeatureStore,
    report: ChainReport,
    progress: bool,
) -> set[str]:
    answered: set[str] = set()
    size = max(1, provider.batch_size)
    failed_in_a_row = 0
    with tqdm(total=len(pending), desc=f"features: {provider.name}", unit="track", disable=not progress,
              file=sys.stderr) as bar:
        for start in range(0, len(pending), size):
            batch = pending[start : start + size]
            try:
                answers = _accepted(provider.fetch(batch), batch)
            except _CLOSED as exc:
                report.blocked[provider.name] = f"{type(exc).__name__}: {exc}"
                if isinstance(exc, RateLimited):
                    report.failed_for_now.add(provider.name)
                break
            except ProviderError as exc:
                # one bad batch (a malformed id, a 5xx burst) costs that batch only; a provider
                # failing batch after batch is broken for this run and is skipped
                report.errors.setdefault(provider.name, []).append(str(exc))
                if not exc.permanent:
                    report.failed_for_now.add(provider.name)
                bar.update(len(batch))
                failed_in_a_row += 1
                if failed_in_a_row >= MAX_FAILED_BATCHES:
                    report.blocked[provider.name] = f"{failed_in_a_row} batches failed in a row; last: {exc}"
                    break
                continue
            failed_in_a_row = 0
            store.save_features(answers)
            for item in answers:
                answered.add(item.track_key)
                report.source_of.setdefault(item.track_key, item.source)
            bar.update(len(batch))
    return answered


def _accepted(answers: Sequence[SourcedFeatures], batch: Sequence[TrackRef]) -> list[SourcedFeatures]:
    """Only answers for keys in the batch and with at least one feature are stored."""
    asked = {ref.key for ref in batch}
    return [a for a in answers if a.track_key in asked and not a.features.is_empty]
