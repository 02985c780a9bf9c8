import { useCallback, useEffect, useMemo, useRef } from 'react';
import { Link } from 'react-router';

import { Card, Cover, Page } from '@/components/ui/page';
import { Empty, ErrorState, Loading } from '@/components/ui/states';

import { useNowPlaying } from '../api/nowplaying';
import { RhythmCanvas, type RhythmData } from '../components/rhythm-canvas';
import { estimatedGrid, positionAt, type PlaybackAnchor } from '../lib/beat-grid';

/**
 * The Spotify track playing now: only its tempo and metre are known, so the grid is an estimate
 * from tempo and progress, re-anchored on every poll. Nothing is played or captured here.
 */
export function RhythmNowRoute() {
  const now = useNowPlaying();
  const anchor = useRef<PlaybackAnchor>({ positionS: 0, atMs: performance.now(), playing: false, durationS: 0 });
  const playing = now.data ?? null;
  // re-sync on every poll: the query hands back a new object each time it answers
  useEffect(() => {
    if (!playing) return;
    anchor.current = {
      positionS: (playing.progress_ms ?? 0) / 1000,
      atMs: performance.now(),
      playing: playing.is_playing,
      durationS: (playing.track.duration_ms ?? 0) / 1000,
    };
  }, [playing, now.dataUpdatedAt]);
  const getTime = useCallback(() => positionAt(anchor.current, performance.now()), []);
  const estimate = playing?.rhythm_estimate ?? null;
  const data: RhythmData | null = useMemo(() => {
    if (!playing || !estimate?.beat_ms) return null;
    const duration = (playing.track.duration_ms ?? 0) / 1000;
    return { ...estimatedGrid(estimate.beat_ms, estimate.time_signature ?? 4, 0, duration), sections: [], duration };
  }, [playing, estimate]);

  let body;
  if (now.isPending) body = <Loading label="Asking Spotify what is playing…" />;
  else if (now.isError) body = <ErrorState error={now.error} onRetry={() => void now.refetch()} />;
  else if (!playing) body = <Empty title="Nothing is playing on Spotify right now.">Start something in any Spotify app; this page checks every 5 seconds.</Empty>;
  else
    body = (
      <Card testId="now-rhythm">
        <div className="now-head">
          <Cover url={playing.track.image_url} alt="" size={72} />
          <div>
            <p className="big">{playing.track.name}</p>
            <p className="muted">{playing.track.artists.join(', ')}</p>
            <p className="small">{playing.is_playing ? 'playing' : 'paused'}</p>
          </div>
          {estimate ? (
            <dl className="facts">
              <div>
                <dt>Tempo</dt>
                <dd className="big">{estimate.tempo ? `${estimate.tempo.toFixed(1)} BPM` : '–'}</dd>
              </div>
              <div>
                <dt>Metre</dt>
                <dd className="big">{estimate.time_signature ? `${estimate.time_signature} beats/bar` : '–'}</dd>
              </div>
            </dl>
          ) : null}
        </div>
        {data && estimate ? (
          <>
            <p className="estimate-label" data-testid="estimate-label" role="note">
              <strong>Estimate.</strong> {estimate.note || `A beat grid from the tempo${estimate.source ? ` (${estimate.source})` : ''} and the playback position, re-synced every 5 s. Real beats may be offset.`}
            </p>
            <RhythmCanvas data={data} getTime={getTime} estimate />
          </>
        ) : (
          <p className="notice">No tempo is known for this track, so there is no beat grid to estimate.</p>
        )}
        <p className="muted small">genrelens never plays or records Spotify audio; it only reads the position Spotify reports.</p>
      </Card>
    );
  return (
    <Page
      title="Rhythm"
      subtitle={
        <>
          The beat of what is playing on Spotify, estimated. For exact beats, <Link to="/upload">upload your own audio</Link>.
        </>
      }
      testId="page-rhythm-now"
    >
      {body}
    </Page>
  );
}
