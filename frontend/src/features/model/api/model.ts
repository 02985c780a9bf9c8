import { useQuery } from '@tanstack/react-query';

import { api } from '@/api/client';
import type { Datasets, ModelCard } from '@/api/types';

export function useModel() {
  return useQuery({ queryKey: ['model'], queryFn: () => api.get<ModelCard>('model'), staleTime: 10 * 60_000, retry: false });
}

export function useDatasets() {
  return useQuery({ queryKey: ['datasets'], queryFn: () => api.get<Datasets>('datasets'), staleTime: 10 * 60_000 });
}
