import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api } from '@/api/client';
import type { Comparison, ShareLink, ShareLinks, SharedTaste } from '@/api/types';

export function useShareLinks(enabled: boolean) {
  return useQuery({ queryKey: ['share'], queryFn: () => api.get<ShareLinks>('share'), enabled, retry: false });
}

export function useCreateShare() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (days: number) => api.post<ShareLink>('share', { days }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['share'] }),
  });
}

export function useRevokeShare() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => api.delete<null>(`share/${encodeURIComponent(token)}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['share'] }),
  });
}

export function useShared(token: string) {
  return useQuery({ queryKey: ['shared', token], queryFn: () => api.get<SharedTaste>(`shared/${encodeURIComponent(token)}`), retry: false });
}

export function useCompare(token: string, withWhom: 'me' | 'public', enabled = true) {
  return useQuery({
    queryKey: ['compare', token, withWhom],
    queryFn: () => api.get<Comparison>('compare', { token, with: withWhom }),
    enabled,
    retry: false,
  });
}

/** Accepts a bare token or any URL ending in /shared/<token>. */
export function tokenFrom(input: string): string {
  const trimmed = input.trim();
  const match = trimmed.match(/\/shared\/([^/?#]+)/);
  return match ? decodeURIComponent(match[1]) : trimmed;
}

/** The link to hand out: the app's own /shared page on this origin. */
export function shareUrl(link: ShareLink, origin = window.location.origin): string {
  return `${origin}/shared/${encodeURIComponent(link.token)}`;
}
