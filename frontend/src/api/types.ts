// The API's shapes under the names the app uses. Endpoints on main are aliases of the types
// generated from `/rest/schema` (src/api/schema.d.ts, `npm run gen:api`); never edit those here.
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

export type Categories = S['Categories'];

export type PlaylistItem = S['PlaylistItem'];
export type Playlists = S['Playlists'];

export type Rhythm = S['Rhythm'];

export type FeatureSourceRow = S['SourceRow'];

export type GenrePrediction = S['Genres'];
export type Fidelity = S['Fidelity'];

export type AnalysisDocument = S['Analysis'];
export type AnalysisTrack = S['AnalysisTrack'];

// Taste, share links and compare.
export type Grid = S['GridSpec'];
export type Distribution = S['FeatureBlock'];
export type PublicTaste = S['PublicTaste'];
/** A user's own taste (with when it was refreshed), or a snapshot of it behind a share link. */
export type Taste = S['UserTaste'] | S['Snapshot'];
export type UserTaste = S['UserTaste'];
export type TasteSnapshot = S['Snapshot'];

export type UploadJob = S['JobOutput'];
export type Job = S['Job'];

export type ShareLink = S['ShareLink'];
export type ShareLinks = S['ShareLinks'];
export type SharedTaste = S['Shared'];
export type Comparison = S['Comparison'];
export type Difference = S['Difference'];

export type Capabilities = S['Capabilities'];

export type ModelCard = S['ModelCard'];
export type Accuracy = S['Accuracy'];

export type DatasetItem = S['DatasetItem'];
export type Datasets = S['Datasets'];

// Tastes from listening data (a Spotify data export, Last.fm, Exportify).
export type TasteSource = S['TasteSource'];
export type TasteSources = S['TasteSources'];
export type TasteImport = S['TasteImport'];
export type MatchReport = S['MatchReport'];
