// A top genre as a claim: a genre computed from features estimated from the user's own file is
// marked "≈", with how often such a genre agreed with the one from Spotify's features, in a
// tooltip and for screen readers. It is never shown as if it came from Spotify's features.
import type { TopGenre } from '@/api/types';

import { estimatedNote } from '../lib/columns';

export function GenreClaim({ top }: { top: TopGenre }) {
  const note = estimatedNote(top);
  if (note === null) return <>{top.genre}</>;
  return (
    <span className="genre-estimated" title={note} data-testid="genre-estimated">
      {top.genre}
      <span aria-hidden="true"> ≈</span>
      <span className="sr-only"> ({note})</span>
    </span>
  );
}
