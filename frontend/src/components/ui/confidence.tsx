import { formatPercent } from '@/lib/features';

/** How sure the analysis is of one estimate, in words a listener can use. */
export function Confidence({ value }: { value: number | null | undefined }) {
  if (value === null || value === undefined) return null;
  const words = value >= 0.7 ? 'confident' : value >= 0.4 ? 'fairly sure' : 'unsure';
  return (
    <dd className="muted small" title="the local analysis' confidence in this estimate, 0 to 100 %">
      {words} ({formatPercent(value)})
    </dd>
  );
}
