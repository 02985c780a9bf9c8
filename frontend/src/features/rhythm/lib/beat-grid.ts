// Time arithmetic of the rhythm view, in seconds, free of the DOM so it can be tested.

/** First index i with values[i] >= t (values sorted ascending). */
export function lowerBound(values: readonly number[], t: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The marks inside [from, to]: a slice found by binary search, so long tracks stay cheap per frame. */
export function marksBetween(values: readonly number[], from: number, to: number): number[] {
  return values.slice(lowerBound(values, from), lowerBound(values, to + 1e-9));
}

/** Index of the last beat at or before t (-1 before the first). */
export function beatIndexAt(beats: readonly number[], t: number): number {
  return lowerBound(beats, t + 1e-9) - 1;
}

export function sectionAt(sections: readonly Section[], t: number): Section | null {
  return sections.find((s) => t >= s.start && t < s.end) ?? null;
}

/**
 * An estimated grid for a track we only know the tempo of: a beat every `beatMs`, counted from the
 * start of the track, a downbeat every `timeSignature` beats. It is an estimate: real tracks
 * drift, start off the beat and change tempo.
 */
export function estimatedGrid(beatMs: number, timeSignature: number, fromS: number, toS: number): { beats: number[]; downbeats: number[] } {
  const beats: number[] = [];
  const downbeats: number[] = [];
  if (!(beatMs > 0) || toS < fromS) return { beats, downbeats };
  const step = beatMs / 1000;
  const first = Math.max(0, Math.ceil(fromS / step - 1e-9));
  const meter = Math.max(1, Math.round(timeSignature) || 4);
  for (let i = first; i * step <= toS + 1e-9; i++) {
    const t = Number((i * step).toFixed(6));
    beats.push(t);
    if (i % meter === 0) downbeats.push(t);
  }
  return { beats, downbeats };
}

export interface PlaybackAnchor {
  /** position in the track when last synced, seconds */
  positionS: number;
  /** performance.now() at that sync, ms */
  atMs: number;
  playing: boolean;
  durationS: number;
}

/** Where playback is now, extrapolated from the last poll and clamped to the track. */
export function positionAt(anchor: PlaybackAnchor, nowMs: number): number {
  const p = anchor.playing ? anchor.positionS + (nowMs - anchor.atMs) / 1000 : anchor.positionS;
  return Math.min(Math.max(0, p), anchor.durationS || p);
}

/** Beats per minute from an array of beat times (median interval, robust to a missed beat). */
export function tempoFromBeats(beats: readonly number[]): number | null {
  if (beats.length < 2) return null;
  const gaps = beats.slice(1).map((b, i) => b - beats[i]).sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)];
  return median > 0 ? 60 / median : null;
}

/** A stretch of the track between two section starts, lettered for the legend. */
export interface Section {
  start: number;
  end: number;
  label: string;
}

/** The analysis' section start times (seconds) as consecutive sections lettered A, B, C... */
export function sectionsFromStarts(starts: readonly number[], duration: number): Section[] {
  const sorted = starts.slice().sort((a, b) => a - b);
  return sorted.map((start, i) => ({
    start,
    end: i + 1 < sorted.length ? sorted[i + 1] : Math.max(duration, start),
    label: `section ${String.fromCharCode(65 + (i % 26))}`,
  }));
}
