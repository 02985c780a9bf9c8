import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it, vi } from 'vitest';

import { makeTracks } from '@/testing/fixtures';

import { TrackTable } from '../components/track-table';

function renderTable(n = 40) {
  const tracks = makeTracks(n);
  const router = createMemoryRouter([{ path: '/', element: <TrackTable tracks={tracks} exportName="test" /> }]);
  render(<RouterProvider router={router} />);
  return tracks;
}

const firstColumnValues = (col: string) =>
  screen.getAllByTestId('track-row').map((row) => row.querySelector(`[data-col="${col}"]`)?.textContent ?? '');

describe('TrackTable', () => {
  it('sorts on click, adds a second key on shift-click, and marks aria-sort', async () => {
    renderTable();
    await userEvent.click(screen.getByTestId('sort-top_genre'));
    const genres = firstColumnValues('top_genre');
    expect(genres).toEqual([...genres].sort((a, b) => (a === '–' ? 1 : b === '–' ? -1 : a.localeCompare(b))));
    fireEvent.click(screen.getByTestId('sort-tempo'), { shiftKey: true });
    fireEvent.click(screen.getByTestId('sort-tempo'), { shiftKey: true });
    expect(screen.getByTestId('table-count')).toHaveTextContent('sorted by Genre ↑, Tempo ↓');
    const header = screen.getByTestId('sort-tempo').closest('[role="columnheader"]');
    expect(header).toHaveAttribute('aria-sort', 'descending');
    const rows = screen.getAllByTestId('track-row').map((r) => ({ g: r.querySelector('[data-col="top_genre"]')!.textContent, t: Number(r.querySelector('[data-col="tempo"]')!.textContent) }));
    for (let i = 1; i < rows.length; i++) if (rows[i].g === rows[i - 1].g && rows[i].g !== '–') expect(rows[i].t).toBeLessThanOrEqual(rows[i - 1].t);
  });

  it('filters by a range and updates count and summary', async () => {
    renderTable();
    const before = screen.getByTestId('summary-energy').textContent;
    await userEvent.selectOptions(screen.getByTestId('filter-column'), 'energy');
    await userEvent.type(screen.getByTestId('filter-min'), '0.5');
    await userEvent.click(screen.getByTestId('filter-add'));
    expect(screen.getByTestId('active-filters')).toHaveTextContent('Energy: 0.5 – ∞');
    expect(screen.getByTestId('table-count')).toHaveTextContent(/of 40 tracks/);
    for (const v of firstColumnValues('energy')) expect(Number(v)).toBeGreaterThanOrEqual(0.5);
    expect(screen.getByTestId('summary-energy').textContent).not.toBe(before);
    await userEvent.click(screen.getByRole('button', { name: 'Remove filter on Energy' }));
    expect(screen.getByTestId('table-count')).toHaveTextContent('40 tracks');
  });

  it('says when no track matches', async () => {
    renderTable();
    await userEvent.type(screen.getByTestId('filter-min'), '5');
    await userEvent.click(screen.getByTestId('filter-add'));
    expect(screen.getByTestId('table-empty')).toBeInTheDocument();
  });

  it('shows and hides columns', async () => {
    renderTable();
    expect(screen.queryByTestId('sort-liveness')).toBeNull();
    const chooser = screen.getByTestId('column-chooser');
    await userEvent.click(within(chooser).getByText('Columns'));
    await userEvent.click(within(chooser).getByLabelText('Liveness'));
    expect(screen.getByTestId('sort-liveness')).toBeInTheDocument();
    await userEvent.click(within(chooser).getByLabelText('Energy'));
    expect(screen.queryByTestId('sort-energy')).toBeNull();
  });

  it('exports the view as shown to CSV', async () => {
    renderTable(10);
    await userEvent.click(screen.getByTestId('sort-name'));
    await userEvent.click(screen.getByTestId('sort-name')); // descending
    let blob: Blob | null = null;
    URL.createObjectURL = vi.fn((b: Blob) => {
      blob = b;
      return 'blob:x';
    }) as typeof URL.createObjectURL;
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    await userEvent.click(screen.getByTestId('csv-export'));
    expect(click).toHaveBeenCalled();
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(blob!);
    });
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0].startsWith('Title,Artists,Genre,Danceability (0–1)')).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(firstColumnValues('name'));
  });

  it('shows the feature source of each row', () => {
    renderTable(4);
    const badges = screen.getAllByTestId('track-row').map((r) => r.querySelector('[data-col="source"]')!.textContent);
    expect(badges).toEqual(['spotify', 'reccobeats', 'tidytuesday', 'your audio']);
  });
});
