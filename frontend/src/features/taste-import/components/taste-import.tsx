import { useRef, useState } from 'react';
import { Link } from 'react-router';

import { ApiError } from '@/api/client';
import type { MatchReport, TasteImport as Import } from '@/api/types';
import { Card } from '@/components/ui/page';
import { ErrorState } from '@/components/ui/states';
import { formatPercent, sourceLabel } from '@/lib/features';

import { uploadExport, useLocalTaste, useTasteImport } from '../api/taste-import';
import { SOURCE_HOW, STAGE_LABELS } from './stages';

type Sources = Record<string, MatchReport>;

/**
 * "No Spotify login? Use your data export": a file goes up (with its upload progress), then the
 * import's stages are followed until the taste is there, with how well the plays matched.
 */
export function TasteImportCard({ title = 'No Spotify login? Use your data export' }: { title?: string }) {
  const [sent, setSent] = useState<number | null>(null);
  const [started, setStarted] = useState<Import | null>(null);
  const [failed, setFailed] = useState<ApiError | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const item = useTasteImport(started).data ?? started;
  const local = useLocalTaste();

  async function send(file: File) {
    setFailed(null);
    setStarted(null);
    setSent(0);
    try {
      setStarted(await uploadExport(file, setSent));
    } catch (error) {
      setFailed(error instanceof ApiError ? error : new ApiError(0, 'http', String(error)));
    } finally {
      setSent(null);
    }
  }

  const busy = sent !== null || (item !== null && item.stage !== 'done' && item.stage !== 'failed');
  return (
    <Card title={title} testId="taste-import">
      <p>
        Download your data from Spotify's privacy page (account data or extended streaming history), or your Last.fm scrobbles, or an Exportify playlist CSV, and
        upload it here: the whole .zip, or one of its files. Only your plays and the taste drawn from them are kept; the file is deleted once read.
      </p>
      <label className="inline-field">
        Your export{' '}
        <input
          ref={input}
          type="file"
          accept=".zip,.json,.csv"
          disabled={busy}
          data-testid="taste-import-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void send(file);
          }}
        />
      </label>
      {sent !== null ? <Progress label="Uploading" fraction={sent} testId="taste-import-upload" /> : null}
      {item ? <ImportState item={item} /> : null}
      {failed ? <ErrorState error={failed} /> : null}
      <p className="muted small">
        Or use the audio files you <Link to="/upload">uploaded</Link>:{' '}
        <button type="button" className="button button-small" disabled={local.isPending} onClick={() => local.mutate()} data-testid="taste-local">
          {local.isPending ? 'Drawing…' : 'Taste from my uploaded audio'}
        </button>
      </p>
      {local.isError ? <ErrorState error={local.error} /> : null}
    </Card>
  );
}

function Progress({ label, fraction, detail, testId }: { label: string; fraction: number | null; detail?: string; testId: string }) {
  return (
    <div className="job-progress" data-testid={testId}>
      <div className="job-line">
        <span>{label}</span>
        <span className="muted">{detail ?? (fraction !== null ? formatPercent(fraction) : '…')}</span>
      </div>
      <progress max={100} value={fraction !== null ? Math.round(fraction * 100) : undefined} aria-label={label} />
    </div>
  );
}

function ImportState({ item }: { item: Import }) {
  if (item.stage === 'failed')
    return (
      <p className="state-message" role="alert" data-testid="taste-import-error">
        {item.error || 'The import failed.'}
      </p>
    );
  if (item.stage !== 'done') {
    const fraction = item.total > 0 ? item.done / item.total : null;
    const detail = item.total > 0 ? `${item.done.toLocaleString()} of ${item.total.toLocaleString()} tracks` : undefined;
    return <Progress label={STAGE_LABELS[item.stage]} fraction={fraction} detail={detail} testId="taste-import-stage" />;
  }
  const sources: Sources = item.result?.sources ?? {};
  return (
    <div data-testid="taste-import-done">
      {Object.entries(sources).map(([source, report]) => (
        <MatchSummary key={source} report={report} />
      ))}
    </div>
  );
}

/** How the plays and tracks of one source matched, and where their features came from. */
export function MatchSummary({ report }: { report: MatchReport }) {
  const { plays, tracks } = report;
  return (
    <div className="match-summary" data-testid="match-summary">
      <p>
        {plays.total > 0 ? (
          <>
            <strong>{formatPercent(plays.total ? plays.with_features / plays.total : 0)}</strong> of your {plays.total.toLocaleString()} plays have audio features (
            {(plays.counted ?? 0).toLocaleString()} counted: {report.weighting}).{' '}
          </>
        ) : null}
        {tracks.matched.toLocaleString()} of {tracks.total.toLocaleString()} tracks matched, {tracks.with_features.toLocaleString()} with features.
      </p>
      <ul className="inline-list">
        {Object.entries(tracks.by_how).map(([how, n]) => (
          <li key={how}>
            {SOURCE_HOW[how] ?? how}: {n.toLocaleString()}
          </li>
        ))}
      </ul>
      <ul className="inline-list">
        {Object.entries(tracks.by_source).map(([source, n]) => (
          <li key={source}>
            {source === 'none' ? 'no features' : `features from ${sourceLabel(source)}`}: {n.toLocaleString()}
          </li>
        ))}
      </ul>
    </div>
  );
}
