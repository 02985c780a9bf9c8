import { useSearchParams } from 'react-router';

import { Page } from '@/components/ui/page';

import { TrackListView } from '../components/track-list-view';

const RANGES = [
  { id: 'short_term', label: 'Last 4 weeks' },
  { id: 'medium_term', label: 'Last 6 months' },
  { id: 'long_term', label: 'All time' },
] as const;

export function TopTracksRoute() {
  const [params, setParams] = useSearchParams();
  const range = RANGES.find((r) => r.id === params.get('range'))?.id ?? 'medium_term';
  return (
    <Page title="Top tracks" subtitle="What you played most, with what it sounds like." testId="page-top">
      <div className="tabs" role="tablist" aria-label="Time range">
        {RANGES.map((r) => (
          <button key={r.id} type="button" role="tab" aria-selected={r.id === range} className="tab" data-testid={`range-${r.id}`} onClick={() => setParams({ range: r.id })}>
            {r.label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        <TrackListView endpoint="toptracks" params={{ time_range: range }} exportName={`top-tracks-${range}`} emptyText="No top tracks for this period yet." />
      </div>
    </Page>
  );
}
