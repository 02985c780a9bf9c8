// What each audio feature means on screen: label, unit and the range its axis spans.
import type { FeatureKey } from '@/api/types';

export interface FeatureMeta {
  key: FeatureKey;
  label: string;
  unit: string; // shown on axes and column headers
  min: number;
  max: number;
  digits: number;
  describe: string;
}

const unit01 = '0–1';

export const FEATURES: Record<FeatureKey, FeatureMeta> = {
  danceability: { key: 'danceability', label: 'Danceability', unit: unit01, min: 0, max: 1, digits: 2, describe: 'how suitable for dancing' },
  energy: { key: 'energy', label: 'Energy', unit: unit01, min: 0, max: 1, digits: 2, describe: 'intensity and activity' },
  key: { key: 'key', label: 'Key', unit: 'pitch class', min: 0, max: 11, digits: 0, describe: 'C=0 … B=11' },
  loudness: { key: 'loudness', label: 'Loudness', unit: 'dB', min: -60, max: 0, digits: 1, describe: 'overall loudness' },
  mode: { key: 'mode', label: 'Mode', unit: 'minor 0 / major 1', min: 0, max: 1, digits: 0, describe: 'major or minor' },
  speechiness: { key: 'speechiness', label: 'Speechiness', unit: unit01, min: 0, max: 1, digits: 2, describe: 'spoken words' },
  acousticness: { key: 'acousticness', label: 'Acousticness', unit: unit01, min: 0, max: 1, digits: 2, describe: 'acoustic rather than electronic' },
  instrumentalness: { key: 'instrumentalness', label: 'Instrumentalness', unit: unit01, min: 0, max: 1, digits: 2, describe: 'no vocals' },
  liveness: { key: 'liveness', label: 'Liveness', unit: unit01, min: 0, max: 1, digits: 2, describe: 'an audience in the recording' },
  valence: { key: 'valence', label: 'Valence', unit: unit01, min: 0, max: 1, digits: 2, describe: 'musical positiveness' },
  tempo: { key: 'tempo', label: 'Tempo', unit: 'BPM', min: 0, max: 250, digits: 0, describe: 'beats per minute' },
  duration_ms: { key: 'duration_ms', label: 'Duration', unit: 'min', min: 0, max: 900000, digits: 0, describe: 'length' },
  time_signature: { key: 'time_signature', label: 'Metre', unit: 'beats/bar', min: 1, max: 7, digits: 0, describe: 'beats per bar' },
};

export function featureMeta(key: string): FeatureMeta {
  return (FEATURES as Record<string, FeatureMeta>)[key] ?? {
    key: key as FeatureKey,
    label: key,
    unit: '',
    min: 0,
    max: 1,
    digits: 2,
    describe: '',
  };
}

const PITCHES = ['C', 'C♯', 'D', 'D♯', 'E', 'F', 'F♯', 'G', 'G♯', 'A', 'A♯', 'B'];

export function formatFeature(key: string, value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (key === 'key') return PITCHES[Math.round(value)] ?? String(value);
  if (key === 'mode') return value >= 0.5 ? 'major' : 'minor';
  if (key === 'duration_ms') return formatDuration(value);
  return value.toFixed(featureMeta(key).digits);
}

export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

export function formatPercent(p: number | null | undefined, digits = 0): string {
  if (p === null || p === undefined || Number.isNaN(p)) return '–';
  return `${(p * 100).toFixed(digits)} %`;
}

/** "dataset:tidytuesday" -> "tidytuesday dataset"; used for the per-row source badge. */
export function sourceLabel(source: string | null | undefined): string {
  if (!source) return 'none';
  if (source.startsWith('dataset:')) return `dataset ${source.slice('dataset:'.length)}`;
  if (source === 'local') return 'your audio';
  return source;
}

export function sourceKind(source: string | null | undefined): 'spotify' | 'reccobeats' | 'dataset' | 'local' | 'none' {
  if (!source) return 'none';
  if (source.startsWith('dataset')) return 'dataset';
  if (source === 'spotify' || source === 'reccobeats' || source === 'local') return source;
  return 'dataset';
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
