import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { GenreBasisNote } from '../components/genre-basis-note';

describe('GenreBasisNote', () => {
  it('says how many genres are estimated from audio and how often such genres agree, and nothing otherwise', () => {
    const agreement = { top1: 0.623, top2: 0.81, recordings: 111 };
    const { unmount } = render(<GenreBasisNote basis={{ estimated_tracks: 4, tracks_with_genres: 1200, model: 'm1-local', agreement }} />);
    const note = screen.getByTestId('taste-genre-basis');
    expect(note).toHaveTextContent("4 of 1,200 tracks' genres are estimated from their audio (agrees with the Spotify-feature genre 62% of the time)");
    expect(note).toHaveAttribute('title', 'top two: 81%, measured on 111 recordings; scored by model m1-local');
    unmount();

    // A Spotify taste, and a taste stored before the basis was recorded: no note.
    for (const basis of [{ estimated_tracks: 0, tracks_with_genres: 50, model: null, agreement: null }, null, undefined]) {
      const { container, unmount: done } = render(<GenreBasisNote basis={basis} />);
      expect(container).toBeEmptyDOMElement();
      done();
    }
    const { unmount: again } = render(<GenreBasisNote basis={{ estimated_tracks: 3, tracks_with_genres: 3, model: 'm1', agreement: null }} />);
    expect(screen.getByTestId('taste-genre-basis')).toHaveTextContent(/^3 of 3 tracks' genres are estimated from their audio$/);
    again();

    // In a comparison each note says whose taste it is about.
    render(<GenreBasisNote basis={{ estimated_tracks: 2, tracks_with_genres: 9, model: 'm1', agreement: null }} whose="Ann's taste" />);
    expect(screen.getByTestId('taste-genre-basis')).toHaveTextContent(/^Ann's taste: 2 of 9 tracks' genres are estimated from their audio$/);
  });
});
