import { describe, expect, it } from 'vitest';

import { GRID, publicTaste, taste } from '@/testing/fixtures';

import { biggestDifferences, closestGenre, gridFor, mixGenres, publicDistribution, publicGenres, publicShares } from '../taste-data';

describe('taste data', () => {
  it('reads a grid per feature or one shared grid', () => {
    expect(gridFor(GRID, 'tempo')).toEqual({ min: 40, max: 220, points: 256 });
    expect(gridFor({ min: 0, max: 1, points: 10 }, 'tempo')).toEqual({ min: 0, max: 1, points: 10 });
    expect(gridFor(undefined, 'tempo')).toBeNull();
    expect(gridFor(GRID, 'nope')).toBeNull();
  });

  it('lists genres and their shares', () => {
    expect(publicGenres(publicTaste)).toEqual(['edm', 'latin', 'pop', 'r&b', 'rap', 'rock']);
    expect(Object.values(publicShares(publicTaste)).reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  });

  it('mixes genre densities by share when there is no "all" entry', () => {
    const mixed = mixGenres(publicTaste, 'energy')!;
    const genres = Object.values(publicTaste.genres);
    const expected = genres.reduce((s, g) => s + g.share * g.features.energy.density[100], 0);
    expect(mixed.density[100]).toBeCloseTo(expected);
    expect(publicDistribution(publicTaste, 'all', 'energy')!.density).toEqual(mixed.density);
    expect(publicDistribution(publicTaste, 'rock', 'energy')).toBe(publicTaste.genres.rock.features.energy);
    expect(publicDistribution(publicTaste, 'jazz', 'energy')).toBeNull();
  });

  it('names the largest differences of median first, in sentences', () => {
    const diffs = biggestDifferences(taste.features, (f) => publicDistribution(publicTaste, 'edm', f), (f) => gridFor(GRID, f), 'edm tracks', 2);
    expect(diffs).toHaveLength(2);
    expect(Math.abs(diffs[0].relative)).toBeGreaterThanOrEqual(Math.abs(diffs[1].relative));
    expect(diffs[0].sentence).toMatch(/^Your .+ is (higher|lower) than edm tracks \(median /);
    expect(diffs[0].relative).toBeGreaterThan(0); // the fixture user sits above edm on every feature
  });

  it('picks the closest genre', () => {
    expect(closestGenre(taste)).toEqual({ genre: 'pop', value: 0.81 });
    expect(closestGenre({ ...taste, closeness: {} })).toBeNull();
  });
});
