import { useQuery } from '@tanstack/react-query';

import { api } from '@/api/client';
import type { NowPlaying } from '@/api/types';

/** Polled every 5 s while shown; 204 (nothing playing) arrives as null. */
export function useNowPlaying(enabled = true) {
  return useQuery({
    queryKey: ['nowplaying'],
    queryFn: () => api.get<NowPlaying | null>('nowplaying'),
    refetchInterval: 5000,
    enabled,
    retry: false,
  });
}
