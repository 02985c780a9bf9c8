import { useQuery } from '@tanstack/react-query';

import { api } from '@/api/client';
import type { Categories, Playlists } from '@/api/types';

export function useCategories() {
  return useQuery({ queryKey: ['categories'], queryFn: () => api.get<Categories>('categories'), staleTime: 30 * 60_000 });
}

export function useCategoryPlaylists(categoryId: string) {
  return useQuery({
    queryKey: ['playlists', categoryId],
    queryFn: () => api.get<Playlists>('playlists', { category_id: categoryId }),
    staleTime: 30 * 60_000,
  });
}

export function useMyPlaylists() {
  return useQuery({ queryKey: ['myplaylists'], queryFn: () => api.get<Playlists>('myplaylists'), staleTime: 5 * 60_000 });
}
