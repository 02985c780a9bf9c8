import { Link } from 'react-router';

import { loginUrl } from '@/api/client';
import { Card, Cover, Page } from '@/components/ui/page';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { useMe } from '@/features/auth/api/me';
import { useNowPlaying } from '@/features/rhythm/api/nowplaying';
import { GenreClaim } from '@/features/track-table/components/genre-claim';
import { formatFeature } from '@/lib/features';

const SHORTCUTS_ANYONE = [
  { to: '/search', title: 'Search', text: 'Find a track, an artist or an album and see what it sounds like.' },
  { to: '/upload', title: 'Upload audio', text: 'Analyse your own files: tempo, key, beats, sections.' },
  { to: '/taste', title: 'Your taste from your data', text: 'No Spotify login? Upload your Spotify data export, Last.fm scrobbles or Exportify playlists.' },
  { to: '/compare', title: 'Compare', text: "Open a friend's share link and see how your tastes differ." },
  { to: '/model', title: 'The model', text: 'How accurate the genre guess is, and what it learned from.' },
  { to: '/status', title: 'Status', text: 'What this app may do with Spotify, and why anything is off.' },
];

const SHORTCUTS_USER = [
  { to: '/taste', title: 'Your taste', text: 'Your features against the public, genre by genre.' },
  { to: '/top', title: 'Top tracks', text: 'The last 4 weeks, 6 months, or all time.' },
  { to: '/liked', title: 'Liked tracks', text: 'Every saved track, sortable and filterable.' },
  { to: '/browse', title: 'Browse', text: 'Categories, playlists and your own playlists.' },
  { to: '/rhythm', title: 'Rhythm', text: 'The beat of what is playing, estimated.' },
];

function NowPlayingCard() {
  const now = useNowPlaying();
  return (
    <Card title="Now playing" testId="now-playing">
      {now.isPending ? (
        <Loading label="Asking Spotify…" />
      ) : now.isError ? (
        <ErrorState error={now.error} />
      ) : !now.data ? (
        <Empty title="Nothing is playing on Spotify." />
      ) : (
        <div className="now-head">
          <Cover url={now.data.track.image_url} alt="" size={72} />
          <div>
            <Link className="big" to={`/track/${encodeURIComponent(now.data.track.id)}`} data-testid="now-playing-track">
              {now.data.track.name}
            </Link>
            <p className="muted">{now.data.track.artists.join(', ')}</p>
            <p className="small">
              {now.data.is_playing ? 'playing' : 'paused'}
              {now.data.rhythm_estimate?.tempo ? ` · about ${formatFeature('tempo', now.data.rhythm_estimate.tempo)} BPM` : ''}
              {now.data.track.top_genre ? (
                <>
                  {' · sounds like '}
                  <GenreClaim top={now.data.track.top_genre} />
                </>
              ) : null}
            </p>
            <Link to="/rhythm">See its beat →</Link>
          </div>
        </div>
      )}
    </Card>
  );
}

function Shortcuts({ items }: { items: { to: string; title: string; text: string }[] }) {
  return (
    <ul className="shortcut-grid">
      {items.map((s) => (
        <li key={s.to}>
          <Link to={s.to} className="shortcut" data-testid={`shortcut-${s.to.slice(1)}`}>
            <span className="shortcut-title">{s.title}</span>
            <span className="shortcut-text">{s.text}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

export function HomeRoute() {
  const me = useMe();
  if (me.isPending)
    return (
      <Page title="genrelens" testId="page-home">
        <Loading />
      </Page>
    );
  if (me.isError)
    return (
      <Page title="genrelens" testId="page-home">
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      </Page>
    );
  if (!me.data.connected)
    return (
      <Page title="What does your music sound like?" subtitle="genrelens measures tracks by their audio features, guesses their genre, and compares your taste with everyone else's." testId="page-home">
        <section className="hero" data-testid="home-logged-out">
          <a className="button button-primary button-large" href={loginUrl(me.data.login_url)} data-testid="home-login">
            Log in with Spotify
          </a>
          <p className="muted">Logging in lets genrelens read your top and liked tracks, your playlists and what you are playing. It never plays or records Spotify audio.</p>
        </section>
        <h2 className="section-title">Works without logging in</h2>
        <Shortcuts items={SHORTCUTS_ANYONE} />
      </Page>
    );
  const user = me.data.user!;
  return (
    <Page title={`Hello, ${user.display_name ?? user.spotify_id}`} subtitle="Here is what you are listening to, and where to look next." testId="page-home">
      <div className="grid-2">
        <NowPlayingCard />
        <Card title="Connected" testId="home-connected">
          <div className="now-head">
            <span className="avatar avatar-large" aria-hidden="true">{(user.display_name || user.spotify_id).slice(0, 1).toUpperCase()}</span>
            <p>
              Logged in to Spotify as <strong>{user.display_name ?? user.spotify_id}</strong>
              {user.country ? ` · ${user.country}` : ''}
              {user.product ? ` · ${user.product}` : ''}
            </p>
          </div>
        </Card>
      </div>
      <h2 className="section-title">Your music</h2>
      <Shortcuts items={SHORTCUTS_USER} />
      <h2 className="section-title">More</h2>
      <Shortcuts items={SHORTCUTS_ANYONE} />
    </Page>
  );
}
