import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';

import { ApiError } from '@/api/client';
import type { UploadJob } from '@/api/types';
import { Card, Page } from '@/components/ui/page';
import { useUploadJob } from '@/api/jobs';
import { rememberAudio } from '@/lib/local-audio';

import { uploadAudio } from '../api/upload';

const ACCEPT = '.mp3,.flac,.ogg,.oga,.wav,audio/*';

interface Entry {
  key: string;
  file: File;
  progress: number;
  job: UploadJob | null;
  error: string | null;
}

function UploadRow({ entry }: { entry: Entry }) {
  const job = useUploadJob(entry.job?.id);
  const current = job.data ?? entry.job;
  const trackId = current?.track_id ?? null;
  useEffect(() => {
    if (trackId) void rememberAudio(trackId, entry.file);
  }, [trackId, entry.file]);
  let status: string;
  if (entry.error) status = entry.error;
  else if (!current) status = `uploading ${Math.round(entry.progress * 100)} %`;
  else if (current.status === 'failed') status = current.error ?? 'analysis failed';
  else if (current.status === 'done') status = 'analysed';
  else status = current.status === 'queued' ? 'uploaded, waiting for analysis…' : 'analysing…';
  const failed = Boolean(entry.error) || current?.status === 'failed';
  return (
    <li className={`upload-row${failed ? ' failed' : ''}`} data-testid="upload-row" data-status={failed ? 'failed' : (current?.status ?? 'uploading')}>
      <span className="upload-name">{entry.file.name}</span>
      <span className="muted small">{(entry.file.size / 1e6).toFixed(1)} MB</span>
      <progress max={1} value={current?.status === 'done' ? 1 : entry.progress} aria-label={`Upload of ${entry.file.name}`} />
      <span className={failed ? 'upload-status error' : 'upload-status'} role={failed ? 'alert' : undefined}>
        {status}
      </span>
      {trackId && current?.status === 'done' ? (
        <span className="upload-links">
          <Link to={`/track/${encodeURIComponent(trackId)}`} data-testid="upload-analysis-link">
            Analysis
          </Link>
          <Link to={`/rhythm/${encodeURIComponent(trackId)}`} data-testid="upload-rhythm-link">
            Rhythm view
          </Link>
        </span>
      ) : null}
    </li>
  );
}

export function UploadRoute() {
  const [entries, setEntries] = useState<Entry[]>([]);
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  const update = (key: string, patch: Partial<Entry>) => setEntries((es) => es.map((e) => (e.key === key ? { ...e, ...patch } : e)));

  const add = (files: FileList | File[]) => {
    const fresh = Array.from(files).map((file, i) => ({ key: `${Date.now()}-${i}-${file.name}`, file, progress: 0, job: null, error: null }));
    setEntries((es) => [...fresh, ...es]);
    for (const entry of fresh) {
      uploadAudio(entry.file, (p) => update(entry.key, { progress: p }))
        .then((job) => update(entry.key, { job, progress: 1 }))
        .catch((err: unknown) => update(entry.key, { error: err instanceof ApiError ? err.message : 'Upload failed.' }));
    }
  };

  return (
    <Page title="Upload audio" subtitle="MP3, FLAC, OGG or WAV files of your own: genrelens measures their features, beats and sections." testId="page-upload">
      <Card>
        <div
          className={`dropzone${dragging ? ' dragging' : ''}`}
          data-testid="dropzone"
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            if (e.dataTransfer.files.length) add(e.dataTransfer.files);
          }}
        >
          <p className="big">Drop audio files here</p>
          <p className="muted">or</p>
          <button type="button" className="button button-primary" onClick={() => inputRef.current?.click()}>
            Choose files
          </button>
          <input
            ref={inputRef}
            type="file"
            multiple
            accept={ACCEPT}
            className="sr-only"
            data-testid="upload-input"
            aria-label="Audio files to upload"
            onChange={(e) => {
              if (e.target.files?.length) add(e.target.files);
              e.target.value = '';
            }}
          />
        </div>
        <p className="muted small">Files stay private to genrelens on this server; the page keeps a copy in this tab so the rhythm view can play it.</p>
      </Card>
      {entries.length ? (
        <Card title="Uploads">
          <ul className="upload-list" data-testid="upload-list">
            {entries.map((e) => (
              <UploadRow key={e.key} entry={e} />
            ))}
          </ul>
        </Card>
      ) : null}
    </Page>
  );
}
