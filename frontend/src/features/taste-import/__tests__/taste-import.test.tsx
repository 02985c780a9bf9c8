// The import on the taste page in each state: offered without a login, uploading, working through
// its stages, failed with the file named, done with the match report; then the taste it made.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { apiError, json, serve } from '@/testing/fixture-server';
import * as fx from '@/testing/fixtures';
import { renderApp } from '@/testing/render';

const loggedOut = { 'GET me': fx.meOut, 'GET taste/public': fx.publicTaste };
const notLoggedIn = apiError(401, 'not_logged_in', 'Log in to see your taste.', { login_url: '/rest/auth/login?next=/taste' });

/**
 * XMLHttpRequest as the browser's upload would behave, answering from the test: it reports the
 * bytes sent in two steps, then the body (fetch cannot report upload progress, so the app uses XHR).
 */
function serveUpload(answer: { status: number; body: unknown }, hold: Promise<void> = Promise.resolve()) {
  const sent: FormData[] = [];
  class FakeXhr {
    status = 0;
    responseText = '';
    upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    withCredentials = false;
    url = '';
    open(_method: string, url: string) {
      this.url = url;
    }
    setRequestHeader() {}
    abort() {}
    async send(body: FormData) {
      sent.push(body);
      this.upload.onprogress?.({ lengthComputable: true, loaded: 40, total: 100 });
      await hold;
      this.status = answer.status;
      this.responseText = JSON.stringify(answer.body);
      this.onload?.();
    }
  }
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  return sent;
}

const exportFile = () => new File(['[]'], 'my_spotify_data.zip', { type: 'application/zip' });

afterEach(() => vi.unstubAllGlobals());

describe('Importing listening data', () => {
  it('is offered to a person without a Spotify login', async () => {
    serve({ ...loggedOut, 'GET taste': notLoggedIn });
    renderApp('/taste');
    expect(await screen.findByRole('heading', { name: 'No Spotify login? Use your data export' })).toBeInTheDocument();
    expect(screen.getByTestId('taste-import-file')).toBeEnabled();
  });

  it('shows the upload progress, then each stage, then how the plays matched', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const sent = serveUpload({ status: 202, body: fx.tasteImport('queued') }, held);
    let polls = 0;
    serve({
      ...loggedOut,
      'GET taste': notLoggedIn,
      [`GET taste/imports/${fx.tasteImport('queued').id}`]: () => json(polls++ === 0 ? fx.tasteImport('features') : fx.tasteImport('done')),
    });
    renderApp('/taste');
    await userEvent.upload(await screen.findByTestId('taste-import-file'), exportFile());
    expect(await screen.findByTestId('taste-import-upload')).toHaveTextContent('Uploading');
    expect(screen.getByTestId('taste-import-upload')).toHaveTextContent('40');
    expect(screen.getByTestId('taste-import-file')).toBeDisabled();
    release();
    expect((sent[0].get('file') as File).name).toBe('my_spotify_data.zip');
    expect(await screen.findByTestId('taste-import-stage')).toHaveTextContent('Waiting for the worker');
    await waitFor(() => expect(screen.getByTestId('taste-import-stage')).toHaveTextContent('Fetching audio features'), { timeout: 3000 });
    expect(screen.getByTestId('taste-import-stage')).toHaveTextContent('1,200 of 4,000 tracks');
    const done = await screen.findByTestId('taste-import-done', {}, { timeout: 4000 });
    expect(done).toHaveTextContent(/85\s?%/);
    expect(done).toHaveTextContent('no features: 50');
    expect(done).toHaveTextContent('by Spotify link: 260');
    expect(done).toHaveTextContent('features from reccobeats: 230');
  });

  it('says which file and entry a failed import could not read', async () => {
    serveUpload({ status: 202, body: fx.tasteImport('queued') });
    serve({ ...loggedOut, 'GET taste': notLoggedIn, [`GET taste/imports/${fx.tasteImport('queued').id}`]: fx.tasteImport('failed') });
    renderApp('/taste');
    await userEvent.upload(await screen.findByTestId('taste-import-file'), exportFile());
    expect(await screen.findByTestId('taste-import-error')).toHaveTextContent('Streaming_History_Audio_2019_0.json, entry 7');
    expect(screen.getByTestId('taste-import-file')).toBeEnabled();
  });

  it('shows a refused upload in the error shape', async () => {
    serveUpload({ status: 413, body: { error: { status: 413, code: 'too_large', message: 'the upload is larger than the limit of 52,428,800 bytes', details: null } } });
    serve({ ...loggedOut, 'GET taste': notLoggedIn });
    renderApp('/taste');
    await userEvent.upload(await screen.findByTestId('taste-import-file'), exportFile());
    expect(await within(screen.getByTestId('taste-import')).findByTestId('state-error')).toHaveTextContent('larger than the limit');
  });
});

describe('A taste from uploaded audio', () => {
  it('is drawn on request, and says what to do when nothing was analysed', async () => {
    const calls = serve({ ...loggedOut, 'GET taste': notLoggedIn, 'POST taste/local': apiError(404, 'not_found', 'no analysed local music yet: upload audio first') });
    renderApp('/taste');
    await userEvent.click(await screen.findByTestId('taste-local'));
    expect(await within(screen.getByTestId('taste-import')).findByTestId('state-error')).toHaveTextContent('upload audio first');
    expect(calls.some((c) => c.method === 'POST' && c.url.pathname === '/rest/taste/local')).toBe(true);
  });
});

describe('A taste from an export', () => {
  const sources = {
    guest: true,
    items: [{ source: 'spotify_export', label: 'Spotify data export', updated_at: '2026-12-02T12:00:00Z', weightings: ['plays', 'tracks'] }],
  };

  it('says which taste it shows, how it matched, switches the weighting and shares it', async () => {
    const calls = serve({
      ...loggedOut,
      'GET taste': (url: URL) => json(url.searchParams.get('weighting') === 'tracks' ? { ...fx.exportTaste, weighting: 'tracks', weighting_label: 'each track once' } : fx.exportTaste),
      'GET taste/sources': sources,
      'POST share': json(fx.shareLink, 201),
    });
    renderApp('/taste');
    expect(await screen.findByTestId('taste-which')).toHaveTextContent('From your Spotify data export, weighted by counted plays');
    expect(screen.getByTestId('taste-match')).toHaveTextContent('1,500 counted');
    await userEvent.selectOptions(await screen.findByTestId('taste-weighting'), 'tracks');
    expect(screen.queryByTestId('taste-refresh')).toBeNull(); // a guest has no Spotify library to refresh from
    await waitFor(() => expect(screen.getByTestId('taste-which')).toHaveTextContent('each track once'));
    expect(calls.some((c) => c.url.pathname === '/rest/taste' && c.url.searchParams.get('weighting') === 'tracks')).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Share this taste' }));
    expect(await screen.findByTestId('share-this-taste-url')).toHaveTextContent(fx.shareLink.url);
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ source: 'spotify_export', weighting: 'tracks' });
  });

  it('lets a guest create share links on the compare page', async () => {
    serve({ ...loggedOut, 'GET taste/sources': sources, 'GET share': { items: [] } });
    renderApp('/compare');
    expect(await screen.findByTestId('share-card')).toBeInTheDocument();
  });
});
