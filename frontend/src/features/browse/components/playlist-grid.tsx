import { Link } from 'react-router';

import type { PlaylistItem } from '@/api/types';
import { Cover } from '@/components/ui/page';

export function PlaylistGrid({ items, testId }: { items: PlaylistItem[]; testId: string }) {
  return (
    <ul className="tile-grid" data-testid={testId}>
      {items.map((p) => (
        <li key={p.id} className="tile">
          <Cover url={p.image_url} alt="" size={120} />
          <Link className="tile-title" to={`/playlist/${encodeURIComponent(p.id)}`} state={{ name: p.name }} data-testid="playlist-link">
            {p.name}
          </Link>
          <span className="tile-sub">
            by {p.owner}
            {p.tracks_total !== null ? ` · ${p.tracks_total} tracks` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}
