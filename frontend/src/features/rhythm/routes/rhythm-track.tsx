import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';

import { Confidence } from '@/components/ui/confidence';
import { Card, Page } from '@/components/ui/page';
import { Empty, pendingPage } from '@/components/ui/states';
import { useAnalysis } from '@/features/analysis/api/analysis';
import { audioFor, audioInTab, forgetAudio, rememberAudio } from '@/lib/local-audio';

import { RhythmCanvas, type RhythmData } from '../components/rhythm-canvas';
import { sectionsFromStarts, tempoFromBeats } from '../lib/beat-grid';

/** Your uploaded audio played in the page, its analysed beats drawn in time with playback. */
export function RhythmTrackRoute() {
  const { trackId = '' } = useParams();
  const analysis = useAnalysis(trackId);
  const audioRef = useRef<HTMLAudioElement>(null);
  const [file, setFile] = useState<File | undefined>(() => audioInTab(trackId));
  // After a reload the file comes back from the browser's storage; until that answers, no picker.
  const [looking, setLooking] = useState(() => !audioInTab(trackId));
  useEffect(() => {
    let live = true;
    const here = audioInTab(trackId); // another track's page may have been showing until now
    setFile(here);
    setLooking(!here);
    void audioFor(trackId).then((found) => {
      if (!live) return;
      setFile(found);
      setLooking(false);
    });
    return () => {
      live = false;
    };
  }, [trackId]);
  const url = useMemo(() => (file ? URL.createObjectURL(file) : null), [file]);
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);
  const getTime = useCallback(() => audioRef.current?.currentTime ?? 0, []);

  const waiting = pendingPage(analysis, { title: 'Rhythm', testId: 'page-rhythm', loadingLabel: 'Loading the analysis…' });
  if (waiting || !analysis.data) return waiting;
  const doc = analysis.data;
  const rhythm = doc.rhythm;
  if (!rhythm || rhythm.beats.length === 0)
    return (
      <Page title={`Rhythm · ${doc.track.name}`} testId="page-rhythm">
        <Empty title="No beats for this track.">
          <p>Beats, downbeats and sections exist only for audio you uploaded and genrelens analysed. For a Spotify track, the rhythm view shows an estimate from the track now playing.</p>
          <Link to="/rhythm">Now-playing estimate</Link>
        </Empty>
      </Page>
    );
  const duration = (doc.track.duration_ms || 0) / 1000 || rhythm.beats.at(-1) || 0;
  const sections = sectionsFromStarts(rhythm.sections, duration);
  const data: RhythmData = { beats: rhythm.beats, downbeats: rhythm.downbeats, sections, duration };
  const tempo = doc.features?.tempo ?? tempoFromBeats(rhythm.beats);
  const metre = doc.features?.time_signature ?? null;
  const sure = rhythm.confidence;
  return (
    <Page title={`Rhythm · ${doc.track.name}`} subtitle="Your own audio, played here, with the beats genrelens found." testId="page-rhythm">
      <Card>
        <dl className="facts">
          <div>
            <dt>Tempo</dt>
            <dd className="big">{tempo ? `${tempo.toFixed(1)} BPM` : '–'}</dd>
            <Confidence value={sure.tempo} />
          </div>
          <div>
            <dt>Metre</dt>
            <dd className="big">{metre ? `${metre} beats per bar` : '–'}</dd>
            <Confidence value={sure.time_signature} />
          </div>
          <div>
            <dt>Beats</dt>
            <dd className="big">{rhythm.beats.length}</dd>
            <Confidence value={sure.beats} />
          </div>
          <div>
            <dt>Sections</dt>
            <dd className="big">{sections.length}</dd>
          </div>
        </dl>
        {url ? (
          <div className="player-row">
            <audio ref={audioRef} src={url} controls className="player" data-testid="rhythm-audio" preload="auto" />
            <button
              type="button"
              className="button button-small"
              data-testid="rhythm-forget"
              onClick={() => void forgetAudio(trackId).then(() => setFile(undefined))}
            >
              Forget this audio in this browser
            </button>
          </div>
        ) : looking ? (
          <p className="muted" role="status">
            Looking for the audio in this browser…
          </p>
        ) : (
          <div className="notice">
            <p>The audio stays on your computer and genrelens deleted its copy after the analysis; choose the same file to play it here (it is not uploaded again).</p>
            <label className="button">
              Choose the audio file
              <input
                type="file"
                accept="audio/*"
                className="sr-only"
                data-testid="rhythm-file"
                onChange={(e) => {
                  const f = e.target.files?.[0];
                  if (f) {
                    void rememberAudio(trackId, f);
                    setFile(f);
                  }
                }}
              />
            </label>
          </div>
        )}
        <RhythmCanvas
          data={data}
          getTime={getTime}
          onSeek={(t) => {
            if (audioRef.current) audioRef.current.currentTime = t;
          }}
        />
      </Card>
      <p>
        <Link to={`/track/${encodeURIComponent(trackId)}`}>Full analysis of this track →</Link>
      </p>
    </Page>
  );
}
