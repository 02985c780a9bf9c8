// Confusion matrix: rows are the true genre, columns the predicted one, shaded by row share.
import { useId, useState } from 'react';

import { normaliseRows } from './transforms';

export default function Heatmap({ labels, matrix, title }: { labels: string[]; matrix: number[][]; title: string }) {
  const [active, setActive] = useState<[number, number] | null>(null);
  const id = useId();
  const shares = normaliseRows(matrix);
  const n = labels.length;
  const cell = Math.max(22, Math.min(48, Math.floor(420 / Math.max(1, n))));
  const left = 130;
  // room for the rotated column labels, no more
  const topPad = 24 + Math.max(...labels.map((l) => l.length), 1) * 5;
  const W = left + n * cell + 10;
  const H = topPad + n * cell + 30;
  return (
    <figure className="chart" data-testid="confusion-matrix">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t`} style={{ maxWidth: W }}>
        <title id={`${id}-t`}>{title}</title>
        {labels.map((l, j) => (
          <text key={`c${l}`} className="tick" transform={`translate(${left + j * cell + cell / 2} ${topPad - 6}) rotate(-50)`} textAnchor="start">
            {l}
          </text>
        ))}
        {labels.map((l, i) => (
          <text key={`r${l}`} className="tick" x={left - 6} y={topPad + i * cell + cell / 2} dy="0.32em" textAnchor="end">
            {l}
          </text>
        ))}
        {matrix.map((row, i) =>
          row.map((v, j) => {
            const share = shares[i][j];
            return (
              <g key={`${i}-${j}`} onMouseEnter={() => setActive([i, j])} onMouseLeave={() => setActive(null)}>
                <rect x={left + j * cell} y={topPad + i * cell} width={cell - 1} height={cell - 1} fill={i === j ? '#0072B2' : '#D55E00'} fillOpacity={0.08 + 0.92 * share} />
                {cell >= 30 ? (
                  <text className="cell-text" x={left + j * cell + cell / 2} y={topPad + i * cell + cell / 2} dy="0.32em" textAnchor="middle" fill={share > 0.5 ? '#fff' : 'currentColor'}>
                    {Math.round(share * 100)}
                  </text>
                ) : null}
                <title>{`true ${labels[i]}, predicted ${labels[j]}: ${v} tracks (${(share * 100).toFixed(1)} % of ${labels[i]})`}</title>
              </g>
            );
          }),
        )}
        <text className="axis-label" x={left + (n * cell) / 2} y={H - 8} textAnchor="middle">
          predicted genre (cells: % of the true genre's tracks)
        </text>
      </svg>
      <figcaption className="chart-legend">
        <span className="muted">Rows: true genre. Diagonal (blue) is correct.</span>
        {active ? (
          <span className="chart-tooltip" role="status">
            true {labels[active[0]]} → predicted {labels[active[1]]}: {matrix[active[0]][active[1]]} ({(shares[active[0]][active[1]] * 100).toFixed(1)} %)
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}
