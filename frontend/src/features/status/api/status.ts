import { useQuery } from '@tanstack/react-query';

import { api } from '@/api/client';
import type { Capabilities, Health } from '@/api/types';

export function useCapabilities() {
  return useQuery({ queryKey: ['capabilities'], queryFn: () => api.get<Capabilities>('capabilities'), staleTime: 60_000 });
}

export function useHealth() {
  return useQuery({ queryKey: ['health'], queryFn: () => api.get<Health>('health'), staleTime: 30_000 });
}
