import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api } from '@/api/client';
import type { Me } from '@/api/types';
import { forgetAllAudio } from '@/lib/local-audio';

export const meQueryKey = ['me'] as const;

export const getMe = () => api.get<Me>('me');

export function useMe() {
  return useQuery({ queryKey: meQueryKey, queryFn: getMe, staleTime: 60_000 });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<null>('auth/logout'),
    onSuccess: () => {
      // everything cached belonged to the person who just left, their audio files too
      client.clear();
      void forgetAllAudio();
      void client.invalidateQueries();
    },
  });
}
