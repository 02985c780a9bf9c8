// The one track list of the app: chosen columns, multi-key sort (shift-click), range filters on
// any numeric column, a summary row over the filtered rows, CSV export of the view as shown,
// virtualised so thousands of rows scroll smoothly.
import { observeElementRect, useVirtualizer } from '@tanstack/react-virtual';
import { useId, useMemo, useRef, useState, type MouseEvent } from 'react';
import { Link } from 'react-router';

import type { TrackItem } from '@/api/types';
import { SourceBadge } from '@/components/ui/page';

import { COLUMNS, DEFAULT_COLUMNS, columnsFor, type ColumnDef } from '../lib/columns';
import { applyView, isActive, summarize, toCsv, toggleSort, type RangeFilter, type SortKey } from '../lib/table-ops';
import { GenreClaim } from './genre-claim';
import { MiniHist } from './mini-hist';

const ROW_HEIGHT = 44;

export interface TrackTableProps {
  tracks: TrackItem[];
  /** File name (without .csv) for the export. */
  exportName?: string;
  initialColumns?: string[];
  initialSort?: SortKey[];
  height?: number;
}

function download(name: string, csv: string) {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Cell({ column, track }: { column: ColumnDef; track: TrackItem }) {
  if (column.id === 'name') {
    return (
      <span className="cell-title">
        <Link to={`/track/${encodeURIComponent(track.id)}`} className="track-link">
          {track.name}
        </Link>
        {track.features === null && track.features_note ? (
          <span className="cell-note" title={track.features_note}>
            {track.features_note}
          </span>
        ) : null}
      </span>
    );
  }
  if (column.id === 'source') return <SourceBadge source={track.feature_source} />;
  if (column.id === 'top_genre' && track.top_genre) return <GenreClaim top={track.top_genre} />;
  return <>{column.format(column.get(track))}</>;
}

export function TrackTable({ tracks, exportName = 'tracks', initialColumns = DEFAULT_COLUMNS, initialSort = [], height = 560 }: TrackTableProps) {
  const [visible, setVisible] = useState<string[]>(initialColumns);
  const [sort, setSort] = useState<SortKey[]>(initialSort);
  const [filters, setFilters] = useState<RangeFilter[]>([]);
  const [draft, setDraft] = useState<{ column: string; min: string; max: string }>({ column: 'energy', min: '', max: '' });
  const scrollRef = useRef<HTMLDivElement>(null);
  const ids = useId();

  const columns = useMemo(() => columnsFor(visible), [visible]);
  const rows = useMemo(() => applyView(tracks, sort, filters), [tracks, sort, filters]);
  const summary = useMemo(() => summarize(rows, columns), [rows, columns]);
  // Fixed tracks (only the title stretches) and one explicit minimum width for head and body, so
  // the header, the summary and the absolutely positioned rows always line up.
  const template = columns.map((c) => (c.id === 'name' ? `minmax(${c.width}px, 1fr)` : `${c.width}px`)).join(' ');
  const minWidth = columns.reduce((sum, c) => sum + c.width, 0);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Where there is no layout (jsdom, a hidden tab) the box measures 0 high: render a screenful
    // as if it had its maximum height rather than no rows at all.
    initialRect: { width: 1200, height },
    observeElementRect: (instance, cb) => observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : { width: rect.width || 1200, height })),
  });

  const onSort = (event: MouseEvent, column: string) => setSort((keys) => toggleSort(keys, column, event.shiftKey));
  const numericColumns = COLUMNS.filter((c) => c.numeric);
  const activeFilters = filters.filter(isActive);

  const addFilter = () => {
    const min = draft.min.trim() === '' ? null : Number(draft.min);
    const max = draft.max.trim() === '' ? null : Number(draft.max);
    if ((min !== null && Number.isNaN(min)) || (max !== null && Number.isNaN(max))) return;
    if (min === null && max === null) return;
    setFilters((fs) => [...fs.filter((f) => f.column !== draft.column), { column: draft.column, min, max }]);
    setDraft((d) => ({ ...d, min: '', max: '' }));
  };

  return (
    <div className="track-table" data-testid="track-table">
      <div className="table-toolbar">
        <p className="table-count" data-testid="table-count" aria-live="polite">
          {rows.length === tracks.length ? `${tracks.length.toLocaleString()} tracks` : `${rows.length.toLocaleString()} of ${tracks.length.toLocaleString()} tracks`}
          {sort.length ? <span className="muted"> · sorted by {sort.map((k) => `${columnsFor([k.column])[0]?.label ?? k.column} ${k.dir === 'asc' ? '↑' : '↓'}`).join(', ')}</span> : null}
        </p>
        <form
          className="filter-form"
          aria-label="Add a range filter"
          onSubmit={(e) => {
            e.preventDefault();
            addFilter();
          }}
        >
          <label htmlFor={`${ids}-fcol`} className="sr-only">
            Filter column
          </label>
          <select id={`${ids}-fcol`} data-testid="filter-column" value={draft.column} onChange={(e) => setDraft({ ...draft, column: e.target.value })}>
            {numericColumns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
                {c.unit ? ` (${c.unit})` : ''}
              </option>
            ))}
          </select>
          <label htmlFor={`${ids}-fmin`} className="sr-only">
            Minimum
          </label>
          <input id={`${ids}-fmin`} data-testid="filter-min" inputMode="decimal" placeholder="min" value={draft.min} onChange={(e) => setDraft({ ...draft, min: e.target.value })} />
          <label htmlFor={`${ids}-fmax`} className="sr-only">
            Maximum
          </label>
          <input id={`${ids}-fmax`} data-testid="filter-max" inputMode="decimal" placeholder="max" value={draft.max} onChange={(e) => setDraft({ ...draft, max: e.target.value })} />
          <button type="submit" className="button" data-testid="filter-add">
            Add filter
          </button>
        </form>
        <details className="column-chooser" data-testid="column-chooser">
          <summary className="button">Columns</summary>
          <fieldset>
            <legend className="sr-only">Visible columns</legend>
            {COLUMNS.map((c) => (
              <label key={c.id} className="check">
                <input
                  type="checkbox"
                  checked={visible.includes(c.id)}
                  disabled={c.id === 'name'}
                  onChange={(e) =>
                    setVisible((v) => (e.target.checked ? COLUMNS.map((x) => x.id).filter((id) => id === c.id || v.includes(id)) : v.filter((id) => id !== c.id)))
                  }
                />
                {c.label}
              </label>
            ))}
          </fieldset>
        </details>
        <button type="button" className="button" data-testid="csv-export" onClick={() => download(exportName, toCsv(rows, columns))}>
          Export CSV
        </button>
      </div>
      {activeFilters.length ? (
        <ul className="filter-chips" aria-label="Active filters" data-testid="active-filters">
          {activeFilters.map((f) => {
            const col = columnsFor([f.column])[0];
            return (
              <li key={f.column} className="chip">
                {col?.label ?? f.column}: {f.min ?? '−∞'} – {f.max ?? '∞'}
                <button type="button" aria-label={`Remove filter on ${col?.label ?? f.column}`} onClick={() => setFilters((fs) => fs.filter((x) => x.column !== f.column))}>
                  ×
                </button>
              </li>
            );
          })}
          <li>
            <button type="button" className="link-button" onClick={() => setFilters([])}>
              Clear all
            </button>
          </li>
        </ul>
      ) : null}
      <p className="table-hint muted">Click a header to sort; shift-click to add a second key.</p>
      <div className="table-scroll" ref={scrollRef} style={{ maxHeight: height }} role="table" aria-label="Tracks" aria-rowcount={rows.length + 2}>
        <div className="table-head" role="rowgroup" style={{ minWidth }}>
          <div className="table-row table-header-row" role="row" style={{ gridTemplateColumns: template }} aria-rowindex={1}>
            {columns.map((c) => {
              const index = sort.findIndex((k) => k.column === c.id);
              const key = sort[index];
              return (
                <div key={c.id} role="columnheader" aria-sort={key ? (key.dir === 'asc' ? 'ascending' : 'descending') : 'none'} className={c.numeric ? 'num' : ''}>
                  <button type="button" className="sort-button" data-testid={`sort-${c.id}`} onClick={(e) => onSort(e, c.id)} title={c.unit ? `${c.label} (${c.unit})` : c.label}>
                    <span>{c.label}</span>
                    {c.unit && c.numeric ? <span className="unit">{c.unit}</span> : null}
                    {key ? (
                      <span className="sort-mark" aria-hidden="true">
                        {key.dir === 'asc' ? '▲' : '▼'}
                        {sort.length > 1 ? <sub>{index + 1}</sub> : null}
                      </span>
                    ) : null}
                  </button>
                </div>
              );
            })}
          </div>
          <div className="table-row summary-row" role="row" style={{ gridTemplateColumns: template }} data-testid="summary-row" aria-rowindex={2}>
            {columns.map((c, i) => {
              const s = summary[c.id];
              return (
                <div key={c.id} role="cell" className={c.numeric ? 'num' : ''}>
                  {i === 0 ? <span className="summary-label">Mean of {rows.length.toLocaleString()}</span> : null}
                  {s ? (
                    <span className="summary-cell" data-testid={`summary-${c.id}`}>
                      <span className="summary-mean">{s.mean === null ? '–' : c.format(s.mean)}</span>
                      <MiniHist bins={s.bins} lo={s.lo} hi={s.hi} label={c.label} />
                    </span>
                  ) : null}
                </div>
              );
            })}
          </div>
        </div>
        <div className="table-body" role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth }}>
          {virtualizer.getVirtualItems().map((item) => {
            const track = rows[item.index];
            return (
              <div
                key={track.id + ':' + item.index}
                role="row"
                aria-rowindex={item.index + 3}
                className={`table-row track-row${item.index % 2 ? ' odd' : ''}`}
                data-testid="track-row"
                data-track-id={track.id}
                style={{ gridTemplateColumns: template, position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
              >
                {columns.map((c) => (
                  <div key={c.id} role="cell" className={c.numeric ? 'num' : ''} data-col={c.id}>
                    <Cell column={c} track={track} />
                  </div>
                ))}
              </div>
            );
          })}
        </div>
        {rows.length === 0 ? (
          <p className="table-empty" data-testid="table-empty">
            No track matches these filters.
          </p>
        ) : null}
      </div>
    </div>
  );
}
