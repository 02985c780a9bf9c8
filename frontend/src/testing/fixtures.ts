// Response bodies typed from the API's types, shaped like the backend's answers.
import type {
  AnalysisDocument,
  Capabilities,
  Comparison,
  DatasetItem,
  Distribution,
  Features,
  Grid,
  Health,
  Job,
  Me,
  ModelCard,
  NowPlaying,
  PlaylistItem,
  PublicTaste,
  SearchResult,
  SharedTaste,
  ShareLink,
  TasteSnapshot,
  UserTaste,
  TopGenre,
  TrackItem,
  TrackPage,
  MatchReport,
  TasteImport,
} from '@/api/types';

export const GENRES = ['edm', 'latin', 'pop', 'r&b', 'rap', 'rock'];

/** Deterministic pseudo-random numbers so every run sees the same tracks. */
export function rng(seed = 1) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function makeFeatures(r: () => number): Features {
  return {
    danceability: r(),
    energy: r(),
    key: Math.floor(r() * 12),
    loudness: -30 + r() * 28,
    mode: r() > 0.5 ? 1 : 0,
    speechiness: r() * 0.5,
    acousticness: r(),
    instrumentalness: r() * r(),
    liveness: r() * 0.6,
    valence: r(),
    tempo: 70 + r() * 110,
    duration_ms: 120000 + Math.floor(r() * 200000),
    time_signature: 4,
  };
}

/** A top genre as the API gives it: from Spotify's features, or estimated from the file's audio. */
export function topGenre(genre: string, probability: number, estimated = false): TopGenre {
  return estimated
    ? { genre, probability, basis: 'estimated_features', model: 'genre-test-local', agreement: { top1: 0.62, top2: 0.79, recordings: 111 } }
    : { genre, probability, basis: 'spotify_features', model: 'genre-test', agreement: null };
}

export function makeTrack(i: number, r: () => number = rng(i + 1)): TrackItem {
  const noFeatures = i % 17 === 16;
  const sources = ['spotify', 'reccobeats', 'dataset:tidytuesday', 'local'];
  const features = noFeatures ? null : makeFeatures(r);
  return {
    id: `track${String(i).padStart(5, '0')}`,
    uri: `spotify:track:track${i}`,
    name: `Song ${i}`,
    artists: [`Artist ${i % 40}`],
    album: `Album ${i % 90}`,
    album_id: `album${i % 90}`,
    image_url: null,
    duration_ms: features?.duration_ms ?? 200000,
    release_year: 1970 + (i % 54),
    popularity: Math.floor(r() * 100),
    is_local: false,
    features,
    feature_source: noFeatures ? null : sources[i % sources.length],
    features_note: noFeatures ? 'No provider has features for this track.' : null,
    top_genre: noFeatures ? null : topGenre(GENRES[i % GENRES.length], 0.3 + r() * 0.6, sources[i % sources.length] === 'local'),
  };
}

export function makeTracks(n: number): TrackItem[] {
  const r = rng(42);
  return Array.from({ length: n }, (_, i) => makeTrack(i, r));
}

export function trackPage(items: TrackItem[], { offset = 0, total = items.length, next = null as number | null } = {}): TrackPage {
  const withFeatures = items.filter((t) => t.features).length;
  const bySource: Record<string, number> = {};
  for (const t of items) if (t.feature_source) bySource[t.feature_source] = (bySource[t.feature_source] ?? 0) + 1;
  return {
    items,
    total,
    offset,
    limit: items.length,
    next_offset: next,
    coverage: { tracks: items.length, with_features: withFeatures, by_source: bySource },
    model: { version: 'm-2026-11-30', accuracy: { value: 0.531, protocol: '5-fold CV grouped by artist', random_split_value: 0.58 } },
  };
}

export const meOut: Me = { connected: false, login_url: '/rest/auth/login?next=/', user: null };
export const meIn: Me = {
  connected: true,
  login_url: null,
  user: { spotify_id: 'alice', display_name: 'Alice', country: 'SE', product: 'premium' },
};

export const nowPlaying: NowPlaying = {
  is_playing: true,
  progress_ms: 30000,
  timestamp: 1764660000000,
  track: makeTrack(3),
  rhythm_estimate: { tempo: 120, time_signature: 4, beat_ms: 500, source: 'reccobeats', note: 'Estimated from the tempo and the playback position.' },
};

export const GRID: Record<string, Grid> = {
  danceability: { min: 0, max: 1, points: 256, unit: '0-1' },
  energy: { min: 0, max: 1, points: 256, unit: '0-1' },
  valence: { min: 0, max: 1, points: 256, unit: '0-1' },
  acousticness: { min: 0, max: 1, points: 256, unit: '0-1' },
  instrumentalness: { min: 0, max: 1, points: 256, unit: '0-1' },
  speechiness: { min: 0, max: 1, points: 256, unit: '0-1' },
  liveness: { min: 0, max: 1, points: 256, unit: '0-1' },
  tempo: { min: 40, max: 220, points: 256, unit: 'BPM' },
  loudness: { min: -40, max: 0, points: 256, unit: 'dB' },
};

function bump(grid: Grid, centre: number, width: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < grid.points; i++) {
    const x = grid.min + ((grid.max - grid.min) * i) / (grid.points - 1);
    out.push(Math.exp(-(((x - centre) / width) ** 2) / 2));
  }
  const area = out.reduce((a, b) => a + b, 0) * ((grid.max - grid.min) / (grid.points - 1));
  return out.map((v) => v / area);
}

export function distributions(shift: number): Record<string, Distribution> {
  const out: Record<string, Distribution> = {};
  for (const [f, g] of Object.entries(GRID)) {
    const centre = g.min + (g.max - g.min) * Math.min(0.9, Math.max(0.1, 0.5 + shift));
    out[f] = { density: bump(g, centre, (g.max - g.min) / 8), percentiles: null, median: centre, mean: centre, count: 400, bandwidth: (g.max - g.min) / 8 };
  }
  return out;
}

export const taste: UserTaste = {
  version: 1,
  features: distributions(0.15),
  grid: GRID,
  genre_mix: { mean_probability: { edm: 0.1, latin: 0.05, pop: 0.35, 'r&b': 0.1, rap: 0.1, rock: 0.3 }, top1_share: { pop: 0.4, rock: 0.35, edm: 0.1, rap: 0.1, latin: 0.05, 'r&b': 0 } },
  closeness: { pop: 0.81, rock: 0.77, edm: 0.4, rap: 0.35, latin: 0.3, 'r&b': 0.5 },
  closeness_measure: 'overlap of the feature densities, averaged over the features',
  coverage: { tracks: 812, with_features: 790, without_features: 22, by_source: { reccobeats: 700, 'dataset:tidytuesday': 90 } },
  track_count: 812,
  updated_at: '2026-12-01T10:00:00Z',
  dataset: 'tidytuesday',
  source: 'spotify',
  source_label: 'Spotify library (liked and top tracks)',
  weighting: 'tracks',
  weighting_label: 'each track once',
  match: null,
};

/** The taste as a share link carries it: aggregates only, no refresh time nor which source it is. */
export function snapshotOf(t: UserTaste): TasteSnapshot {
  const { updated_at: _updated, source: _s, source_label: _sl, weighting: _w, weighting_label: _wl, match: _m, ...rest } = t;
  return { ...rest, kind: 'snapshot' };
}

export const matchReport: MatchReport = {
  weighting: 'counted plays: streams of 30 s or more, every Last.fm scrobble',
  plays: { total: 2000, counted: 1500, matched: 1900, with_features: 1700, by_how: { uri: 1800, name: 100, unmatched: 100 }, by_source: { reccobeats: 1600, 'dataset:tidytuesday': 100, none: 300 } },
  tracks: { total: 300, matched: 280, with_features: 250, by_how: { uri: 260, name: 20, unmatched: 20 }, by_source: { reccobeats: 230, 'dataset:tidytuesday': 20, none: 50 } },
};

/** A guest's taste from their Spotify data export, weighted by plays. */
export const exportTaste: UserTaste = {
  ...taste,
  source: 'spotify_export',
  source_label: 'Spotify data export',
  weighting: 'plays',
  weighting_label: 'weighted by counted plays (streams of 30 s or more, every scrobble)',
  match: matchReport,
};

export function tasteImport(stage: TasteImport['stage'], extra: Partial<TasteImport> = {}): TasteImport {
  return {
    id: '7d4f6a1e-1c2b-4e5f-9a8b-0c1d2e3f4a5b',
    stage,
    done: stage === 'features' ? 1200 : 0,
    total: stage === 'features' ? 4000 : 0,
    error: stage === 'failed' ? 'Streaming_History_Audio_2019_0.json, entry 7: ts is not a date and time' : '',
    result:
      stage === 'done'
        ? { files: { 'Streaming_History_Audio_2019_0.json': { format: 'extended_history', rows: 2000, skipped: { 'podcast episode': 4 } } }, ignored: [], skipped: { 'podcast episode': 4 }, plays_read: 2000, plays_new: 2000, sources: { spotify_export: matchReport } }
        : null,
    created_at: '2026-12-02T12:00:00Z',
    status_url: '/rest/taste/imports/7d4f6a1e-1c2b-4e5f-9a8b-0c1d2e3f4a5b',
    ...extra,
  };
}

export const publicTaste: PublicTaste = {
  version: 1,
  dataset: 'tidytuesday',
  features: Object.keys(GRID),
  grid: GRID,
  genres: Object.fromEntries(GENRES.map((g, i) => [g, { share: 1 / GENRES.length, count: 5000, features: distributions(-0.2 + i * 0.06) }])),
  all: { share: 1, count: 5000 * GENRES.length, features: distributions(0) },
};

export const analysis: AnalysisDocument = {
  track: makeTrack(5),
  features: makeTrack(5).features,
  feature_source: 'reccobeats',
  reason: null,
  sources: [
    { source: 'reccobeats', source_version: 'v1', fetched_at: '2026-12-01T09:00:00Z', features: makeTrack(5).features!, how: { energy: 'estimated', tempo: 'measured' } },
    { source: 'dataset:tidytuesday', source_version: 'sha 1a2b', fetched_at: '2026-11-01T09:00:00Z', features: { ...makeTrack(6).features!, energy: 0.5, tempo: 118 }, how: { energy: 'measured' } },
  ],
  genres: {
    model: 'm-2026-11-30',
    label: 'genre',
    probabilities: { rock: 0.46, pop: 0.22, edm: 0.12, rap: 0.08, latin: 0.07, 'r&b': 0.05 },
    accuracy: { value: 0.531, protocol: '5-fold CV grouped by artist', random_split_value: 0.58 },
    baselines: { majority: 0.18, random: 0.17 },
    dataset: { name: 'tidytuesday', licence_note: 'Features derived from Spotify’s API; for development and testing.' },
    note: '',
    local_agreement: null,
  },
  percentiles: {
    energy: { all: 63, rock: 40, pop: 70 },
    tempo: { all: 52, rock: 48, pop: 55 },
  },
  rhythm: null,
  fidelity: null,
  stored: { sources_key: 'abcdef0123456789', model_version: 'm-2026-11-30' },
};

export const uploadedAnalysis: AnalysisDocument = {
  ...analysis,
  track: { ...makeTrack(7), id: 'local:42', name: 'My demo.wav', is_local: true, duration_ms: 20000 },
  features: { ...analysis.features!, tempo: 120, time_signature: 4 },
  feature_source: 'local',
  genres: { ...analysis.genres!, local_agreement: { top1: 0.59, top2: 0.77, recordings: 81 } },
  fidelity: {
    energy: { r: 0.8, mae: 0.112, mae_mean_predictor: 0.21, n: 104, protocol: '5-fold CV grouped by artist' },
    tempo: { r: null, mae: null, mae_mean_predictor: null, n: 0, protocol: '' },
  },
  rhythm: {
    beats: Array.from({ length: 40 }, (_, i) => i * 0.5),
    downbeats: Array.from({ length: 10 }, (_, i) => i * 2),
    sections: [0, 8],
    confidence: { tempo: 0.82, beats: 0.74, time_signature: 0.55, key: 0.31 },
  },
};

export const modelCard: ModelCard = {
  version: 'm-2026-11-30',
  created_at: '2026-11-30T12:00:00Z',
  label: 'playlist_genre',
  candidate: 'ensemble',
  features: ['danceability', 'energy', 'tempo'],
  macro_f1: 0.52,
  log_loss: 1.21,
  dataset: { name: 'tidytuesday', sha256: '0123456789abcdef0123456789abcdef', rows_used: 28000, source: 'TidyTuesday 2020-01-21', licence: 'CC0' },
  accuracy: { value: 0.531, protocol: '5-fold cross-validation grouped by artist', random_split_value: 0.58 },
  baselines: { majority: 0.18, random: 0.17, majority_class: 'edm' },
  classes: GENRES,
  confusion_matrix: { labels: GENRES, matrix: GENRES.map((_, i) => GENRES.map((__, j) => (i === j ? 50 : 10))) },
  per_class: Object.fromEntries(GENRES.map((g) => [g, { precision: 0.5, recall: 0.55, support: 1000 }])),
  licence_note: 'Features derived from Spotify’s API; fine for development and testing.',
};

export const datasets: { items: DatasetItem[] } = {
  items: [{ name: 'tidytuesday', source: 'TidyTuesday 2020-01-21', format: 'tidytuesday', licence: 'CC0', row_count: 32833, imported_at: '2026-11-30T10:00:00Z', synthetic: false }],
};

export const capabilities: Capabilities = {
  logged_in: false,
  spotify: {
    configured: true,
    flags: { audio_features: false, categories: false, search: true },
    search_limit: 10,
    off: [{ what: 'audio features', why: 'Spotify stopped serving audio features to new apps in November 2024.' }],
  },
  providers: [
    { name: 'spotify', enabled: false, reason: 'refused for this app' },
    { name: 'reccobeats', enabled: true, reason: '' },
    { name: 'dataset', enabled: true, reason: '' },
  ],
};

export const health: Health = { status: 'ok', checks: { database: { ok: true, detail: 'sqlite answers' }, model: { ok: true, detail: 'm-2026-11-30 active' } } };

export const playlists: { items: PlaylistItem[] } = {
  items: [
    { id: 'pl1', name: 'Morning Rock', owner: 'spotify', image_url: null, tracks_total: 50, is_mine: false },
    { id: 'pl2', name: 'Focus', owner: 'spotify', image_url: null, tracks_total: 80, is_mine: false },
  ],
};

export const searchTracks: SearchResult = { type: 'track', source: 'catalog', query: 'song', tracks: makeTracks(8), artists: [], albums: [], note: null, offset: 0, limit: 10, next_offset: null };

export const shareLink: ShareLink = { token: 'tok_abc123', url: '/shared/tok_abc123', created_at: '2026-12-01T10:00:00Z', expires_at: '2026-12-31T10:00:00Z', owner_name: 'Bob', revoked: false };

export const shared: SharedTaste = { token: 'tok_abc123', created_at: '2026-12-01T10:00:00Z', expires_at: '2026-12-31T10:00:00Z', owner_name: 'Bob', revoked: false, taste: snapshotOf(taste) };

export const comparison: Comparison = {
  similarity: 0.74,
  measure: 'mean per-feature density overlap',
  a: { label: 'Bob' },
  b: { label: 'the public' },
  features: { energy: { a_median: 0.7, b_median: 0.5, difference: 0.2, overlap: 0.6 } },
  genres: { rock: { a: 0.3, b: 0.16, difference: 0.14 }, pop: { a: 0.35, b: 0.16, difference: 0.19 } },
  biggest_differences: [
    { kind: 'feature', name: 'energy', difference: 0.4 },
    { kind: 'genre', name: 'pop', difference: 0.19 },
  ],
  a_taste: snapshotOf(taste),
  b_taste: { ...snapshotOf(taste), kind: 'public', features: distributions(-0.1) },
};

export const job = (status: Job['status'], extra: Partial<Job> = {}): Job => ({
  id: '7d0c5a52-64c1-4a1e-9a8e-0b4d3c2a1f00',
  kind: 'refresh_taste',
  status,
  progress: status === 'running' ? { done: 3, total: 10 } : null,
  error: status === 'failed' ? 'Spotify refused the request.' : '',
  result: null,
  created_at: '2026-12-01T10:00:00Z',
  finished_at: null,
  status_url: '/rest/jobs/7d0c5a52-64c1-4a1e-9a8e-0b4d3c2a1f00',
  ...extra,
});
