import { ApiError } from '@/api/client';
import { Card, Page } from '@/components/ui/page';
import { Empty, QueryView } from '@/components/ui/states';
import { useDatasets, useModel } from '@/features/model/api/model';
import { formatDate, formatPercent } from '@/lib/features';

import { useCapabilities, useHealth } from '../api/status';

const FLAG_WORDS: Record<string, string> = {
  audio_features: 'Audio features from Spotify',
  categories: 'Browse categories',
  audio_analysis: 'Spotify audio analysis',
  recommendations: 'Recommendations',
  other_playlists: "Other people's playlists",
};

function flagText(value: boolean | null): string {
  if (value === null) return 'not tried yet';
  return value ? 'allowed' : 'refused';
}

export function StatusRoute() {
  const caps = useCapabilities();
  const health = useHealth();
  const datasets = useDatasets();
  const model = useModel();
  return (
    <Page title="Status" subtitle="What this genrelens can do right now, and why anything is off." testId="page-status">
      <div className="grid-2">
        <Card title="Health" testId="status-health">
          <QueryView query={health}>
            {(h) => (
              <>
                <p className={`status-pill status-${h.status}`}>{h.status === 'ok' ? 'Everything answers' : 'Something is degraded'}</p>
                <ul className="check-list">
                  {Object.entries(h.checks).map(([name, c]) => (
                    <li key={name} className={c.ok ? 'ok' : 'bad'}>
                      <span aria-hidden="true">{c.ok ? '✓' : '✗'}</span> <strong>{name}</strong>: {c.detail}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </QueryView>
        </Card>
        <Card title="Spotify app" testId="status-capabilities">
          <QueryView query={caps}>
            {(c) => (
              <>
                <p>
                  {c.logged_in ? 'You are logged in.' : 'Nobody is logged in in this browser.'}
                  {c.spotify.configured ? '' : ' No Spotify app is configured: search and analyses use the imported catalog.'}
                  {c.spotify.search_limit ? ` Search returns up to ${c.spotify.search_limit} results a page.` : ''}
                </p>
                <ul className="check-list">
                  {Object.entries(c.spotify.flags).map(([flag, v]) => (
                    <li key={flag} className={v === false ? 'bad' : v ? 'ok' : ''}>
                      <span aria-hidden="true">{v === false ? '✗' : v ? '✓' : '?'}</span> {FLAG_WORDS[flag] ?? flag.replace(/_/g, ' ')}: {flagText(v)}
                    </li>
                  ))}
                </ul>
                {c.spotify.off.length ? (
                  <>
                    <h3 className="subhead">Turned off, and why</h3>
                    <ul className="why-list" data-testid="capabilities-off">
                      {c.spotify.off.map((o) => (
                        <li key={o.what}>
                          <strong>{o.what}</strong>: {o.why}
                        </li>
                      ))}
                    </ul>
                  </>
                ) : null}
              </>
            )}
          </QueryView>
        </Card>
        <Card title="Feature providers" testId="status-providers">
          <QueryView query={caps}>
            {(c) => (
              <ol className="check-list">
                {c.providers.map((p) => (
                  <li key={p.name} className={p.enabled ? 'ok' : 'bad'}>
                    <span aria-hidden="true">{p.enabled ? '✓' : '✗'}</span> <strong>{p.name}</strong>
                    {p.enabled ? ' in use' : ' off'}
                    {p.reason ? `: ${p.reason}` : ''}
                  </li>
                ))}
              </ol>
            )}
          </QueryView>
          <p className="muted small">Providers are asked in this order; each track's features come from the first that has them.</p>
        </Card>
        <Card title="Model" testId="status-model">
          {model.error instanceof ApiError && model.error.status === 404 ? (
            <p>No model is active yet, so tracks get no genre. {model.error.message}</p>
          ) : (
          <QueryView query={model}>
            {(m) => (
              <p>
                Model <strong>{m.version}</strong>, trained {formatDate(m.created_at)} on {m.dataset.name}, {m.accuracy ? `guesses the genre right ${formatPercent(m.accuracy.value, 1)} of the time (${m.accuracy.protocol}).` : 'has no measured accuracy.'}
              </p>
            )}
          </QueryView>
          )}
        </Card>
      </div>
      <Card title="Datasets" testId="status-datasets">
        <QueryView query={datasets} isEmpty={(d) => d.items.length === 0} empty={<Empty title="No dataset imported yet." />}>
          {(d) => (
            <div className="scroll-x">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Source</th>
                    <th scope="col">Format</th>
                    <th scope="col">Licence</th>
                    <th scope="col" className="num">
                      Tracks
                    </th>
                    <th scope="col">Imported</th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((ds) => (
                    <tr key={ds.name}>
                      <th scope="row">
                        {ds.name} {ds.synthetic ? <span className="badge badge-synthetic">synthetic</span> : null}
                      </th>
                      <td>{ds.source}</td>
                      <td>{ds.format}</td>
                      <td>{ds.licence ?? '–'}</td>
                      <td className="num">{ds.row_count.toLocaleString()}</td>
                      <td>{formatDate(ds.imported_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryView>
      </Card>
    </Page>
  );
}
