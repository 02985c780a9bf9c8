import { useQuery } from '@tanstack/react-query';

import { api } from './client';
import type { Job, UploadJob } from './types';

export const jobFinished = (job: { status?: string } | undefined) => job?.status === 'done' || job?.status === 'failed';

/** Polls a background job every second until it is done or failed, at the URL it names. */
export function useJob(started: Pick<Job, 'id' | 'status_url'> | null | undefined) {
  return useQuery({
    queryKey: ['jobs', started?.id],
    queryFn: () => api.getUrl<Job>(started!.status_url),
    enabled: !!started,
    refetchInterval: (query) => (jobFinished(query.state.data) ? false : 1000),
  });
}

/** The analysis job of an uploaded file, polled the same way. */
export function useUploadJob(id: string | null | undefined) {
  return useQuery({
    queryKey: ['uploads', id],
    queryFn: () => api.get<UploadJob>(`uploads/${id}`),
    enabled: id !== null && id !== undefined,
    refetchInterval: (query) => (jobFinished(query.state.data) ? false : 1000),
  });
}
