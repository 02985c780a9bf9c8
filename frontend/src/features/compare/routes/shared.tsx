import { useState } from 'react';
import { useParams } from 'react-router';
import type { Comparison, Difference } from '@/api/types';
import { BarChart } from '@/components/charts/lazy';
import { SERIES } from '@/components/charts/palette';
import { TasteOverlay } from '@/components/taste-overlay';
import { Card, Page } from '@/components/ui/page';
import { ErrorState, Loading, pendingPage } from '@/components/ui/states';
import { useMe } from '@/features/auth/api/me';
import { GenreBasisNote } from '@/features/taste/components/genre-basis-note';
import { featureMeta, formatDate, formatFeature, formatPercent } from '@/lib/features';
import { gridFor } from '@/lib/taste-data';

import { useCompare, useShared } from '../api/share';

/** One of the biggest differences in words: medians for a feature, shares of tracks for a genre. */
function differenceSentence(d: Difference, c: Comparison): string {
  if (d.kind === 'genre') {
    const g = c.genres[d.name];
    return `${d.name}: ${formatPercent(g?.a)} vs ${formatPercent(g?.b)} of tracks`;
  }
  const f = c.features[d.name];
  const label = featureMeta(d.name).label;
  const medians = f && f.a_median !== null && f.b_median !== null ? `median ${formatFeature(d.name, f.a_median)} vs ${formatFeature(d.name, f.b_median)}, ` : '';
  return `${label}: ${medians}${formatPercent(1 - d.difference)} overlap`;
}

export function SharedRoute() {
  const { token = '' } = useParams();
  const me = useMe();
  const shared = useShared(token);
  const canUseMe = me.data?.connected === true;
  const [withWhom, setWithWhom] = useState<'me' | 'public' | null>(null);
  const side = withWhom ?? (canUseMe ? 'me' : 'public');
  const compare = useCompare(token, side, shared.isSuccess);

  const waiting = pendingPage(shared, { title: 'Shared taste', testId: 'page-shared', loadingLabel: 'Opening the link…', retry: false });
  if (waiting || !shared.data) return waiting;
  const s = shared.data;
  return (
    <Page title={`${s.owner_name}'s taste`} subtitle={`Shared ${formatDate(s.created_at)} · link valid until ${formatDate(s.expires_at)} · aggregates only`} testId="page-shared">
      <div className="tabs" role="tablist" aria-label="Compare with">
        <button type="button" role="tab" className="tab" aria-selected={side === 'me'} disabled={!canUseMe} onClick={() => setWithWhom('me')} data-testid="compare-with-me" title={canUseMe ? undefined : 'Log in to compare with your own taste'}>
          Compare with me
        </button>
        <button type="button" role="tab" className="tab" aria-selected={side === 'public'} onClick={() => setWithWhom('public')} data-testid="compare-with-public">
          Compare with the public
        </button>
      </div>
      {compare.isPending ? (
        <Loading label="Comparing…" />
      ) : compare.isError ? (
        <ErrorState error={compare.error} onRetry={() => void compare.refetch()} />
      ) : (
        <>
          <div className="grid-2">
            <Card title="Similarity" testId="similarity">
              <p className="score" data-testid="similarity-score">
                {formatPercent(compare.data.similarity)}
              </p>
              <p className="muted small">
                {compare.data.a.label} vs {compare.data.b.label} · measure: {compare.data.measure}
              </p>
            </Card>
            <Card title="Biggest differences" testId="biggest-differences">
              <ol className="summary-list">
                {compare.data.biggest_differences.map((d, i) => (
                  <li key={i}>{differenceSentence(d, compare.data)}</li>
                ))}
              </ol>
            </Card>
          </div>
          <Card title="Genres">
            {/* whoever follows the link is owed the warning the owner sees: genres estimated from audio */}
            <GenreBasisNote basis={compare.data.a_taste.genre_basis} whose={compare.data.a.label} />
            <GenreBasisNote basis={compare.data.b_taste.genre_basis} whose={compare.data.b.label} />
            <BarChart
              data={Object.entries(compare.data.genres)
                .map(([g, v]) => ({ label: g, values: [v.a ?? 0, v.b ?? 0] }))
                .sort((x, y) => y.values[0] - x.values[0])}
              series={[
                { label: compare.data.a.label, colour: SERIES.you },
                { label: compare.data.b.label, colour: SERIES.them },
              ]}
              unit="share of tracks (%)"
              title="Genre mix of both tastes"
            />
          </Card>
          <Card title="Features overlaid" testId="compare-overlay">
            <TasteOverlay
              grid={(f) => gridFor(compare.data.a_taste.grid, f) ?? gridFor(compare.data.b_taste.grid, f)}
              sides={[
                { label: compare.data.a.label, colour: SERIES.you, get: (f) => compare.data.a_taste.features[f] ?? null },
                { label: compare.data.b.label, colour: SERIES.them, get: (f) => compare.data.b_taste.features[f] ?? null, dashed: true },
              ]}
            />
          </Card>
        </>
      )}
    </Page>
  );
}
