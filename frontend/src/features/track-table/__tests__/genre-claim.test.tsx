import { render, screen } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it } from 'vitest';

import { makeTrack, topGenre } from '@/testing/fixtures';

import { GenreClaim } from '../components/genre-claim';
import { TrackTable } from '../components/track-table';
import { COLUMN_BY_ID, genreLabel } from '../lib/columns';
import { toCsv } from '../lib/table-ops';

describe('GenreClaim', () => {
  it('marks a genre estimated from the file and says how often such genres agree with Spotify-feature ones', () => {
    render(<GenreClaim top={topGenre('rock', 0.7, true)} />);
    const claim = screen.getByTestId('genre-estimated');
    expect(claim).toHaveTextContent(/^rock ≈/);
    expect(claim).toHaveAttribute('title', expect.stringContaining("estimated from this file's audio: agrees with the Spotify-feature genre 62% of the time"));
    // Screen readers hear the sentence, not the symbol.
    expect(screen.getByText(/\(estimated from this file's audio: .* 62% of the time \(measured on 111 recordings\)\)/)).toHaveClass('sr-only');
    expect(screen.getByText('≈', { exact: false, selector: '[aria-hidden="true"]' })).toBeInTheDocument();
  });

  it('shows a genre from Spotify features plainly', () => {
    const { container } = render(<GenreClaim top={topGenre('rock', 0.7)} />);
    expect(container.textContent).toBe('rock');
    expect(screen.queryByTestId('genre-estimated')).toBeNull();
  });

  it('says "estimated" even without a measured agreement', () => {
    render(<GenreClaim top={{ ...topGenre('pop', 0.5, true), agreement: null }} />);
    expect(screen.getByTestId('genre-estimated')).toHaveAttribute('title', "estimated from this file's audio");
  });
});

describe('the genre column', () => {
  const spotify = { ...makeTrack(0), id: 's', name: 'From Spotify', top_genre: topGenre('rock', 0.8) };
  const local = { ...makeTrack(3), id: 'l', name: 'My file', feature_source: 'local', top_genre: topGenre('rock', 0.6, true) };

  it('marks only the estimated row in the table', () => {
    const router = createMemoryRouter([{ path: '/', element: <TrackTable tracks={[spotify, local]} /> }]);
    render(<RouterProvider router={router} />);
    const cell = (id: string) => document.querySelector(`[data-track-id="${id}"] [data-col="top_genre"]`)!;
    expect(cell('s').textContent).toBe('rock');
    expect(cell('l').querySelector('[data-testid="genre-estimated"]')).not.toBeNull();
    expect(cell('l').textContent).toMatch(/^rock ≈/);
  });

  it('sorts and exports the mark with the genre', () => {
    expect(genreLabel(local.top_genre)).toBe('rock ≈');
    expect(genreLabel(null)).toBeNull();
    expect(toCsv([spotify, local], [COLUMN_BY_ID.name, COLUMN_BY_ID.top_genre])).toBe('Title,Genre\r\nFrom Spotify,rock\r\nMy file,rock ≈\r\n');
  });
});
