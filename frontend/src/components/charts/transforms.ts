// Pure data transforms behind the charts: grids, scales, ticks, paths, normalisation.
import type { Grid } from '@/api/types';

/** What the transforms need of a feature's grid (the unit is for labels only). */
type Axis = Pick<Grid, 'min' | 'max' | 'points'>;

/** The x value of every grid point. */
export function gridXs(grid: Axis): number[] {
  const n = Math.max(2, grid.points);
  const step = (grid.max - grid.min) / (n - 1);
  return Array.from({ length: n }, (_, i) => grid.min + i * step);
}

/** Index of the grid point closest to x (clamped). */
export function nearestIndex(grid: Axis, x: number): number {
  const n = Math.max(2, grid.points);
  const i = Math.round(((x - grid.min) / (grid.max - grid.min)) * (n - 1));
  return Math.min(n - 1, Math.max(0, i));
}

export type Scale = (v: number) => number;

export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** About `count` round tick values covering [min, max] (1, 2, 5 × 10^k steps). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const first = Math.ceil(min / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** An SVG path through (xs[i], ys[i]) in the given scales. */
export function linePath(xs: number[], ys: number[], x: Scale, y: Scale): string {
  let d = '';
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) d += `${i ? 'L' : 'M'}${x(xs[i]).toFixed(1)},${y(ys[i]).toFixed(1)}`;
  return d;
}

/** The same path closed down to the baseline, for a filled area. */
export function areaPath(xs: number[], ys: number[], x: Scale, y: Scale, baseline = 0): string {
  const n = Math.min(xs.length, ys.length);
  if (n === 0) return '';
  return `${linePath(xs, ys, x, y)}L${x(xs[n - 1]).toFixed(1)},${y(baseline).toFixed(1)}L${x(xs[0]).toFixed(1)},${y(baseline).toFixed(1)}Z`;
}

export function maxOf(series: number[][]): number {
  let m = 0;
  for (const s of series) for (const v of s) if (Number.isFinite(v) && v > m) m = v;
  return m;
}

/** Each row divided by its sum (a confusion matrix as recall per true class); empty rows stay 0. */
export function normaliseRows(matrix: number[][]): number[][] {
  return matrix.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (sum > 0 ? v / sum : 0));
  });
}

export interface BarDatum {
  label: string;
  values: number[]; // one per series
}

/** {genre: p} maps (one per series) → bars sorted by the first series, largest first. */
export function toBars(series: Record<string, number>[], limit = Infinity): BarDatum[] {
  const labels = new Set<string>();
  for (const s of series) for (const k of Object.keys(s)) labels.add(k);
  return [...labels]
    .map((label) => ({ label, values: series.map((s) => s[label] ?? 0) }))
    .sort((a, b) => b.values[0] - a.values[0] || a.label.localeCompare(b.label))
    .slice(0, limit);
}

/** Overlap of two densities on the same grid: ∫ min(a, b) / normalising both to area 1. */
export function densityOverlap(a: number[], b: number[]): number {
  const sa = a.reduce((s, v) => s + v, 0);
  const sb = b.reduce((s, v) => s + v, 0);
  if (sa <= 0 || sb <= 0) return 0;
  let o = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) o += Math.min(a[i] / sa, b[i] / sb);
  return o;
}
