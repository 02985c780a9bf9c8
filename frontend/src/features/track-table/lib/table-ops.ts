// Sorting, filtering, the summary row and CSV export of a track list: pure functions of
// (rows, settings), kept apart from React so tests and the browser benchmark can time them.
import type { TrackItem } from '@/api/types';

import { COLUMN_BY_ID, type CellValue, type ColumnDef } from './columns';

export type SortDir = 'asc' | 'desc';
export interface SortKey {
  column: string;
  dir: SortDir;
}
export interface RangeFilter {
  column: string;
  min: number | null;
  max: number | null;
}

/**
 * Click on a header: without shift the column becomes the only key (asc, then desc, then off);
 * with shift it is added as the next key, or its direction flips, or it is removed.
 */
export function toggleSort(keys: SortKey[], column: string, multi: boolean): SortKey[] {
  const existing = keys.find((k) => k.column === column);
  if (!multi) {
    if (!existing || keys.length > 1) return [{ column, dir: existing?.dir === 'asc' && keys.length === 1 ? 'desc' : 'asc' }];
    return existing.dir === 'asc' ? [{ column, dir: 'desc' }] : [];
  }
  if (!existing) return [...keys, { column, dir: 'asc' }];
  if (existing.dir === 'asc') return keys.map((k) => (k.column === column ? { column, dir: 'desc' } : k));
  return keys.filter((k) => k.column !== column);
}

/**
 * Text becomes a sort key once per row: case and accents folded, digit runs zero-padded so
 * "Song 2" comes before "Song 10". Comparing these keys with < is some 20x faster than a
 * collator per comparison, which made a 5,000-row sort by a text column take over 200 ms.
 */
export function textKey(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\d+/g, (digits) => digits.padStart(12, '0'));
}

function sortKey(value: CellValue): number | string | null {
  if (value === null || value === '') return null;
  return typeof value === 'number' ? value : textKey(value);
}

function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Stable multi-key sort; rows whose value is missing go last for that key. */
export function sortRows(rows: readonly TrackItem[], keys: readonly SortKey[]): TrackItem[] {
  const active = keys.map((k) => ({ col: COLUMN_BY_ID[k.column], sign: k.dir === 'asc' ? 1 : -1 })).filter((k) => k.col);
  if (active.length === 0) return rows.slice();
  // Decorate once: reading nested values inside the comparator would dominate at 5,000 rows.
  const decorated = rows.map((row, index) => ({ row, index, values: active.map((k) => sortKey(k.col.get(row))) }));
  decorated.sort((x, y) => {
    for (let i = 0; i < active.length; i++) {
      const a = x.values[i];
      const b = y.values[i];
      // Missing values sort last whichever the direction: only real comparisons are flipped.
      if (a === null || b === null) {
        if (a === b) continue;
        return a === null ? 1 : -1;
      }
      const c = compareKeys(a, b);
      if (c !== 0) return c * active[i].sign;
    }
    return x.index - y.index;
  });
  return decorated.map((d) => d.row);
}

export function isActive(filter: RangeFilter): boolean {
  return filter.min !== null || filter.max !== null;
}

/** Rows inside every range (inclusive); a row without a value for a filtered column is out. */
export function filterRows(rows: readonly TrackItem[], filters: readonly RangeFilter[]): TrackItem[] {
  const active = filters.filter(isActive).map((f) => ({ f, col: COLUMN_BY_ID[f.column] })).filter((x) => x.col);
  if (active.length === 0) return rows.slice();
  return rows.filter((row) =>
    active.every(({ f, col }) => {
      const v = col.get(row);
      if (typeof v !== 'number') return false;
      return (f.min === null || v >= f.min) && (f.max === null || v <= f.max);
    }),
  );
}

/** Filter then sort: what the table shows. */
export function applyView(rows: readonly TrackItem[], sort: readonly SortKey[], filters: readonly RangeFilter[]): TrackItem[] {
  return sortRows(filterRows(rows, filters), sort);
}

export interface ColumnSummary {
  column: string;
  count: number; // rows with a value
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Histogram over [lo, hi] in `bins` equal bins. */
  bins: number[];
  lo: number;
  hi: number;
}

export function summarizeColumn(rows: readonly TrackItem[], col: ColumnDef, binCount = 12): ColumnSummary {
  const values: number[] = [];
  for (const row of rows) {
    const v = col.get(row);
    if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const [lo, hi] = col.domain ?? (values.length ? [min, max] : [0, 1]);
  const bins = new Array<number>(binCount).fill(0);
  const span = hi - lo;
  for (const v of values) {
    const i = span > 0 ? Math.floor(((v - lo) / span) * binCount) : 0;
    bins[Math.min(binCount - 1, Math.max(0, i))] += 1;
  }
  return {
    column: col.id,
    count: values.length,
    mean: values.length ? sum / values.length : null,
    min: values.length ? min : null,
    max: values.length ? max : null,
    bins,
    lo,
    hi,
  };
}

/** One summary per numeric column, computed on the rows as filtered. */
export function summarize(rows: readonly TrackItem[], columns: readonly ColumnDef[], binCount = 12): Record<string, ColumnSummary> {
  const out: Record<string, ColumnSummary> = {};
  for (const col of columns) if (col.numeric) out[col.id] = summarizeColumn(rows, col, binCount);
  return out;
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The view as shown: the visible columns in their order, the rows in their sorted, filtered
 * order. Numbers are written raw (full precision) so a spreadsheet can compute with them;
 * text columns as displayed. Missing values are empty cells.
 */
export function toCsv(rows: readonly TrackItem[], columns: readonly ColumnDef[]): string {
  const header = columns.map((c) => csvCell(c.unit ? `${c.label} (${c.unit})` : c.label)).join(',');
  const lines = rows.map((row) =>
    columns
      .map((c) => {
        const v = c.get(row);
        if (v === null) return '';
        if (typeof v === 'number') return String(v);
        return csvCell(c.id === 'source' ? c.format(v) : v);
      })
      .join(','),
  );
  return [header, ...lines].join('\r\n') + '\r\n';
}
