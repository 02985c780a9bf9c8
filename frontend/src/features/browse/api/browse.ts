import { useQuery } from '@tanstack/react-query';

import { api } from '@/api/client';
import type { Category, PlaylistItem } from '@/api/types';

export function useCategories() {
  return useQuery({ queryKey: ['categories'], queryFn: () => api.get<{ items: Category[] }>('categories'), staleTime: 30 * 60_000 });
}

export function useCategoryPlaylists(categoryId: string) {
  return useQuery({
    queryKey: ['playlists', categoryId],
    queryFn: () => api.get<{ items: PlaylistItem[] }>('playlists', { category_id: categoryId }),
    staleTime: 30 * 60_000,
  });
}

export function useMyPlaylists() {
  return useQuery({ queryKey: ['myplaylists'], queryFn: () => api.get<{ items: PlaylistItem[] }>('myplaylists'), staleTime: 5 * 60_000 });
}
