import { useQuery } from '@tanstack/react-query';

import { api } from '@/api/client';
import type { AnalysisDocument } from '@/api/types';

export const analysisQueryOptions = (trackId: string) => ({
  queryKey: ['analysis', trackId] as const,
  queryFn: () => api.get<AnalysisDocument>('analysis', { track_id: trackId }),
  staleTime: 10 * 60_000,
});

export function useAnalysis(trackId: string) {
  return useQuery({ ...analysisQueryOptions(trackId), enabled: trackId !== '' });
}
