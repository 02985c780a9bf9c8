// Charts are loaded on first use so the first page's JavaScript stays small.
import { lazy, Suspense, type ComponentProps } from 'react';

const DensityChartImpl = lazy(() => import('./density-chart'));
const BarChartImpl = lazy(() => import('./bar-chart'));
const HeatmapImpl = lazy(() => import('./heatmap'));

const fallback = <div className="chart chart-placeholder" aria-hidden="true" />;

export function DensityChart(props: ComponentProps<typeof DensityChartImpl>) {
  return (
    <Suspense fallback={fallback}>
      <DensityChartImpl {...props} />
    </Suspense>
  );
}
export function BarChart(props: ComponentProps<typeof BarChartImpl>) {
  return (
    <Suspense fallback={fallback}>
      <BarChartImpl {...props} />
    </Suspense>
  );
}
export function Heatmap(props: ComponentProps<typeof HeatmapImpl>) {
  return (
    <Suspense fallback={fallback}>
      <HeatmapImpl {...props} />
    </Suspense>
  );
}
