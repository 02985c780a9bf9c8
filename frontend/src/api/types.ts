// The API's shapes under the names the app uses.
// PROVISIONAL: written from docs/api-contract (issue 12) while the lead's endpoints are not yet on
// main; once `/rest/schema` carries them this file becomes aliases of the generated
// `components['schemas'][...]` in ./schema.d.ts and nothing else in the app changes.

export const FEATURE_KEYS = [
  'danceability',
  'energy',
  'key',
  'loudness',
  'mode',
  'speechiness',
  'acousticness',
  'instrumentalness',
  'liveness',
  'valence',
  'tempo',
  'duration_ms',
  'time_signature',
] as const;
export type FeatureKey = (typeof FEATURE_KEYS)[number];
export type Features = Record<FeatureKey, number | null>;

export type ErrorCode =
  | 'restricted'
  | 'rate_limited'
  | 'reauth'
  | 'not_logged_in'
  | 'upstream'
  | 'invalid'
  | 'not_found'
  | 'throttled'
  | 'no_taste'
  | string;

export interface ErrorBody {
  error: {
    status: number;
    code: ErrorCode;
    message: string;
    details: Record<string, unknown> | null;
  };
}

export interface TopGenre {
  genre: string;
  probability: number;
}

export interface TrackItem {
  id: string;
  uri: string | null;
  name: string;
  artists: string[];
  album: string;
  album_id: string | null;
  image_url: string | null;
  duration_ms: number;
  release_year: number | null;
  popularity: number | null;
  is_local: boolean;
  features: Features | null;
  feature_source: string | null;
  features_note: string | null;
  top_genre: TopGenre | null;
}

export interface Coverage {
  tracks: number;
  with_features: number;
  by_source: Record<string, number>;
}

export interface TrackPage {
  items: TrackItem[];
  total: number;
  offset: number;
  limit: number;
  next_offset: number | null;
  coverage: Coverage;
  model: { version: string; accuracy: number } | null;
}

export interface ArtistItem {
  id: string;
  name: string;
  image_url: string | null;
  genres: string[];
}

export interface AlbumItem {
  id: string;
  name: string;
  artists: string[];
  release_year: number | null;
  image_url: string | null;
  total_tracks: number | null;
}

export type SearchType = 'track' | 'artist' | 'album';

export interface SearchResult {
  type: SearchType;
  source: 'spotify' | 'catalog';
  query: string;
  items: TrackItem[] | ArtistItem[] | AlbumItem[];
  offset: number;
  limit: number;
  next_offset: number | null;
}

export interface HealthCheck {
  ok: boolean;
  detail: string;
}
export interface Health {
  status: 'ok' | 'degraded';
  checks: Record<string, HealthCheck>;
}

export interface SpotifyUser {
  spotify_id: string;
  display_name: string | null;
  image_url: string | null;
  country: string | null;
  product: string | null;
}
export type Me = { connected: false; login_url: string } | { connected: true; user: SpotifyUser };

export interface RhythmEstimate {
  tempo: number;
  time_signature: number;
  beat_ms: number;
  source: string;
  note: string;
}

export interface NowPlaying {
  is_playing: boolean;
  progress_ms: number;
  timestamp: number;
  track: TrackItem;
  rhythm_estimate: RhythmEstimate | null;
}

export interface Category {
  id: string;
  name: string;
  icon_url: string | null;
}

export interface PlaylistItem {
  id: string;
  name: string;
  owner: string;
  image_url: string | null;
  tracks_total: number | null;
  is_mine: boolean;
}

export interface Section {
  start: number;
  end: number;
  label: string;
}

export interface Rhythm {
  beats: number[];
  downbeats: number[];
  sections: Section[];
  tempo: number | null;
  time_signature: number | null;
  confidence?: number | null;
}

export interface FeatureSourceRow {
  source: string;
  source_version: string | null;
  fetched_at: string | null;
  features: Partial<Features>;
  how: string;
}

export interface GenrePrediction {
  model: string;
  label: string;
  probabilities: Record<string, number>;
  accuracy: { value: number; protocol: string };
  baselines: Record<string, number>;
  dataset: { name: string; licence_note: string };
  note: string | null;
}

export interface AnalysisDocument {
  track: TrackItem;
  features: Partial<Features> | null;
  feature_source: string | null;
  reason: string | null;
  sources: FeatureSourceRow[];
  genres: GenrePrediction | null;
  percentiles: Record<string, Record<string, number>> | null;
  rhythm: Rhythm | null;
  stored: { key: string; model_version: string | null; sources: string[]; created_at: string };
}

export interface Grid {
  min: number;
  max: number;
  points: number;
}

export interface Distribution {
  density: number[];
  percentiles?: number[];
  median: number | null;
  mean: number | null;
  count?: number;
}

export interface PublicTaste {
  dataset: string;
  grid: Record<string, Grid>;
  genres: Record<string, { share: number; count?: number; features: Record<string, Distribution> }>;
  all?: { features: Record<string, Distribution> };
}

export interface Taste {
  features: Record<string, Distribution>;
  grid: Record<string, Grid>;
  genre_mix: { mean_probability: Record<string, number>; top1_share: Record<string, number> } | null;
  closeness: Record<string, number>;
  coverage: Coverage;
  updated_at: string;
  dataset: string;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';
export interface Job {
  id: number | string;
  kind: string;
  status: JobStatus;
  progress: { done: number; total: number } | null;
  error: string | null;
  result: Record<string, unknown> | null;
  created_at: string;
  finished_at: string | null;
}

export interface ShareLink {
  token: string;
  url: string;
  created_at: string;
  expires_at: string;
}

export interface SharedTaste {
  token: string;
  created_at: string;
  expires_at: string;
  owner_name: string;
  taste: Taste;
}

export interface Comparison {
  similarity: number;
  measure: string;
  a: { label: string };
  b: { label: string };
  features: Record<string, { a_median: number | null; b_median: number | null; difference: number; overlap: number }>;
  genres: Record<string, { a: number; b: number; difference: number }>;
  biggest_differences: { kind?: string; name?: string; feature?: string; genre?: string; difference: number; sentence?: string }[];
  a_taste: Taste;
  b_taste: Taste;
}

export interface Capabilities {
  logged_in: boolean;
  spotify: {
    profile_hint: string | null;
    flags: Record<string, boolean | null>;
    search_limit: number | null;
    off: { what: string; why: string }[];
  };
  providers: { name: string; enabled: boolean; reason: string | null }[];
}

export interface ModelCard {
  version: string;
  created_at: string;
  dataset: { name: string; sha256: string; licence_note: string };
  accuracy: { value: number; protocol: string } & Record<string, unknown>;
  baselines: Record<string, number>;
  classes: string[];
  confusion_matrix: { labels: string[]; matrix: number[][] };
  per_class: Record<string, Record<string, number>>;
  licence_note: string;
}

export interface DatasetItem {
  name: string;
  source: string;
  format: string;
  licence: string | null;
  row_count: number;
  imported_at: string;
  synthetic: boolean;
}
