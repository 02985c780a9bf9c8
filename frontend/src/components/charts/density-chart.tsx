// Overlaid densities on one grid; hover shows every series' value at the pointer.
import { useId, useRef, useState } from 'react';

import type { Grid } from '@/api/types';

import { areaPath, gridXs, linearScale, linePath, maxOf, nearestIndex, niceTicks } from './transforms';

export interface DensitySeries {
  label: string;
  density: number[];
  colour: string;
  median?: number | null;
  dashed?: boolean;
}

// Small coordinates so 11px text stays readable when three charts share a row.
const W = 380;
const H = 200;
const M = { top: 10, right: 10, bottom: 38, left: 54 };

export default function DensityChart({ grid, series, xLabel, format = (v: number) => v.toFixed(2), title }: { grid: Grid; series: DensitySeries[]; xLabel: string; format?: (v: number) => string; title: string }) {
  const [hover, setHover] = useState<number | null>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const id = useId();
  const xs = gridXs(grid);
  const top = maxOf(series.map((s) => s.density)) || 1;
  const x = linearScale([grid.min, grid.max], [M.left, W - M.right]);
  const y = linearScale([0, top * 1.05], [H - M.bottom, M.top]);
  const xTicks = niceTicks(grid.min, grid.max, 4);
  const yTicks = niceTicks(0, top, 3);

  const onMove = (clientX: number) => {
    const rect = svgRef.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return;
    const px = ((clientX - rect.left) / rect.width) * W;
    const value = grid.min + ((px - M.left) / (W - M.left - M.right)) * (grid.max - grid.min);
    setHover(nearestIndex(grid, value));
  };

  return (
    <figure className="chart" data-testid="density-chart">
      <svg
        ref={svgRef}
        viewBox={`0 0 ${W} ${H}`}
        style={{ maxWidth: W * 1.6 }}
        role="img"
        aria-labelledby={`${id}-t`}
        tabIndex={0}
        onMouseMove={(e) => onMove(e.clientX)}
        onMouseLeave={() => setHover(null)}
        onFocus={() => setHover(Math.floor(xs.length / 2))}
        onBlur={() => setHover(null)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowRight') setHover((h) => Math.min(xs.length - 1, (h ?? 0) + Math.ceil(xs.length / 50)));
          if (e.key === 'ArrowLeft') setHover((h) => Math.max(0, (h ?? 0) - Math.ceil(xs.length / 50)));
        }}
      >
        <title id={`${id}-t`}>{title}</title>
        {yTicks.map((t) => (
          <g key={`y${t}`}>
            <line className="grid-line" x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} />
            <text className="tick" x={M.left - 6} y={y(t)} dy="0.32em" textAnchor="end">
              {t.toPrecision(2)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text key={`x${t}`} className="tick" x={x(t)} y={H - M.bottom + 14} textAnchor="middle">
            {format(t)}
          </text>
        ))}
        <line className="axis" x1={M.left} x2={W - M.right} y1={H - M.bottom} y2={H - M.bottom} />
        <text className="axis-label" x={(M.left + W - M.right) / 2} y={H - 6} textAnchor="middle">
          {xLabel}
        </text>
        <text className="axis-label" transform={`translate(10 ${(H - M.bottom + M.top) / 2}) rotate(-90)`} textAnchor="middle">
          density
        </text>
        {series.map((s) => (
          <g key={s.label}>
            <path d={areaPath(xs, s.density, x, y)} fill={s.colour} opacity={0.14} />
            <path d={linePath(xs, s.density, x, y)} fill="none" stroke={s.colour} strokeWidth={2} strokeDasharray={s.dashed ? '5 4' : undefined} />
            {s.median !== undefined && s.median !== null ? <line x1={x(s.median)} x2={x(s.median)} y1={M.top} y2={H - M.bottom} stroke={s.colour} strokeDasharray="2 3" /> : null}
          </g>
        ))}
        {hover !== null ? (
          <g className="hover">
            <line x1={x(xs[hover])} x2={x(xs[hover])} y1={M.top} y2={H - M.bottom} className="hover-line" />
            {series.map((s) => (
              <circle key={s.label} cx={x(xs[hover])} cy={y(s.density[hover] ?? 0)} r={3.5} fill={s.colour} />
            ))}
          </g>
        ) : null}
      </svg>
      <figcaption className="chart-legend">
        {series.map((s) => (
          <span key={s.label} className="legend-item">
            <span className="swatch" style={{ background: s.colour }} aria-hidden="true" />
            {s.label}
            {s.median !== undefined && s.median !== null ? <span className="muted"> · median {format(s.median)}</span> : null}
          </span>
        ))}
        {hover !== null ? (
          <span className="chart-tooltip" role="status" data-testid="chart-tooltip">
            at {format(xs[hover])}: {series.map((s) => `${s.label} ${(s.density[hover] ?? 0).toPrecision(3)}`).join(' · ')}
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}
