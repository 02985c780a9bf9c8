import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';

import { api } from '@/api/client';
import type { Job, PublicTaste, UserTaste } from '@/api/types';

export { useJob } from '@/api/jobs';

export function useTaste() {
  return useQuery({ queryKey: ['taste'], queryFn: () => api.get<UserTaste>('taste'), retry: false });
}

export function usePublicTaste(dataset?: string) {
  return useQuery({ queryKey: ['taste', 'public', dataset ?? ''], queryFn: () => api.get<PublicTaste>('taste/public', { dataset }), staleTime: 30 * 60_000 });
}

export function useRefreshTaste() {
  return useMutation({ mutationFn: () => api.post<Job>('taste/refresh') });
}

/** When the refresh job finishes, the taste is read again. */
export function useRefreshWhenDone(job: Job | undefined) {
  const client = useQueryClient();
  useEffect(() => {
    if (job?.status === 'done') void client.invalidateQueries({ queryKey: ['taste'] });
  }, [job?.status, client]);
}
