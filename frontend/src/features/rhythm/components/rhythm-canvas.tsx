// Beats, downbeats and sections drawn around the playhead, redrawn every animation frame from a
// clock the parent provides (the <audio> element's currentTime, or an estimate).
import { useEffect, useRef } from 'react';

import type { Section } from '../lib/beat-grid';

import { beatIndexAt, marksBetween, sectionAt } from '../lib/beat-grid';

const SECTION_COLOURS = ['#56B4E9', '#E69F00', '#009E73', '#CC79A7', '#0072B2', '#D55E00', '#F0E442'];
const WINDOW_S = 8; // seconds shown: 2 behind the playhead, 6 ahead

export interface RhythmData {
  beats: number[];
  downbeats: number[];
  sections: Section[];
  duration: number;
}

function sectionColour(sections: Section[], s: Section): string {
  const labels = [...new Set(sections.map((x) => x.label))];
  return SECTION_COLOURS[labels.indexOf(s.label) % SECTION_COLOURS.length];
}

export function RhythmCanvas({ data, getTime, estimate = false, onSeek }: { data: RhythmData; getTime: () => number; estimate?: boolean; onSeek?: (t: number) => void }) {
  const laneRef = useRef<HTMLCanvasElement>(null);
  const overviewRef = useRef<HTMLCanvasElement>(null);
  const pulseRef = useRef<HTMLDivElement>(null);
  const readoutRef = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    let frame = 0;
    let lastBeat = -2;
    const draw = () => {
      const t = getTime();
      const lane = laneRef.current;
      const overview = overviewRef.current;
      if (lane && overview) {
        drawLane(lane, data, t, estimate);
        drawOverview(overview, data, t);
      }
      const beat = beatIndexAt(data.beats, t);
      if (beat !== lastBeat && pulseRef.current) {
        lastBeat = beat;
        const isDown = beat >= 0 && data.downbeats.includes(data.beats[beat]);
        pulseRef.current.dataset.down = String(isDown);
        pulseRef.current.classList.remove('pulse');
        void pulseRef.current.offsetWidth; // restart the CSS animation
        if (beat >= 0) pulseRef.current.classList.add('pulse');
      }
      if (readoutRef.current) {
        const sec = sectionAt(data.sections, t);
        readoutRef.current.textContent = `${t.toFixed(1)} s · beat ${beat + 1} of ${data.beats.length}${sec ? ` · ${sec.label}` : ''}`;
      }
      frame = requestAnimationFrame(draw);
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, [data, getTime, estimate]);

  return (
    <div className="rhythm" data-testid="rhythm-canvas">
      <div className="rhythm-top">
        <div ref={pulseRef} className="beat-pulse" aria-hidden="true" data-testid="beat-pulse" />
        <span ref={readoutRef} className="rhythm-readout" data-testid="rhythm-readout" aria-live="off" />
      </div>
      <canvas ref={laneRef} className="rhythm-lane" width={1100} height={140} role="img" aria-label={`${estimate ? 'Estimated beat grid' : 'Beats, downbeats and sections'} around the playhead`} />
      <canvas
        ref={overviewRef}
        className="rhythm-overview"
        width={1100}
        height={36}
        role="img"
        aria-label="Whole track with sections; click to seek"
        onClick={(e) => {
          if (!onSeek || !data.duration) return;
          const rect = e.currentTarget.getBoundingClientRect();
          onSeek(((e.clientX - rect.left) / rect.width) * data.duration);
        }}
      />
      <p className="legend muted small">
        <span className="legend-item">
          <span className="swatch swatch-line" style={{ background: '#0072B2' }} /> downbeat
        </span>
        <span className="legend-item">
          <span className="swatch swatch-line thin" style={{ background: '#8a8fa3' }} /> beat
        </span>
        {!estimate ? <span className="legend-item">coloured bands: sections</span> : null}
      </p>
    </div>
  );
}

function drawLane(canvas: HTMLCanvasElement, data: RhythmData, t: number, estimate: boolean) {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width: w, height: h } = canvas;
  const from = t - 2;
  const to = from + WINDOW_S;
  const x = (s: number) => ((s - from) / WINDOW_S) * w;
  ctx.clearRect(0, 0, w, h);
  for (const s of data.sections) {
    if (s.end < from || s.start > to) continue;
    ctx.fillStyle = sectionColour(data.sections, s);
    ctx.globalAlpha = 0.16;
    ctx.fillRect(x(s.start), 0, x(s.end) - x(s.start), h);
    ctx.globalAlpha = 1;
    ctx.fillStyle = '#444';
    ctx.font = '13px system-ui, sans-serif';
    ctx.fillText(s.label, Math.max(4, x(s.start) + 4), 16);
  }
  const down = new Set(data.downbeats);
  for (const b of marksBetween(data.beats, from, to)) {
    const isDown = down.has(b);
    const past = b <= t;
    ctx.strokeStyle = isDown ? '#0072B2' : '#8a8fa3';
    ctx.globalAlpha = past ? 0.45 : 1;
    ctx.lineWidth = isDown ? 4 : 2;
    if (estimate) ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(x(b), isDown ? 24 : 44);
    ctx.lineTo(x(b), h - 24);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.globalAlpha = 1;
  ctx.fillStyle = '#666';
  ctx.font = '12px system-ui, sans-serif';
  for (let s = Math.ceil(from); s <= to; s++) if (s >= 0) ctx.fillText(`${s} s`, x(s) + 2, h - 6);
  ctx.strokeStyle = '#D55E00';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x(t), 0);
  ctx.lineTo(x(t), h);
  ctx.stroke();
}

function drawOverview(canvas: HTMLCanvasElement, data: RhythmData, t: number) {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width: w, height: h } = canvas;
  const d = data.duration || 1;
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = '#e6e8ef';
  ctx.fillRect(0, 0, w, h);
  for (const s of data.sections) {
    ctx.fillStyle = sectionColour(data.sections, s);
    ctx.globalAlpha = 0.55;
    ctx.fillRect((s.start / d) * w, 0, ((s.end - s.start) / d) * w, h);
  }
  ctx.globalAlpha = 1;
  ctx.fillStyle = '#D55E00';
  ctx.fillRect((Math.min(t, d) / d) * w - 1, 0, 3, h);
}
