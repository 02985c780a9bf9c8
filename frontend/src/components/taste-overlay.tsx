// Two tastes overlaid, one small chart per feature (used by Taste and Compare).
import type { Distribution, Grid } from '@/api/types';
import { DensityChart } from '@/components/charts/lazy';
import { featureMeta, formatFeature } from '@/lib/features';
import { CHART_FEATURES } from '@/lib/taste-data';

export interface OverlaySide {
  label: string;
  colour: string;
  get: (feature: string) => Distribution | null;
  dashed?: boolean;
}

export function TasteOverlay({ sides, grid }: { sides: OverlaySide[]; grid: (feature: string) => Grid | null }) {
  const charts = CHART_FEATURES.map((f) => ({ f, g: grid(f) })).filter((x): x is { f: (typeof CHART_FEATURES)[number]; g: Grid } => x.g !== null);
  if (charts.length === 0) return <p className="notice">No distributions to draw yet.</p>;
  return (
    <div className="chart-grid" data-testid="taste-overlay">
      {charts.map(({ f, g }) => {
        const meta = featureMeta(f);
        const series = sides
          .map((s) => ({ s, density: s.get(f)?.density ?? null, median: s.get(f)?.median ?? null }))
          .filter((x): x is { s: OverlaySide; density: number[]; median: number | null } => !!x.density?.length)
          .map(({ s, density, median }) => ({ label: s.label, colour: s.colour, density, median, dashed: s.dashed }));
        return (
          <div key={f} className="chart-cell">
            <h3 className="chart-title">
              {meta.label} <span className="unit">{meta.unit}</span>
            </h3>
            {series.length ? (
              <DensityChart grid={g} series={series} xLabel={`${meta.label} (${meta.unit})`} format={(v) => formatFeature(f, v)} title={`${meta.label}: ${series.map((s) => s.label).join(' vs ')}`} />
            ) : (
              <p className="muted small">No values.</p>
            )}
          </div>
        );
      })}
    </div>
  );
}
