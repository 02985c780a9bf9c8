import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';

import type { AlbumItem, ArtistItem, SearchResult, SearchType } from '@/api/types';
import { Cover, Page } from '@/components/ui/page';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { TrackTable } from '@/features/track-table/components/track-table';

import { useSearch } from '../api/search';

const TYPES: { id: SearchType; label: string }[] = [
  { id: 'track', label: 'Tracks' },
  { id: 'artist', label: 'Artists' },
  { id: 'album', label: 'Albums' },
];

function resultCount(r: SearchResult): number {
  return r.type === 'track' ? r.tracks.length : r.type === 'artist' ? r.artists.length : r.albums.length;
}

function Artists({ items }: { items: ArtistItem[] }) {
  return (
    <ul className="tile-grid" data-testid="artist-results">
      {items.map((a) => (
        <li key={a.id} className="tile">
          <Cover url={a.image_url} alt="" size={96} />
          <span className="tile-title">{a.name}</span>
          <span className="tile-sub">{a.genres.slice(0, 3).join(', ') || 'no genres listed'}</span>
          <Link className="tile-action" to={`/search?type=track&q=${encodeURIComponent(a.name)}`}>
            Search tracks for {a.name}
          </Link>
        </li>
      ))}
    </ul>
  );
}

function Albums({ items }: { items: AlbumItem[] }) {
  return (
    <ul className="tile-grid" data-testid="album-results">
      {items.map((a) => (
        <li key={a.id} className="tile">
          <Cover url={a.image_url} alt="" size={96} />
          <Link className="tile-title" to={`/album/${encodeURIComponent(a.id)}`} state={{ name: a.name }}>
            {a.name}
          </Link>
          <span className="tile-sub">
            {a.artists.join(', ')}
            {a.release_year ? ` · ${a.release_year}` : ''}
            {a.total_tracks ? ` · ${a.total_tracks} tracks` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function SearchRoute() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const type = (TYPES.find((t) => t.id === params.get('type'))?.id ?? 'track') as SearchType;
  const offset = Number(params.get('offset') ?? 0) || 0;
  const [draft, setDraft] = useState(q);
  useEffect(() => setDraft(q), [q]); // a link to another query updates the box too
  const query = useSearch(q, type, offset);

  const go = (next: Record<string, string>) => setParams({ q, type, ...next });

  return (
    <Page title="Search" subtitle="Tracks, artists and albums: from Spotify when you are logged in, from the imported catalog otherwise." testId="page-search">
      <form
        className="search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go({ q: draft.trim(), offset: '0' });
        }}
      >
        <label htmlFor="search-q" className="sr-only">
          Search
        </label>
        <input id="search-q" type="search" data-testid="search-input" placeholder="Artist, track or album" value={draft} onChange={(e) => setDraft(e.target.value)} autoFocus />
        <button type="submit" className="button button-primary" data-testid="search-submit">
          Search
        </button>
      </form>
      <div className="tabs" role="tablist" aria-label="Result type">
        {TYPES.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={t.id === type} className="tab" data-testid={`search-type-${t.id}`} onClick={() => go({ type: t.id, offset: '0' })}>
            {t.label}
          </button>
        ))}
      </div>
      {!q ? (
        <Empty title="Type something to search.">Try a genre-defining artist, or paste a Spotify track link.</Empty>
      ) : query.isPending ? (
        <Loading label="Searching…" />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : resultCount(query.data) === 0 ? (
        <Empty title={`Nothing found for “${q}”.`} />
      ) : (
        <>
          <p className="muted" data-testid="search-source">
            Results from {query.data.source === 'spotify' ? 'Spotify' : 'the imported catalog'}
            {query.data.note ? ` · ${query.data.note}` : ''} · {query.data.offset + 1}–{query.data.offset + resultCount(query.data)}
          </p>
          {query.data.type === 'track' ? (
            <TrackTable tracks={query.data.tracks} exportName={`search-${q}`} height={480} />
          ) : query.data.type === 'artist' ? (
            <Artists items={query.data.artists} />
          ) : (
            <Albums items={query.data.albums} />
          )}
          <nav className="pager" aria-label="Result pages">
            <button type="button" className="button" disabled={offset === 0} onClick={() => go({ offset: String(Math.max(0, offset - query.data.limit)) })}>
              Previous
            </button>
            <button type="button" className="button" disabled={query.data.next_offset === null} data-testid="search-next" onClick={() => go({ offset: String(query.data.next_offset) })}>
              Next
            </button>
          </nav>
        </>
      )}
    </Page>
  );
}
