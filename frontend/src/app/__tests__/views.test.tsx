// Each view in its loading, empty, error and data states, rendered through the real router.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { apiError, json, noContent, pending, serve } from '@/testing/fixture-server';
import * as fx from '@/testing/fixtures';
import { renderApp } from '@/testing/render';

const loggedIn = { 'GET me': fx.meIn };
const loggedOut = { 'GET me': fx.meOut };

async function findState(state: 'loading' | 'empty' | 'error') {
  return screen.findByTestId(`state-${state}`);
}

describe('Home', () => {
  it('shows the login call and what works without it when logged out', async () => {
    serve(loggedOut);
    renderApp('/');
    expect(await screen.findByTestId('home-logged-out')).toBeInTheDocument();
    expect(screen.getByTestId('home-login')).toHaveAttribute('href', fx.meOut.connected ? '' : fx.meOut.login_url);
    expect(screen.getByTestId('shortcut-search')).toBeInTheDocument();
    expect(screen.queryByTestId('now-playing')).toBeNull();
  });

  it('greets the user and shows what is playing', async () => {
    serve({ ...loggedIn, 'GET nowplaying': fx.nowPlaying });
    renderApp('/');
    expect(await screen.findByRole('heading', { name: 'Hello, Alice' })).toBeInTheDocument();
    expect(await screen.findByTestId('now-playing-track')).toHaveTextContent(fx.nowPlaying.track.name);
    expect(screen.getByTestId('now-playing')).toHaveTextContent('about 120 BPM');
    // its genre came from features estimated from a local file: marked, and said so
    expect(within(screen.getByTestId('now-playing')).getByTestId('genre-estimated')).toHaveAttribute('title', expect.stringContaining('62% of the time'));
  });

  it('says so when nothing is playing (204)', async () => {
    serve({ ...loggedIn, 'GET nowplaying': () => noContent() });
    renderApp('/');
    expect(await screen.findByText('Nothing is playing on Spotify.')).toBeInTheDocument();
  });

  it('shows a loading state, then the API error message', async () => {
    serve({ 'GET me': () => pending() });
    renderApp('/');
    expect(await findState('loading')).toBeInTheDocument();
  });

  it('renders the server error sentence', async () => {
    serve({ 'GET me': apiError(502, 'upstream', 'Spotify did not answer in time.') });
    renderApp('/');
    const err = await screen.findAllByTestId('state-error');
    expect(err[0]).toHaveTextContent('Spotify did not answer in time.');
  });
});

describe('Search', () => {
  it('is empty before a query', async () => {
    serve(loggedOut);
    renderApp('/search');
    expect(await findState('empty')).toHaveTextContent('Type something to search.');
  });

  it('shows track results in the track table and the source', async () => {
    const calls = serve({ ...loggedOut, 'GET search': fx.searchTracks });
    renderApp('/search?q=song&type=track');
    expect(await screen.findByTestId('track-table')).toBeInTheDocument();
    expect(screen.getByTestId('search-source')).toHaveTextContent('the imported catalog');
    expect(screen.getAllByTestId('track-row')).toHaveLength(8);
    expect(calls.find((c) => c.url.pathname === '/rest/search')?.url.searchParams.get('q')).toBe('song');
  });

  it('submits the form into the URL', async () => {
    serve({ ...loggedOut, 'GET search': { ...fx.searchTracks, tracks: [] } });
    const { router } = renderApp('/search');
    await userEvent.type(await screen.findByTestId('search-input'), 'nothing here');
    await userEvent.click(screen.getByTestId('search-submit'));
    expect(await screen.findByText('Nothing found for “nothing here”.')).toBeInTheDocument();
    expect(router.state.location.search).toContain('q=nothing+here');
  });

  it('shows an invalid-parameter error', async () => {
    serve({ ...loggedOut, 'GET search': apiError(400, 'invalid', 'type must be one of track, artist, album.') });
    renderApp('/search?q=x&type=track');
    expect(await findState('error')).toHaveTextContent('type must be one of track, artist, album.');
  });

  it('lists artists and albums', async () => {
    serve({
      ...loggedOut,
      'GET search': (url: URL) =>
        url.searchParams.get('type') === 'artist'
          ? json({ ...fx.searchTracks, type: 'artist', tracks: [], artists: [{ id: 'a1', name: 'Band', image_url: null, genres: ['rock'] }] })
          : json({ ...fx.searchTracks, type: 'album', tracks: [], albums: [{ id: 'al1', name: 'Record', artists: ['Band'], release_year: 1999, image_url: null, total_tracks: 10 }] }),
    });
    renderApp('/search?q=x&type=artist');
    expect(await screen.findByTestId('artist-results')).toHaveTextContent('Band');
    await userEvent.click(screen.getByTestId('search-type-album'));
    expect(await screen.findByRole('link', { name: 'Record' })).toHaveAttribute('href', '/album/al1');
  });
});

describe('Browse', () => {
  it('shows the plain reason when categories are restricted, and my playlists', async () => {
    serve({
      ...loggedIn,
      'GET categories': apiError(409, 'restricted', 'Browse categories are not available.', { what: 'categories', why: 'Spotify no longer lists categories for development-mode apps.' }),
      'GET myplaylists': { items: [{ ...fx.playlists.items[0], is_mine: true, name: 'Mine' }] },
    });
    renderApp('/browse');
    const err = await screen.findByTestId('state-error');
    expect(err).toHaveAttribute('data-code', 'restricted');
    expect(err).toHaveTextContent('Spotify no longer lists categories for development-mode apps.');
    expect(within(err).queryByRole('button', { name: 'Try again' })).toBeNull();
    expect(await screen.findByTestId('my-playlist-grid')).toHaveTextContent('Mine');
  });

  it('goes from a category to its playlists', async () => {
    serve({ ...loggedIn, 'GET categories': { items: [{ id: 'rock', name: 'Rock', icon_url: null }] }, 'GET myplaylists': { items: [] }, 'GET playlists': fx.playlists });
    renderApp('/browse');
    expect(await screen.findByText('You have no playlists yet.')).toBeInTheDocument();
    await userEvent.click(await screen.findByTestId('category-link'));
    expect(await screen.findByTestId('category-playlists')).toHaveTextContent('Morning Rock');
  });

  it('asks to log in when my playlists need a user', async () => {
    serve({ ...loggedOut, 'GET categories': { items: [] }, 'GET myplaylists': apiError(401, 'not_logged_in', 'Log in to see your playlists.', { login_url: '/rest/auth/login?next=/browse' }) });
    renderApp('/browse');
    expect(await screen.findByRole('link', { name: 'Log in with Spotify', hidden: false, description: undefined })).toBeInTheDocument();
    const err = await screen.findByTestId('state-error');
    expect(within(err).getByRole('link', { name: 'Log in with Spotify' })).toHaveAttribute('href', '/rest/auth/login?next=/browse');
  });
});

describe('Track lists', () => {
  it('loads every page of liked tracks into one table with coverage', async () => {
    const all = fx.makeTracks(700);
    serve({
      ...loggedIn,
      'GET likedtracks': (url: URL) => {
        const offset = Number(url.searchParams.get('offset'));
        const items = all.slice(offset, offset + 500);
        return json(fx.trackPage(items, { offset, total: 700, next: offset + 500 < 700 ? offset + 500 : null }));
      },
    });
    renderApp('/liked');
    await waitFor(() => expect(screen.getByTestId('table-count')).toHaveTextContent('700 tracks'));
    expect(screen.getByTestId('coverage')).toHaveTextContent(`${all.filter((t) => t.features).length} of 700 tracks have features`);
    // virtualised: far fewer DOM rows than tracks
    expect(screen.getAllByTestId('track-row').length).toBeLessThan(60);
  });

  it('shows an empty list and a reauth link', async () => {
    serve({ ...loggedIn, 'GET likedtracks': fx.trackPage([]) });
    renderApp('/liked');
    expect(await findState('empty')).toHaveTextContent('You have not liked any track yet.');
  });

  it('offers to reconnect when Spotify refuses the token', async () => {
    serve({ ...loggedIn, 'GET toptracks': apiError(401, 'reauth', 'Spotify no longer accepts your login.', { reconnect_url: '/rest/auth/login?next=/top' }) });
    renderApp('/top');
    const err = await findState('error');
    expect(within(err).getByRole('link', { name: 'Reconnect Spotify' })).toHaveAttribute('href', '/rest/auth/login?next=/top');
  });

  it('switches the top-tracks time range', async () => {
    const calls = serve({ ...loggedIn, 'GET toptracks': fx.trackPage(fx.makeTracks(5)) });
    renderApp('/top');
    await screen.findByTestId('track-table');
    await userEvent.click(screen.getByTestId('range-short_term'));
    await waitFor(() => expect(calls.some((c) => c.url.searchParams.get('time_range') === 'short_term')).toBe(true));
    expect(screen.getByTestId('range-short_term')).toHaveAttribute('aria-selected', 'true');
  });

  it('shows a playlist and an album', async () => {
    serve({ ...loggedIn, 'GET playlist_tracks': fx.trackPage(fx.makeTracks(3)), 'GET album_tracks': apiError(404, 'not_found', 'No album with id x.') });
    renderApp('/playlist/pl1');
    expect(await screen.findAllByTestId('track-row')).toHaveLength(3);
  });

  it('shows a missing album as not found', async () => {
    serve({ ...loggedIn, 'GET album_tracks': apiError(404, 'not_found', 'No album with id x.') });
    renderApp('/album/x');
    expect(await findState('error')).toHaveTextContent('No album with id x.');
  });
});

describe('Track analysis', () => {
  it('shows features, percentiles, genre probabilities with accuracy and baselines, and sources', async () => {
    serve({ ...loggedOut, 'GET analysis': fx.analysis });
    renderApp(`/track/${fx.analysis.track.id}`);
    expect(await screen.findByTestId('top-genre')).toHaveTextContent('rock (46 %)');
    expect(screen.getByTestId('model-accuracy')).toHaveTextContent('53.1 %');
    expect(screen.getByTestId('model-accuracy')).toHaveTextContent('always the commonest genre');
    expect(screen.getByTestId('percentile-table')).toHaveTextContent('All genres');
    expect(screen.getByTestId('sources-card')).toHaveTextContent('reccobeats');
    expect(screen.queryByTestId('open-rhythm')).toBeNull();
  });

  it('says why there are no features', async () => {
    serve({ ...loggedOut, 'GET analysis': { ...fx.analysis, features: null, feature_source: null, sources: [], genres: null, percentiles: null, reason: 'No provider has features for this track: Spotify refuses audio features to this app and ReccoBeats does not know it.' } });
    renderApp('/track/abc');
    expect(await screen.findByTestId('analysis-reason')).toHaveTextContent('ReccoBeats does not know it');
  });

  it('shows loading then a bad id error', async () => {
    serve({ ...loggedOut, 'GET analysis': apiError(400, 'invalid', 'track_id is not a Spotify ID, URI or URL.') });
    renderApp('/track/%20bad');
    expect(await findState('error')).toHaveTextContent('track_id is not a Spotify ID, URI or URL.');
  });

  it('links local tracks to their rhythm view, with each estimate\'s agreement and an honest genre claim', async () => {
    serve({ ...loggedOut, 'GET analysis': fx.uploadedAnalysis });
    renderApp('/track/local:42');
    expect(await screen.findByTestId('open-rhythm')).toHaveAttribute('href', '/rhythm/local%3A42');
    expect(screen.getByTestId('fidelity-energy')).toHaveTextContent("r 0.80 with Spotify's value, typical error 0.11 (guessing the mean: 0.21)");
    expect(screen.getByTestId('fidelity-tempo')).toHaveTextContent('measured from the audio');
    expect(screen.getByTestId('local-agreement')).toHaveTextContent('matched the one from Spotify\'s features 59 % of the time (top two: 77 %)');
  });

  it('shows no agreement column or local claim for a Spotify track', async () => {
    serve({ ...loggedOut, 'GET analysis': fx.analysis });
    renderApp(`/track/${fx.analysis.track.id}`);
    expect(await screen.findByTestId('percentile-table')).toBeInTheDocument();
    expect(screen.queryByTestId('fidelity-note')).toBeNull();
    expect(screen.queryByTestId('local-agreement')).toBeNull();
  });
});

describe('Taste', () => {
  it('draws the user against the public, with summary, coverage and genre mix', async () => {
    serve({ ...loggedIn, 'GET taste': fx.taste, 'GET taste/public': fx.publicTaste });
    renderApp('/taste');
    expect(await screen.findByTestId('taste-summary')).toHaveTextContent('closest to pop');
    expect(screen.getByTestId('taste-coverage')).toHaveTextContent('790');
    expect(await screen.findByTestId('taste-overlay')).toBeInTheDocument();
    expect((await screen.findAllByTestId('density-chart')).length).toBeGreaterThan(3);
    await userEvent.selectOptions(screen.getByTestId('taste-genre'), 'rock');
    expect(screen.getByTestId('taste-summary')).toHaveTextContent('than rock tracks');
  });

  it('offers the first refresh when there is no taste, and shows the job progress', async () => {
    let polls = 0;
    serve({
      ...loggedIn,
      'GET taste': apiError(404, 'no_taste', 'No taste yet: refresh it.'),
      'GET taste/public': fx.publicTaste,
      'POST taste/refresh': json(fx.job('queued'), 202),
      [`GET jobs/${fx.job('queued').id}`]: () => json(fx.job(polls++ ? 'failed' : 'running')),
    });
    renderApp('/taste');
    await userEvent.click(await screen.findByRole('button', { name: 'Compute my taste' }));
    expect(await screen.findByTestId('job-progress')).toBeInTheDocument();
    expect(await screen.findByText('Spotify refused the request.', {}, { timeout: 4000 })).toBeInTheDocument();
  });

  it('asks to log in', async () => {
    serve({ ...loggedOut, 'GET taste': apiError(401, 'not_logged_in', 'Log in to see your taste.', { login_url: '/rest/auth/login?next=/taste' }), 'GET taste/public': fx.publicTaste });
    renderApp('/taste');
    expect(await findState('error')).toHaveTextContent('Log in to see your taste.');
  });

  it('shows loading', async () => {
    serve({ ...loggedIn, 'GET taste': () => pending(), 'GET taste/public': () => pending() });
    renderApp('/taste');
    expect(await findState('loading')).toHaveTextContent('Loading your taste');
  });
});

describe('Compare and shared links', () => {
  it('creates, lists and revokes share links', async () => {
    let links = [] as (typeof fx.shareLink)[];
    const calls = serve({
      ...loggedIn,
      'GET share': () => json({ items: links }),
      'POST share': () => {
        links = [fx.shareLink];
        return json(fx.shareLink, 201);
      },
      [`DELETE share/${fx.shareLink.token}`]: () => {
        links = [];
        return noContent();
      },
    });
    renderApp('/compare');
    expect(await screen.findByText('No share links yet.')).toBeInTheDocument();
    await userEvent.click(screen.getByTestId('share-create'));
    expect(await screen.findByTestId('share-url')).toHaveTextContent(`/shared/${fx.shareLink.token}`);
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ days: 30 });
    await userEvent.click(screen.getByTestId('share-revoke'));
    expect(await screen.findByText('No share links yet.')).toBeInTheDocument();
  });

  it('opens a pasted link', async () => {
    serve({ ...loggedOut, 'GET shared/tok_abc123': fx.shared, 'GET compare': fx.comparison });
    const { router } = renderApp('/compare');
    await userEvent.type(await screen.findByTestId('share-open-input'), 'http://127.0.0.1:8000/shared/tok_abc123');
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe('/shared/tok_abc123'));
  });

  it('compares a shared taste with the public when logged out', async () => {
    const calls = serve({ ...loggedOut, 'GET shared/tok_abc123': fx.shared, 'GET compare': fx.comparison });
    renderApp('/shared/tok_abc123');
    expect(await screen.findByRole('heading', { name: "Bob's taste" })).toBeInTheDocument();
    expect(await screen.findByTestId('similarity-score')).toHaveTextContent('74 %');
    expect(screen.getByTestId('biggest-differences')).toHaveTextContent('Energy: median 0.70 vs 0.50, 60 % overlap');
    expect(screen.getByTestId('compare-with-me')).toBeDisabled();
    expect(calls.find((c) => c.url.pathname === '/rest/compare')?.url.searchParams.get('with')).toBe('public');
  });

  it('explains an expired or revoked link', async () => {
    serve({ ...loggedOut, 'GET shared/gone': apiError(404, 'not_found', 'This share link has expired or was revoked.') });
    renderApp('/shared/gone');
    expect(await findState('error')).toHaveTextContent('This share link has expired or was revoked.');
  });
});

describe('Rhythm', () => {
  it('draws an uploaded track with an audio element when the file is known', async () => {
    serve({ ...loggedOut, 'GET analysis': fx.uploadedAnalysis });
    renderApp('/rhythm/local:42');
    expect(await screen.findByTestId('rhythm-canvas')).toBeInTheDocument();
    expect(screen.getByText('120.0 BPM')).toBeInTheDocument();
    expect(screen.getByText('confident (82 %)')).toBeInTheDocument(); // the tempo's confidence
    expect(screen.getByText('fairly sure (55 %)')).toBeInTheDocument(); // the metre's
    // the file is neither in this tab nor in the browser's storage: ask for it rather than fetch it
    expect(await screen.findByTestId('rhythm-file')).toBeInTheDocument();
    const file = new File([new Uint8Array([1, 2, 3])], 'demo.wav', { type: 'audio/wav' });
    URL.createObjectURL = () => 'blob:demo';
    URL.revokeObjectURL = () => {};
    await userEvent.upload(screen.getByTestId('rhythm-file'), file);
    expect(await screen.findByTestId('rhythm-audio')).toHaveAttribute('src', 'blob:demo');
    await userEvent.click(screen.getByTestId('rhythm-forget'));
    expect(await screen.findByTestId('rhythm-file')).toBeInTheDocument();
    expect(screen.queryByTestId('rhythm-audio')).toBeNull();
  });

  it('says there are no beats for a Spotify track', async () => {
    serve({ ...loggedOut, 'GET analysis': fx.analysis });
    renderApp('/rhythm/abc');
    expect(await findState('empty')).toHaveTextContent('No beats for this track.');
  });

  it('labels the now-playing grid as an estimate', async () => {
    serve({ ...loggedIn, 'GET nowplaying': fx.nowPlaying });
    renderApp('/rhythm');
    expect(await screen.findByTestId('estimate-label')).toHaveTextContent('Estimate.');
    expect(screen.getByTestId('rhythm-canvas')).toBeInTheDocument();
  });

  it('waits when nothing plays, and explains errors', async () => {
    serve({ ...loggedIn, 'GET nowplaying': () => noContent() });
    renderApp('/rhythm');
    expect(await findState('empty')).toHaveTextContent('Nothing is playing');
  });

  it('shows a restricted now playing plainly', async () => {
    serve({ ...loggedIn, 'GET nowplaying': apiError(409, 'restricted', 'Now playing is not available.', { what: 'player', why: 'This app may not read playback state.' }) });
    renderApp('/rhythm');
    expect(await findState('error')).toHaveTextContent('This app may not read playback state.');
  });
});

describe('Model and Status', () => {
  it('shows the model card with accuracy, protocol, confusion matrix and the licence note', async () => {
    serve({ ...loggedOut, 'GET model': fx.modelCard, 'GET datasets': fx.datasets });
    renderApp('/model');
    expect(await screen.findByTestId('licence-note')).toHaveTextContent("Spotify's developer terms do not allow training machine-learning models on Spotify content");
    expect(screen.getByTestId('model-dataset')).toHaveTextContent('tidytuesday');
    expect(screen.getByTestId('model-protocol')).toHaveTextContent('grouped by artist');
    expect(await screen.findByTestId('confusion-matrix')).toBeInTheDocument();
  });

  it('says when there is no model', async () => {
    serve({ ...loggedOut, 'GET model': apiError(404, 'not_found', 'No active model.'), 'GET datasets': { items: [] } });
    renderApp('/model');
    expect(await findState('empty')).toHaveTextContent('No model is active yet.');
  });

  it('lists capabilities, providers and datasets in words', async () => {
    serve({ ...loggedOut, 'GET capabilities': fx.capabilities, 'GET health': fx.health, 'GET datasets': fx.datasets, 'GET model': fx.modelCard });
    renderApp('/status');
    expect(await screen.findByTestId('capabilities-off')).toHaveTextContent('Spotify stopped serving audio features');
    expect(screen.getByTestId('status-providers')).toHaveTextContent('reccobeats in use');
    expect(await screen.findByTestId('status-datasets')).toHaveTextContent('32,833');
    expect(screen.getByTestId('status-health')).toHaveTextContent('Everything answers');
  });

  it('shows an empty dataset list', async () => {
    serve({ ...loggedOut, 'GET capabilities': fx.capabilities, 'GET health': fx.health, 'GET datasets': { items: [] }, 'GET model': apiError(404, 'not_found', 'No active model.') });
    renderApp('/status');
    expect(await screen.findByText('No dataset imported yet.')).toBeInTheDocument();
  });
});

describe('Not found', () => {
  it('has a page for unknown addresses', async () => {
    serve(loggedOut);
    renderApp('/nowhere');
    expect(await findState('empty')).toHaveTextContent('There is no page at this address.');
  });
});
