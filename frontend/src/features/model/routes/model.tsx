import { ApiError } from '@/api/client';
import { BarChart, Heatmap } from '@/components/charts/lazy';
import { SERIES } from '@/components/charts/palette';
import { Card, Page } from '@/components/ui/page';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { formatDate, formatPercent } from '@/lib/features';

import { useDatasets, useModel } from '../api/model';

/** The sentence every model card carries, whatever the dataset says. */
export const SPOTIFY_TERMS_NOTE =
  "Spotify's developer terms do not allow training machine-learning models on Spotify content. Audio features that came from Spotify's API are fine for development and testing here, not for a model you publish.";

export function ModelRoute() {
  const model = useModel();
  const datasets = useDatasets();
  let body;
  if (model.isPending) body = <Loading label="Loading the model card…" />;
  else if (model.isError && model.error instanceof ApiError && model.error.status === 404)
    body = (
      <Empty title="No model is active yet.">
        <p>
          Train one with <code>genrelens train</code>; <code>make demo</code> trains a quick one when none exists.
        </p>
      </Empty>
    );
  else if (model.isError) body = <ErrorState error={model.error} onRetry={() => void model.refetch()} />;
  else {
    const m = model.data;
    const dataset = datasets.data?.items.find((d) => d.name === m.dataset.name);
    const bars = [
      ...(m.accuracy ? [{ label: 'this model', values: [m.accuracy.value] }] : []),
      ...(m.baselines.majority !== null ? [{ label: `always ${m.baselines.majority_class ?? 'the commonest genre'}`, values: [m.baselines.majority] }] : []),
      ...(m.baselines.random !== null ? [{ label: 'random guess', values: [m.baselines.random] }] : []),
    ];
    const perClass = Object.entries(m.per_class ?? {});
    const metricNames = [...new Set(perClass.flatMap(([, v]) => Object.keys(v)))];
    body = (
      <>
        <div className="notice notice-licence" role="note" data-testid="licence-note">
          <p>
            <strong>Licence.</strong> {SPOTIFY_TERMS_NOTE}
          </p>
          <p>
            This model was trained on the <strong data-testid="model-dataset">{m.dataset.name}</strong> dataset{dataset?.synthetic ? ' (synthetic: generated, not real music)' : ''}, from {m.dataset.source}{m.dataset.licence ? ` (licence: ${m.dataset.licence})` : ''}. {m.licence_note}
          </p>
        </div>
        <div className="grid-2">
          <Card title="Accuracy against baselines" testId="model-accuracy-card">
            <p className="score">{m.accuracy ? formatPercent(m.accuracy.value, 1) : '–'}</p>
            <p className="muted small" data-testid="model-protocol">
              {m.accuracy ? `Protocol: ${m.accuracy.protocol}.` : 'Accuracy was not measured.'}
              {m.accuracy?.random_split_value ? ` A random split (same artists in training and test) would claim ${formatPercent(m.accuracy.random_split_value, 1)}.` : ''}
            </p>
            {m.macro_f1 !== null ? <p className="muted small">Macro-F1 {m.macro_f1.toFixed(3)}{m.log_loss !== null ? ` · log loss ${m.log_loss.toFixed(3)}` : ''}</p> : null}
            <BarChart data={bars} series={[{ label: 'accuracy', colour: SERIES.you }]} unit="accuracy (%)" title="Accuracy of the model and its baselines" max={1} />
          </Card>
          <Card title="Model" testId="model-facts">
            <dl className="facts facts-column">
              <div>
                <dt>Version</dt>
                <dd>{m.version}</dd>
              </div>
              <div>
                <dt>Trained</dt>
                <dd>{formatDate(m.created_at)}</dd>
              </div>
              <div>
                <dt>Classifier</dt>
                <dd>{m.candidate} on {m.features.length} features</dd>
              </div>
              <div>
                <dt>Genres</dt>
                <dd>{m.classes.join(', ')}</dd>
              </div>
              <div>
                <dt>Training data</dt>
                <dd>
                  {m.dataset.name}
                  {m.dataset.rows_used !== null ? ` · ${m.dataset.rows_used.toLocaleString()} tracks used` : ''}
                  {` · from ${m.dataset.source}`}
                  <br />
                  <span className="muted small">sha256 {m.dataset.sha256.slice(0, 16)}…</span>
                </dd>
              </div>
            </dl>
          </Card>
        </div>
        <Card title="Confusion matrix" testId="confusion-card">
          {m.confusion_matrix ? <Heatmap labels={m.confusion_matrix.labels} matrix={m.confusion_matrix.matrix} title="Confusion matrix: true genre by predicted genre" /> : <p className="notice">This model's card has no confusion matrix.</p>}
        </Card>
        {perClass.length ? (
          <Card title="Per genre">
            <div className="scroll-x">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Genre</th>
                    {metricNames.map((n) => (
                      <th key={n} scope="col" className="num">
                        {n}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {perClass.map(([g, v]) => (
                    <tr key={g}>
                      <th scope="row">{g}</th>
                      {metricNames.map((n) => (
                        <td key={n} className="num">
                          {v[n] === undefined ? '–' : v[n] <= 1 ? v[n].toFixed(3) : v[n].toLocaleString()}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        ) : null}
      </>
    );
  }
  return (
    <Page title="The model" subtitle="How well genrelens guesses a genre from audio features, and what it learned from." testId="page-model">
      {body}
    </Page>
  );
}
