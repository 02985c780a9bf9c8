import type { AnalysisDocument } from '@/api/types';
import { FEATURE_KEYS } from '@/api/types';
import { featureMeta, formatFeature } from '@/lib/features';

/** Each feature's value and its percentile within every genre ("all" first). */
export function PercentileTable({ doc }: { doc: AnalysisDocument }) {
  const percentiles = doc.percentiles ?? {};
  const genres = [...new Set(Object.values(percentiles).flatMap((p) => Object.keys(p)))].sort((a, b) => (a === 'all' ? -1 : b === 'all' ? 1 : a.localeCompare(b)));
  const features = FEATURE_KEYS.filter((k) => doc.features?.[k] !== undefined && doc.features?.[k] !== null);
  return (
    <div className="scroll-x">
      <table className="data-table percentile-table" data-testid="percentile-table">
        <caption className="sr-only">Feature values and their percentile within each genre</caption>
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col" className="num">
              Value
            </th>
            {genres.map((g) => (
              <th key={g} scope="col" className="num">
                {g === 'all' ? 'All genres' : g}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {features.map((f) => {
            const meta = featureMeta(f);
            return (
              <tr key={f}>
                <th scope="row">
                  {meta.label} <span className="unit">{meta.unit}</span>
                </th>
                <td className="num">{formatFeature(f, doc.features?.[f])}</td>
                {genres.map((g) => {
                  const p = percentiles[f]?.[g] ?? undefined;
                  return (
                    <td key={g} className="num pct-cell" style={p === undefined ? undefined : { ['--pct' as string]: `${p}%` }} title={p === undefined ? 'no percentile' : `higher than ${Math.round(p)} % of ${g === 'all' ? 'all tracks' : g + ' tracks'}`}>
                      {p === undefined ? '–' : `${Math.round(p)}`}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted small">Percentile: the share (%) of the model's training tracks of that genre with a lower value.</p>
    </div>
  );
}
