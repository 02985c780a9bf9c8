// The API's shapes under the names the app uses. Endpoints on main are aliases of the types
// generated from `/rest/schema` (src/api/schema.d.ts, `npm run gen:api`); never edit those here.
// PROVISIONAL (marked below): taste, share links, compare and taste jobs are not in the schema
// yet; they follow the planned contract of issue 12 until they land, then become aliases too.
import type { components } from './schema';

type S = components['schemas'];
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
export type Features = S['Features'];

export type ErrorCode = string;

export type ErrorBody = S['Error'];

export type TopGenre = S['TopGenre'];

export type TrackItem = S['TrackItem'];

export type Coverage = S['Coverage'];

export type TrackPage = S['TrackPage'];

export type ArtistItem = S['ArtistItem'];

export type AlbumItem = S['AlbumItem'];

export type SearchType = S['TypeEnum'];

export type SearchResult = S['SearchResult'];

export type HealthCheck = S['Check'];
export type Health = S['Health'];

export type SpotifyUser = S['SpotifyUser'];
export type Me = S['Me'];

export type RhythmEstimate = S['RhythmEstimate'];

export type NowPlaying = S['NowPlaying'];

export type Category = S['Category'];

export type PlaylistItem = S['PlaylistItem'];

export interface Section {
  start: number;
  end: number;
  label: string;
}

/** Sections are untyped in the schema: start times in seconds today (see normaliseSections). */
export type Rhythm = S['Rhythm'] & { tempo?: number | null; time_signature?: number | null; confidence?: number | null };

export type FeatureSourceRow = S['SourceRow'];

export type GenrePrediction = S['Genres'];

export type AnalysisDocument = Omit<S['Analysis'], 'rhythm'> & { rhythm: Rhythm | null };
export type AnalysisTrack = S['AnalysisTrack'];

// PROVISIONAL from here on: taste, share links and compare (issue 12's plan).
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

export type UploadJob = S['JobOutput'];

// PROVISIONAL: the taste refresh job (GET /rest/jobs/<id>) is not in the schema yet.
export type JobStatus = S['JobOutputStatusEnum'];
export interface Job {
  id: number | string;
  kind: string;
  status: JobStatus;
  progress: { done: number; total: number } | null;
  /** where to poll it, as the upload jobs already say; /rest/jobs/<id> when absent */
  status_url?: string;
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

export type Capabilities = S['Capabilities'];

export type ModelCard = S['ModelCard'];
export type Accuracy = S['Accuracy'];

export type DatasetItem = S['DatasetItem'];
