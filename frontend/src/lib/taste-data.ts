// Reading the taste documents for the charts: grids, per-genre distributions, and the short
// plain-words summary of how one taste differs from another.
import type { Distribution, Grid, PublicTaste, Taste } from '@/api/types';
import { featureMeta, formatFeature } from '@/lib/features';

/** The features worth a chart: continuous ones, in a fixed order. */
export const CHART_FEATURES = ['danceability', 'energy', 'valence', 'acousticness', 'instrumentalness', 'speechiness', 'liveness', 'tempo', 'loudness'] as const;

/** A document's grid for one feature. */
export function gridFor(grid: Record<string, Grid> | undefined, feature: string): Grid | null {
  return grid?.[feature] ?? null;
}

export function publicGenres(pub: PublicTaste | undefined): string[] {
  return pub ? Object.keys(pub.genres).sort() : [];
}

/** The public distribution of a feature for a genre, or over every genre for "all". */
export function publicDistribution(pub: PublicTaste, genre: string, feature: string): Distribution | null {
  const entry = genre === 'all' ? pub.all : pub.genres[genre];
  return entry?.features[feature] ?? null;
}

export interface Difference {
  feature: string;
  mine: number;
  theirs: number;
  /** difference of medians (mean when no median) as a share of the feature's axis */
  relative: number;
  sentence: string;
}

function centre(d: Distribution | null | undefined): number | null {
  if (!d) return null;
  return d.median ?? d.mean ?? null;
}

/** The largest differences of centre between two tastes, largest first, as sentences. */
export function biggestDifferences(mine: Record<string, Distribution>, theirs: (feature: string) => Distribution | null, grids: (feature: string) => Grid | null, otherLabel: string, limit = 3): Difference[] {
  const out: Difference[] = [];
  for (const feature of CHART_FEATURES) {
    const a = centre(mine[feature]);
    const b = centre(theirs(feature));
    const g = grids(feature);
    if (a === null || b === null || !g) continue;
    const span = g.max - g.min || 1;
    const relative = (a - b) / span;
    const label = featureMeta(feature).label.toLowerCase();
    const unit = featureMeta(feature).unit;
    const more = relative > 0 ? 'higher' : 'lower';
    out.push({
      feature,
      mine: a,
      theirs: b,
      relative,
      sentence: `Your ${label} is ${more} than ${otherLabel} (median ${formatFeature(feature, a)} vs ${formatFeature(feature, b)}${unit === 'BPM' || unit === 'dB' ? ' ' + unit : ''}).`,
    });
  }
  return out.sort((x, y) => Math.abs(y.relative) - Math.abs(x.relative)).slice(0, limit);
}

/** The genre the user is closest to, from the taste's closeness map. */
export function closestGenre(taste: Taste): { genre: string; value: number } | null {
  const entries = Object.entries(taste.closeness).filter((e): e is [string, number] => e[1] !== null);
  if (entries.length === 0) return null;
  const [genre, value] = entries.sort((a, b) => b[1] - a[1])[0];
  return { genre, value };
}

export function publicShares(pub: PublicTaste | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [g, v] of Object.entries(pub?.genres ?? {})) out[g] = v.share;
  return out;
}
