import { describe, expect, it } from 'vitest';

import { areaPath, densityOverlap, gridXs, linearScale, linePath, maxOf, nearestIndex, niceTicks, normaliseRows, toBars } from '../transforms';

describe('chart transforms', () => {
  const grid = { min: 0, max: 1, points: 5 };

  it('lays grid points evenly from min to max', () => {
    expect(gridXs(grid)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(gridXs({ min: 40, max: 220, points: 256 })).toHaveLength(256);
    expect(gridXs({ min: 40, max: 220, points: 256 }).at(-1)).toBeCloseTo(220);
  });

  it('finds the nearest grid index and clamps outside values', () => {
    expect(nearestIndex(grid, 0.3)).toBe(1);
    expect(nearestIndex(grid, 0.4)).toBe(2);
    expect(nearestIndex(grid, -3)).toBe(0);
    expect(nearestIndex(grid, 9)).toBe(4);
  });

  it('maps a domain linearly onto a range, including inverted ones', () => {
    const y = linearScale([0, 10], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(5)).toBe(100);
    expect(y(10)).toBe(0);
    expect(linearScale([3, 3], [0, 100])(3)).toBe(0);
  });

  it('picks round ticks', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(40, 220, 6)).toEqual([50, 100, 150, 200]);
    expect(niceTicks(40, 220, 10)).toEqual([40, 60, 80, 100, 120, 140, 160, 180, 200, 220]);
    expect(niceTicks(-60, 0, 3)).toEqual([-60, -40, -20, 0]);
    expect(niceTicks(2, 2)).toEqual([2]);
  });

  it('builds line and area paths through the points', () => {
    const x = linearScale([0, 1], [0, 100]);
    const y = linearScale([0, 1], [100, 0]);
    expect(linePath([0, 0.5, 1], [0, 1, 0], x, y)).toBe('M0.0,100.0L50.0,0.0L100.0,100.0');
    expect(areaPath([0, 1], [1, 1], x, y)).toBe('M0.0,0.0L100.0,0.0L100.0,100.0L0.0,100.0Z');
    expect(areaPath([], [], x, y)).toBe('');
  });

  it('finds the largest finite value over several series', () => {
    expect(maxOf([[1, 2], [5, Number.NaN], [3]])).toBe(5);
  });

  it('normalises confusion-matrix rows to shares, leaving empty rows at zero', () => {
    expect(normaliseRows([[2, 2], [0, 0], [1, 3]])).toEqual([[0.5, 0.5], [0, 0], [0.25, 0.75]]);
  });

  it('aligns several {label: value} maps into bars sorted by the first series', () => {
    const bars = toBars([{ rock: 0.2, pop: 0.5 }, { pop: 0.1, edm: 0.7 }]);
    expect(bars).toEqual([
      { label: 'pop', values: [0.5, 0.1] },
      { label: 'rock', values: [0.2, 0] },
      { label: 'edm', values: [0, 0.7] },
    ]);
    expect(toBars([{ a: 1, b: 2, c: 3 }], 2).map((b) => b.label)).toEqual(['c', 'b']);
  });

  it('measures overlap of two densities: 1 for the same shape, 0 for disjoint', () => {
    expect(densityOverlap([1, 2, 1], [2, 4, 2])).toBeCloseTo(1);
    expect(densityOverlap([1, 0, 0], [0, 0, 1])).toBe(0);
    expect(densityOverlap([0, 0], [1, 1])).toBe(0);
  });
});
