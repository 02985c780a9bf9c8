import type { TasteSource } from '@/api/types';

export type TasteChoice = { source?: string; weighting?: 'plays' | 'tracks' };

/** Which of the user's tastes the page shows: its source, and whether plays weight it. */
export function SourcePicker({ sources, value, onChange }: { sources: TasteSource[]; value: TasteChoice & { source: string; weighting: string }; onChange: (c: TasteChoice) => void }) {
  const current = sources.find((s) => s.source === value.source);
  return (
    <div className="inline-field" data-testid="taste-source-picker">
      <label>
        Taste from{' '}
        <select value={value.source} onChange={(e) => onChange({ source: e.target.value })} data-testid="taste-source">
          {sources.map((s) => (
            <option key={s.source} value={s.source}>
              {s.label}
            </option>
          ))}
        </select>
      </label>{' '}
      {current && current.weightings.length > 1 ? (
        <label>
          weighted{' '}
          <select value={value.weighting} onChange={(e) => onChange({ source: value.source, weighting: e.target.value as 'plays' | 'tracks' })} data-testid="taste-weighting">
            <option value="plays">by plays</option>
            <option value="tracks">each track once</option>
          </select>
        </label>
      ) : null}
    </div>
  );
}
