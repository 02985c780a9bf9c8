import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';

import { api } from '@/api/client';
import type { Job, PublicTaste, UserTaste } from '@/api/types';
import type { TasteChoice } from '@/features/taste-import/components/source-picker';

export { useJob } from '@/api/jobs';

/** One of the user's tastes: by default the first source, weighted by plays when it has plays. */
export function useTaste(choice: TasteChoice = {}) {
  return useQuery({
    queryKey: ['taste', 'mine', choice.source ?? '', choice.weighting ?? ''],
    queryFn: () => api.get<UserTaste>('taste', choice),
    retry: false,
    placeholderData: keepPreviousData,
  });
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
