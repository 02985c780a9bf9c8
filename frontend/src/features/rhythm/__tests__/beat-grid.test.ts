import { describe, expect, it } from 'vitest';

import { beatIndexAt, estimatedGrid, lowerBound, marksBetween, sectionsFromStarts, positionAt, sectionAt, tempoFromBeats } from '../lib/beat-grid';

describe('beat grid', () => {
  const beats = [0.5, 1, 1.5, 2, 2.5];

  it('binary-searches beat times', () => {
    expect(lowerBound(beats, 0)).toBe(0);
    expect(lowerBound(beats, 1)).toBe(1);
    expect(lowerBound(beats, 1.2)).toBe(2);
    expect(lowerBound(beats, 9)).toBe(5);
    expect(marksBetween(beats, 0.9, 2)).toEqual([1, 1.5, 2]);
    expect(beatIndexAt(beats, 0.2)).toBe(-1);
    expect(beatIndexAt(beats, 1)).toBe(1);
    expect(beatIndexAt(beats, 1.49)).toBe(1);
  });

  it('finds the section playing at a time', () => {
    const sections = [
      { start: 0, end: 10, label: 'intro' },
      { start: 10, end: 30, label: 'verse' },
    ];
    expect(sectionAt(sections, 10)?.label).toBe('verse');
    expect(sectionAt(sections, 31)).toBeNull();
  });

  it('estimates a grid from a beat length with a downbeat each bar', () => {
    const g = estimatedGrid(500, 4, 0, 4);
    expect(g.beats).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
    expect(g.downbeats).toEqual([0, 2, 4]);
    const window = estimatedGrid(500, 3, 10.2, 11.6);
    expect(window.beats).toEqual([10.5, 11, 11.5]);
    expect(window.downbeats).toEqual([10.5]);
    expect(estimatedGrid(0, 4, 0, 10).beats).toEqual([]);
  });

  it('extrapolates the playback position from the last poll, clamped to the track', () => {
    const anchor = { positionS: 30, atMs: 1000, playing: true, durationS: 31 };
    expect(positionAt(anchor, 1500)).toBeCloseTo(30.5);
    expect(positionAt(anchor, 5000)).toBe(31);
    expect(positionAt({ ...anchor, playing: false }, 5000)).toBe(30);
  });

  it('turns section start times into consecutive labelled sections', () => {
    expect(sectionsFromStarts([12, 0, 30], 40)).toEqual([
      { start: 0, end: 12, label: 'section A' },
      { start: 12, end: 30, label: 'section B' },
      { start: 30, end: 40, label: 'section C' },
    ]);
    expect(sectionsFromStarts([], 9)).toEqual([]);
  });

  it('derives a tempo from beat times, robust to one missed beat', () => {
    expect(tempoFromBeats([0, 0.5, 1, 1.5, 2.5, 3])).toBeCloseTo(120);
    expect(tempoFromBeats([1])).toBeNull();
  });
});
