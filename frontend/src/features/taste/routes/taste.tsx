import { useState } from 'react';
import { Link } from 'react-router';

import { ApiError } from '@/api/client';
import type { Job } from '@/api/types';
import { BarChart } from '@/components/charts/lazy';
import { SERIES } from '@/components/charts/palette';
import { toBars } from '@/components/charts/transforms';
import { TasteOverlay } from '@/components/taste-overlay';
import { Card, Page } from '@/components/ui/page';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { formatDate, formatPercent, sourceLabel } from '@/lib/features';
import { biggestDifferences, closestGenre, gridFor, publicDistribution, publicGenres, publicShares } from '@/lib/taste-data';

import { useTasteSources } from '@/features/taste-import/api/taste-import';
import { ShareThisTaste } from '@/features/taste-import/components/share-this-taste';
import { SourcePicker, type TasteChoice } from '@/features/taste-import/components/source-picker';
import { MatchSummary, TasteImportCard } from '@/features/taste-import/components/taste-import';

import { useJob, usePublicTaste, useRefreshTaste, useRefreshWhenDone, useTaste } from '../api/taste';
import { GenreBasisNote } from '../components/genre-basis-note';
import { JobProgress } from '../components/job-progress';

function RefreshButton({ onJob, label = 'Refresh my taste' }: { onJob: (job: Job) => void; label?: string }) {
  const refresh = useRefreshTaste();
  return (
    <>
      <button type="button" className="button button-primary" data-testid="taste-refresh" disabled={refresh.isPending} onClick={() => refresh.mutate(undefined, { onSuccess: onJob })}>
        {refresh.isPending ? 'Starting…' : label}
      </button>
      {refresh.isError ? <ErrorState error={refresh.error} /> : null}
    </>
  );
}

export function TasteRoute() {
  const [choice, setChoice] = useState<TasteChoice>({});
  const taste = useTaste(choice);
  const sources = useTasteSources(taste.isSuccess);
  const [started, setStarted] = useState<Job | null>(null);
  const job = useJob(started);
  useRefreshWhenDone(job.data);
  const running = job.data !== undefined && (job.data.status === 'queued' || job.data.status === 'running');
  const dataset = taste.data?.dataset;
  const pub = usePublicTaste(dataset);
  const [genre, setGenre] = useState('all');

  const noTaste = taste.error instanceof ApiError && (taste.error.code === 'no_taste' || (taste.error.status === 404 && taste.error.code === 'not_found'));
  const loggedOut = taste.error instanceof ApiError && taste.error.code === 'not_logged_in';
  const progress = job.data ? <JobProgress job={job.data} label="Reading your liked and top tracks" /> : null;

  let body;
  if (taste.isPending) body = <Loading label="Loading your taste…" />;
  else if (noTaste)
    body = (
      <>
        <Empty title="No taste computed yet.">
          <p>genrelens reads your liked and top tracks, finds their features and compares them with the public's.</p>
          {progress ?? <RefreshButton onJob={setStarted} label="Compute my taste" />}
        </Empty>
        <TasteImportCard />
      </>
    );
  else if (taste.isError)
    body = (
      <>
        <ErrorState error={taste.error} onRetry={() => void taste.refetch()} />
        {loggedOut ? <TasteImportCard /> : null}
      </>
    );
  else {
    const t = taste.data;
    const genres = publicGenres(pub.data);
    const otherLabel = genre === 'all' ? 'the public' : `${genre} tracks`;
    const grid = (f: string) => gridFor(t.grid, f) ?? gridFor(pub.data?.grid, f);
    const theirs = (f: string) => (pub.data ? publicDistribution(pub.data, genre, f) : null);
    const diffs = biggestDifferences(t.features, theirs, grid, otherLabel);
    const closest = closestGenre(t);
    body = (
      <>
        <Card title="In short" testId="taste-summary">
          <ul className="summary-list">
            {closest ? (
              <li>
                Your music sounds closest to <strong>{closest.genre}</strong> ({formatPercent(closest.value)} close).
              </li>
            ) : null}
            {diffs.map((d) => (
              <li key={d.feature}>{d.sentence}</li>
            ))}
            {diffs.length === 0 && !closest ? <li>Not enough features to compare yet.</li> : null}
          </ul>
          <p className="muted small" data-testid="taste-which">
            From your {t.source_label}, {t.weighting_label} · updated {formatDate(t.updated_at)} · compared with the {t.dataset} dataset
          </p>
          {sources.data && sources.data.items.length > 0 ? (
            <SourcePicker sources={sources.data.items} value={{ source: t.source, weighting: t.weighting }} onChange={setChoice} />
          ) : null}
          <ShareThisTaste taste={t} />
        </Card>
        {t.match ? (
          <Card title="How your plays matched" testId="taste-match">
            <MatchSummary report={t.match} />
          </Card>
        ) : null}
        <div className="grid-2">
          <Card title="Coverage" testId="taste-coverage">
            <p className="big">
              {t.coverage.with_features.toLocaleString()} <span className="muted">of {t.coverage.tracks.toLocaleString()} tracks had features</span>
            </p>
            <ul className="inline-list">
              {Object.entries(t.coverage.by_source).map(([s, n]) => (
                <li key={s}>
                  {sourceLabel(s)}: {n.toLocaleString()}
                </li>
              ))}
            </ul>
          </Card>
          <Card title="Genre mix" testId="taste-genre-mix">
            {t.genre_mix ? <GenreBasisNote basis={t.genre_basis} /> : null}
            {t.genre_mix ? (
              <BarChart
                data={toBars([t.genre_mix.mean_probability, publicShares(pub.data)])}
                series={[
                  { label: 'you (mean probability)', colour: SERIES.you },
                  { label: 'public (share of tracks)', colour: SERIES.them },
                ]}
                unit="share of tracks / mean probability (%)"
                title="Your genre mix against the public's genre shares"
              />
            ) : (
              <p className="notice">No genre mix: there is no active model.</p>
            )}
          </Card>
        </div>
        <Card
          title="Your distributions"
          testId="taste-distributions"
          actions={
            <label className="inline-field">
              Compare with{' '}
              <select value={genre} onChange={(e) => setGenre(e.target.value)} data-testid="taste-genre">
                <option value="all">all genres</option>
                {genres.map((g) => (
                  <option key={g} value={g}>
                    {g}
                  </option>
                ))}
              </select>
            </label>
          }
        >
          {pub.isError ? <ErrorState error={pub.error} /> : null}
          <TasteOverlay
            grid={grid}
            sides={[
              { label: 'you', colour: SERIES.you, get: (f) => t.features[f] ?? null },
              { label: genre === 'all' ? 'public' : genre, colour: SERIES.them, get: theirs, dashed: true },
            ]}
          />
        </Card>
        <TasteImportCard title="Add listening data: a Spotify data export, Last.fm or Exportify" />
      </>
    );
  }

  return (
    <Page
      title="Your taste"
      subtitle={
        <>
          Your music's features against the public's, genre by genre. Share it from <Link to="/compare">Compare</Link>.
        </>
      }
      testId="page-taste"
      actions={taste.isSuccess && !running && !sources.data?.guest ? <RefreshButton onJob={setStarted} /> : null}
    >
      {taste.isSuccess ? progress : null}
      {body}
    </Page>
  );
}
