// Horizontal bars, one group per label, one bar per series; hover or focus shows the values.
import { useId, useState } from 'react';

import type { BarDatum } from './transforms';

export default function BarChart({ data, series, unit, title, format = (v: number) => `${(v * 100).toFixed(1)} %`, max }: { data: BarDatum[]; series: { label: string; colour: string }[]; unit: string; title: string; format?: (v: number) => string; max?: number }) {
  const [active, setActive] = useState<number | null>(null);
  const id = useId();
  const top = max ?? Math.max(1e-9, ...data.flatMap((d) => d.values));
  const barH = 12;
  const groupH = series.length * barH + 10;
  const labelW = 150;
  const W = 560;
  const plotW = W - labelW - 70;
  const H = data.length * groupH + 30;
  return (
    <figure className="chart" data-testid="bar-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="list" aria-labelledby={`${id}-t`} style={{ maxWidth: W }}>
        <title id={`${id}-t`}>{title}</title>
        {data.map((d, i) => (
          <g
            key={d.label}
            transform={`translate(0 ${i * groupH})`}
            tabIndex={0}
            role="listitem"
            aria-label={`${d.label}: ${d.values.map((v, s) => `${series[s]?.label ?? ''} ${format(v)}`).join(', ')}`}
            onMouseEnter={() => setActive(i)}
            onMouseLeave={() => setActive(null)}
            onFocus={() => setActive(i)}
            onBlur={() => setActive(null)}
            className={active === i ? 'bar-group active' : 'bar-group'}
          >
            <text className="bar-label" x={labelW - 8} y={groupH / 2} dy="0.32em" textAnchor="end">
              {d.label}
            </text>
            {d.values.map((v, s) => (
              <g key={s}>
                <rect x={labelW} y={4 + s * barH} width={Math.max(1, (Math.max(0, v) / top) * plotW)} height={barH - 2} rx={2} fill={series[s]?.colour} />
                {active === i || series.length === 1 ? (
                  <text className="bar-value" x={labelW + Math.max(1, (Math.max(0, v) / top) * plotW) + 4} y={4 + s * barH + barH / 2} dy="0.25em">
                    {format(v)}
                  </text>
                ) : null}
              </g>
            ))}
          </g>
        ))}
        <text className="axis-label" x={labelW + plotW / 2} y={H - 6} textAnchor="middle">
          {unit}
        </text>
      </svg>
      {series.length > 1 ? (
        <figcaption className="chart-legend">
          {series.map((s) => (
            <span key={s.label} className="legend-item">
              <span className="swatch" style={{ background: s.colour }} aria-hidden="true" />
              {s.label}
            </span>
          ))}
          {active !== null ? (
            <span className="chart-tooltip" role="status">
              {data[active].label}: {data[active].values.map((v, s) => `${series[s]?.label} ${format(v)}`).join(' · ')}
            </span>
          ) : null}
        </figcaption>
      ) : null}
    </figure>
  );
}
