import type { AnalysisDocument, Fidelity } from '@/api/types';
import { FEATURE_KEYS } from '@/api/types';
import { featureMeta, formatFeature } from '@/lib/features';

/** How far an estimated descriptor agrees with Spotify's value, in a few words. */
function fidelityText(f: Fidelity | undefined): string {
  if (!f || f.r === null) return 'measured from the audio';
  const mae = f.mae === null ? '' : `, typical error ${f.mae.toFixed(2)}${f.mae_mean_predictor === null ? '' : ` (guessing the mean: ${f.mae_mean_predictor.toFixed(2)})`}`;
  return `r ${f.r.toFixed(2)} with Spotify's value${mae}`;
}

/** Each feature's value and its percentile within every genre ("all" first). */
export function PercentileTable({ doc }: { doc: AnalysisDocument }) {
  const percentiles = doc.percentiles ?? {};
  const genres = [...new Set(Object.values(percentiles).flatMap((p) => Object.keys(p)))].sort((a, b) => (a === 'all' ? -1 : b === 'all' ? 1 : a.localeCompare(b)));
  const features = FEATURE_KEYS.filter((k) => doc.features?.[k] !== undefined && doc.features?.[k] !== null);
  // Local tracks: how each estimate agrees with Spotify's, measured on real recordings.
  const fidelity = doc.fidelity;
  const protocol = fidelity ? Object.values(fidelity)[0]?.protocol : undefined;
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
            {fidelity ? <th scope="col">Agreement with Spotify</th> : null}
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
                {fidelity ? <td className="small" data-testid={`fidelity-${f}`}>{fidelityText(fidelity[f])}</td> : null}
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
      {fidelity ? (
        <p className="muted small" data-testid="fidelity-note">
          Your file's descriptors are estimated from its audio, then calibrated to Spotify's scale. Agreement: Pearson r and mean absolute error against Spotify's own values for real recordings ({protocol ?? 'cross-validated'}); r near 1 means the estimate follows Spotify's closely.
        </p>
      ) : null}
    </div>
  );
}
