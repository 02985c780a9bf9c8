import type { Query } from '@/api/client';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { TrackTable } from '@/features/track-table/components/track-table';
import { formatPercent, sourceLabel } from '@/lib/features';

import { mergePages, useAllTrackPages, type TrackListEndpoint } from '../api/track-pages';

/** A TrackPage endpoint as a full TrackTable, with coverage and loading progress. */
export function TrackListView({ endpoint, params, exportName, emptyText }: { endpoint: TrackListEndpoint; params: Query; exportName: string; emptyText: string }) {
  const query = useAllTrackPages(endpoint, params);
  if (query.isPending) return <Loading label="Loading tracks…" />;
  if (query.isError && !query.data) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const merged = mergePages(query.data?.pages ?? []);
  if (merged.tracks.length === 0) return <Empty title={emptyText} />;
  const { coverage } = merged;
  return (
    <>
      <div className="coverage-line" data-testid="coverage">
        <span>
          <strong>{coverage.with_features.toLocaleString()}</strong> of {coverage.tracks.toLocaleString()} tracks have features ({formatPercent(coverage.tracks ? coverage.with_features / coverage.tracks : 0)})
        </span>
        {Object.entries(coverage.by_source).map(([src, n]) => (
          <span key={src} className="muted">
            {sourceLabel(src)}: {n.toLocaleString()}
          </span>
        ))}
        {merged.model ? <span className="muted">genres by model {merged.model.version} {merged.model.accuracy ? ` (${formatPercent(merged.model.accuracy.value, 1)} accurate)` : ''}</span> : null}
        {query.hasNextPage || query.isFetchingNextPage ? (
          <span role="status" data-testid="loading-more">
            Loading {merged.tracks.length.toLocaleString()} of {merged.total.toLocaleString()}…
          </span>
        ) : null}
      </div>
      {query.isError ? <ErrorState error={query.error} onRetry={() => void query.fetchNextPage()} /> : null}
      <TrackTable tracks={merged.tracks} exportName={exportName} />
    </>
  );
}
