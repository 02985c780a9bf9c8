import { useQuery } from '@tanstack/react-query';

import { api } from './client';
import type { Job } from './types';

export const jobFinished = (job: Job | undefined) => job?.status === 'done' || job?.status === 'failed';

/** Polls a background job every second until it is done or failed. */
export function useJob(id: Job['id'] | null | undefined, path: 'jobs' | 'uploads' = 'jobs') {
  return useQuery({
    queryKey: [path, id],
    queryFn: () => api.get<Job>(`${path}/${id}`),
    enabled: id !== null && id !== undefined,
    refetchInterval: (query) => (jobFinished(query.state.data) ? false : 1000),
  });
}
