// The columns a track list can show. Pure data: the table, the sort/filter functions, the summary
// row and the CSV export all read values through `get`, so what is sorted is what is shown.
import type { FeatureKey, TopGenre, TrackItem } from '@/api/types';
import { FEATURE_KEYS } from '@/api/types';
import { featureMeta, formatDuration, formatFeature, sourceLabel } from '@/lib/features';

export type CellValue = number | string | null;

export interface ColumnDef {
  id: string;
  label: string;
  unit: string;
  numeric: boolean;
  /** Fixed axis for the summary's distribution; data range when absent. */
  domain?: [number, number];
  get: (track: TrackItem) => CellValue;
  format: (value: CellValue) => string;
  width: number; // px, for the grid template
}

const text = (value: CellValue) => (value === null ? '–' : String(value));

/** Why a genre is marked estimated, as a sentence; null for a genre from Spotify's features. */
export function estimatedNote(top: TopGenre): string | null {
  if (top.basis !== 'estimated_features') return null;
  const base = "estimated from this file's audio";
  const a = top.agreement;
  return a ? `${base}: agrees with the Spotify-feature genre ${Math.round(a.top1 * 100)}% of the time (measured on ${a.recordings} recordings)` : base;
}

/** The genre as shown, sorted and exported: "rock", or "rock ≈" when estimated. */
export function genreLabel(top: TopGenre | null): string | null {
  if (!top) return null;
  return estimatedNote(top) === null ? top.genre : `${top.genre} ≈`;
}

function featureColumn(key: FeatureKey): ColumnDef {
  const meta = featureMeta(key);
  const domain: [number, number] | undefined =
    meta.unit === '0–1' ? [0, 1] : key === 'tempo' ? [40, 220] : key === 'loudness' ? [-30, 0] : undefined;
  return {
    id: key,
    label: meta.label,
    unit: meta.unit,
    numeric: true,
    domain,
    get: (t) => {
      const v = t.features?.[key];
      return v === undefined ? null : v;
    },
    format: (v) => formatFeature(key, typeof v === 'number' ? v : null),
    width: Math.max(88, meta.label.length * 9 + 24),
  };
}

export const COLUMNS: ColumnDef[] = [
  { id: 'name', label: 'Title', unit: '', numeric: false, get: (t) => t.name, format: text, width: 240 },
  { id: 'artists', label: 'Artists', unit: '', numeric: false, get: (t) => t.artists.join(', '), format: text, width: 180 },
  { id: 'album', label: 'Album', unit: '', numeric: false, get: (t) => t.album || null, format: text, width: 160 },
  { id: 'release_year', label: 'Year', unit: '', numeric: true, get: (t) => t.release_year, format: text, width: 64 },
  { id: 'popularity', label: 'Popularity', unit: '0–100', numeric: true, domain: [0, 100], get: (t) => t.popularity, format: text, width: 90 },
  { id: 'duration', label: 'Length', unit: 'min', numeric: true, get: (t) => t.duration_ms, format: (v) => (typeof v === 'number' ? formatDuration(v) : '–'), width: 72 },
  { id: 'top_genre', label: 'Genre', unit: '', numeric: false, get: (t) => genreLabel(t.top_genre), format: text, width: 110 },
  {
    id: 'genre_probability',
    label: 'Genre p',
    unit: '0–1',
    numeric: true,
    domain: [0, 1],
    get: (t) => t.top_genre?.probability ?? null,
    format: (v) => (typeof v === 'number' ? v.toFixed(2) : '–'),
    width: 80,
  },
  ...FEATURE_KEYS.filter((k) => k !== 'duration_ms').map(featureColumn),
  { id: 'source', label: 'Source', unit: '', numeric: false, get: (t) => t.feature_source, format: (v) => sourceLabel(v as string | null), width: 120 },
];

export const COLUMN_BY_ID: Record<string, ColumnDef> = Object.fromEntries(COLUMNS.map((c) => [c.id, c]));

export const DEFAULT_COLUMNS = ['name', 'artists', 'top_genre', 'danceability', 'energy', 'valence', 'tempo', 'loudness', 'acousticness', 'source'];

export function columnsFor(ids: string[]): ColumnDef[] {
  return ids.map((id) => COLUMN_BY_ID[id]).filter((c): c is ColumnDef => c !== undefined);
}
