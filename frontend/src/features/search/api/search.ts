import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { api } from '@/api/client';
import type { SearchResult, SearchType } from '@/api/types';

export function useSearch(q: string, type: SearchType, offset = 0) {
  return useQuery({
    queryKey: ['search', { q, type, offset }],
    queryFn: () => api.get<SearchResult>('search', { q, type, offset }),
    enabled: q.trim().length > 0,
    placeholderData: keepPreviousData,
    staleTime: 5 * 60_000,
  });
}
