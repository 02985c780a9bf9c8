import { Link, useParams } from 'react-router';

import { BarChart } from '@/components/charts/lazy';
import { colour, SERIES } from '@/components/charts/palette';
import { toBars } from '@/components/charts/transforms';
import { Confidence } from '@/components/ui/confidence';
import { Card, Cover, Page, SourceBadge } from '@/components/ui/page';
import { pendingPage } from '@/components/ui/states';
import { featureMeta, formatDate, formatFeature, formatPercent, sourceLabel } from '@/lib/features';

import { useAnalysis } from '../api/analysis';

const BASELINE_WORDS: Record<string, string> = { random: 'random guess', majority: 'always the commonest genre' };

/** {feature: measured|estimated} → "measured: tempo, key; estimated: energy". */
function howText(how: Record<string, string> | string): string {
  if (typeof how === 'string') return how;
  const groups: Record<string, string[]> = {};
  for (const [feature, kind] of Object.entries(how)) (groups[kind] ??= []).push(feature);
  const parts = Object.entries(groups).map(([kind, fs]) => `${kind}: ${fs.join(', ')}`);
  return parts.length ? parts.join('; ') : '–';
}
import { PercentileTable } from '../components/percentile-table';

export function AnalysisRoute() {
  const { trackId = '' } = useParams();
  const query = useAnalysis(trackId);
  const waiting = pendingPage(query, { title: 'Track analysis', testId: 'page-analysis', loadingLabel: 'Analysing the track…' });
  if (waiting || !query.data) return waiting;
  const doc = query.data;
  const t = doc.track;
  const genres = doc.genres;
  // `label` names what the model predicts (genre or sub-genre); the probabilities come most likely first.
  const top = genres ? Object.entries(genres.probabilities).sort((a, b) => b[1] - a[1])[0] : undefined;
  return (
    <Page
      title={t.name}
      subtitle={
        <>
          {t.artists.join(', ')}
          {t.album ? ` · ${t.album}` : ''}
          {t.release_year ? ` · ${t.release_year}` : ''}
        </>
      }
      testId="page-analysis"
      actions={
        doc.rhythm ? (
          <Link className="button button-primary" to={`/rhythm/${encodeURIComponent(t.id)}`} data-testid="open-rhythm">
            Open rhythm view
          </Link>
        ) : null
      }
    >
      <div className="analysis-head">
        <Cover url={null} alt={`Cover of ${t.album || t.name}`} size={120} />
        <dl className="facts">
          <div>
            <dt>Features from</dt>
            <dd>
              <SourceBadge source={doc.feature_source} />
            </dd>
          </div>
          {top ? (
            <div>
              <dt>Sounds most like</dt>
              <dd className="big" data-testid="top-genre">
                {top[0]} <span className="muted">({formatPercent(top[1])})</span>
              </dd>
            </div>
          ) : null}
          {doc.features?.tempo ? (
            <div>
              <dt>Tempo</dt>
              <dd className="big">{formatFeature('tempo', doc.features.tempo)} BPM</dd>
              <Confidence value={doc.rhythm?.confidence.tempo} />
            </div>
          ) : null}
          {doc.features?.key !== undefined && doc.features?.key !== null ? (
            <div>
              <dt>Key</dt>
              <dd className="big">
                {formatFeature('key', doc.features.key)} {formatFeature('mode', doc.features.mode)}
              </dd>
              <Confidence value={doc.rhythm?.confidence.key} />
            </div>
          ) : null}
        </dl>
      </div>
      {doc.reason ? (
        <p className="notice" data-testid="analysis-reason" role="note">
          {doc.reason}
        </p>
      ) : null}

      <div className="grid-2">
        <Card title="Genre probabilities" testId="genre-card">
          {genres ? (
            <>
              <BarChart data={toBars([genres.probabilities])} series={[{ label: 'probability', colour: SERIES.you }]} unit="probability (%)" title={`Genre probabilities for ${t.name}`} max={1} />
              <dl className="model-facts" data-testid="model-accuracy">
                <div>
                  <dt>Model accuracy</dt>
                  <dd>
                    {genres.accuracy ? (
                      <>
                        <strong>{formatPercent(genres.accuracy.value, 1)}</strong> <span className="muted">({genres.accuracy.protocol})</span>
                      </>
                    ) : (
                      'not measured'
                    )}
                  </dd>
                </div>
                {Object.entries(genres.baselines).map(([name, value]) => (
                  <div key={name}>
                    <dt>Baseline: {BASELINE_WORDS[name] ?? name}</dt>
                    <dd>{formatPercent(value, 1)}</dd>
                  </div>
                ))}
                <div>
                  <dt>Trained on</dt>
                  <dd>
                    {genres.dataset.name} · model {genres.model}
                  </dd>
                </div>
              </dl>
              {genres.note ? <p className="muted small">{genres.note}</p> : null}
              <p className="muted small">{genres.dataset.licence_note}</p>
            </>
          ) : (
            <p className="notice">No genre prediction: {doc.reason ?? 'there is no active model or no features for this track.'}</p>
          )}
        </Card>
        <Card title="Where each number came from" testId="sources-card">
          {doc.sources.length === 0 ? (
            <p className="notice">No provider had features for this track.</p>
          ) : (
            <div className="scroll-x">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Source</th>
                    <th scope="col">How</th>
                    <th scope="col">Fetched</th>
                    <th scope="col" className="num">
                      Energy
                    </th>
                    <th scope="col" className="num">
                      Tempo
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {doc.sources.map((s, i) => (
                    <tr key={`${s.source}-${i}`}>
                      <td>
                        <span className="swatch" style={{ background: colour(i) }} aria-hidden="true" /> {sourceLabel(s.source)}
                        {s.source_version ? <span className="muted"> {s.source_version}</span> : null}
                      </td>
                      <td>{howText(s.how)}</td>
                      <td>{formatDate(s.fetched_at)}</td>
                      <td className="num">{formatFeature('energy', s.features.energy)}</td>
                      <td className="num">{formatFeature('tempo', s.features.tempo)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p className="muted small">
            Stored analysis for sources {doc.stored.sources_key.slice(0, 12)}
            {doc.stored.model_version ? ` · model ${doc.stored.model_version}` : ''}
          </p>
        </Card>
      </div>
      <Card title="Features and percentiles per genre" testId="percentiles-card">
        {doc.features ? (
          doc.percentiles ? (
            <PercentileTable doc={doc} />
          ) : (
            <>
              <ul className="feature-list">
                {Object.entries(doc.features).map(([k, v]) => (
                  <li key={k}>
                    {featureMeta(k).label}: <strong>{formatFeature(k, v)}</strong> <span className="unit">{featureMeta(k).unit}</span>
                  </li>
                ))}
              </ul>
              <p className="muted small">No percentiles: there is no dataset to compare with yet.</p>
            </>
          )
        ) : (
          <p className="notice">{doc.reason ?? 'No features for this track.'}</p>
        )}
      </Card>
    </Page>
  );
}
