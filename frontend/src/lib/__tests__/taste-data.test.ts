import { describe, expect, it } from 'vitest';

import { GRID, publicTaste, taste } from '@/testing/fixtures';

import { biggestDifferences, closestGenre, gridFor, publicDistribution, publicGenres, publicShares } from '../taste-data';

describe('taste data', () => {
  it("reads a feature's grid", () => {
    expect(gridFor(GRID, 'tempo')).toEqual({ min: 40, max: 220, points: 256, unit: 'BPM' });
    expect(gridFor(undefined, 'tempo')).toBeNull();
    expect(gridFor(GRID, 'nope')).toBeNull();
  });

  it('lists genres and their shares', () => {
    expect(publicGenres(publicTaste)).toEqual(['edm', 'latin', 'pop', 'r&b', 'rap', 'rock']);
    expect(Object.values(publicShares(publicTaste)).reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  });

  it('reads a genre or the whole dataset', () => {
    expect(publicDistribution(publicTaste, 'all', 'energy')).toBe(publicTaste.all.features.energy);
    expect(publicDistribution(publicTaste, 'rock', 'energy')).toBe(publicTaste.genres.rock.features.energy);
    expect(publicDistribution(publicTaste, 'jazz', 'energy')).toBeNull();
    expect(publicDistribution(publicTaste, 'rock', 'no-such-feature')).toBeNull();
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
