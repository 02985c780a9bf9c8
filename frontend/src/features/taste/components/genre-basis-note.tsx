// How much of a taste's genre mix rests on features genrelens estimated from audio files (local
// tracks) rather than on Spotify's, and how often such genres matched the Spotify-feature ones: a
// mix of estimated genres must never read as if it came from Spotify's features.
import type { Taste } from '@/api/types';

type GenreBasis = NonNullable<Taste['genre_basis']>;

export function genreBasisNote(basis: Taste['genre_basis']): string | null {
  if (!basis || basis.estimated_tracks === 0) return null;
  const n = basis.estimated_tracks.toLocaleString();
  const of = basis.tracks_with_genres.toLocaleString();
  const base = `${n} of ${of} tracks' genres are estimated from their audio`;
  const a = basis.agreement;
  return a ? `${base} (agrees with the Spotify-feature genre ${Math.round(a.top1 * 100)}% of the time)` : base;
}

/** `whose`: the taste's name where more than one is shown (a comparison), prefixed to the note. */
export function GenreBasisNote({ basis, whose }: { basis: Taste['genre_basis']; whose?: string }) {
  const note = genreBasisNote(basis);
  if (note === null) return null;
  const { agreement, model } = basis as GenreBasis;
  const detail = agreement
    ? `top two: ${Math.round(agreement.top2 * 100)}%, measured on ${agreement.recordings} recordings; scored by model ${model ?? '?'}`
    : `scored by model ${model ?? '?'}; no agreement measured`;
  return (
    <p className="muted small" data-testid="taste-genre-basis" title={detail}>
      {whose ? `${whose}: ${note}` : note}
    </p>
  );
}
