import { Link, useLocation, useParams } from 'react-router';

import { Card, Cover, Page } from '@/components/ui/page';
import { Empty, QueryView } from '@/components/ui/states';

import { useCategories, useCategoryPlaylists, useMyPlaylists } from '../api/browse';
import { PlaylistGrid } from '../components/playlist-grid';

export function BrowseRoute() {
  const categories = useCategories();
  const mine = useMyPlaylists();
  return (
    <Page title="Browse" subtitle="Spotify's categories, their playlists and their tracks, and your own playlists." testId="page-browse">
      <Card title="Your playlists" testId="my-playlists">
        <QueryView query={mine} isEmpty={(d) => d.items.length === 0} empty={<Empty title="You have no playlists yet." />}>
          {(d) => <PlaylistGrid items={d.items} testId="my-playlist-grid" />}
        </QueryView>
      </Card>
      <Card title="Categories" testId="categories">
        <QueryView query={categories} isEmpty={(d) => d.items.length === 0} empty={<Empty title="Spotify lists no categories." />}>
          {(d) => (
            <ul className="tile-grid tile-grid-small" data-testid="category-grid">
              {d.items.map((c) => (
                <li key={c.id} className="tile">
                  <Cover url={c.icon_url} alt="" size={72} />
                  <Link className="tile-title" to={`/browse/${encodeURIComponent(c.id)}`} state={{ name: c.name }} data-testid="category-link">
                    {c.name}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </QueryView>
      </Card>
    </Page>
  );
}

export function CategoryRoute() {
  const { categoryId = '' } = useParams();
  const playlists = useCategoryPlaylists(categoryId);
  const name = (useLocation().state as { name?: string } | null)?.name ?? categoryId;
  return (
    <Page title={`Playlists in ${name}`} subtitle={<Link to="/browse">← All categories</Link>} testId="page-category">
      <QueryView query={playlists} isEmpty={(d) => d.items.length === 0} empty={<Empty title="No playlists in this category." />}>
        {(d) => <PlaylistGrid items={d.items} testId="category-playlists" />}
      </QueryView>
    </Page>
  );
}
