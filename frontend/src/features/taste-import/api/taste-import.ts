import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';

import { api } from '@/api/client';
import type { TasteImport, TasteSources, UserTaste } from '@/api/types';
import { uploadFile } from '@/api/upload-file';

export const importFinished = (item: Pick<TasteImport, 'stage'> | undefined) => item?.stage === 'done' || item?.stage === 'failed';

export function uploadExport(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<TasteImport> {
  return uploadFile<TasteImport>('taste/imports', file, onProgress, signal);
}

/** Polls an import every second until it is done or failed; then the tastes are read again. */
export function useTasteImport(started: Pick<TasteImport, 'id' | 'status_url'> | null) {
  const client = useQueryClient();
  const query = useQuery({
    queryKey: ['taste', 'imports', started?.id],
    queryFn: () => api.getUrl<TasteImport>(started!.status_url),
    enabled: !!started,
    refetchInterval: (q) => (importFinished(q.state.data) ? false : 1000),
  });
  const stage = query.data?.stage;
  useEffect(() => {
    // a guest was signed in by the upload, and the import added a taste: both change what /me and /taste say
    if (stage === 'done') void client.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'taste' && q.queryKey[1] !== 'imports' });
  }, [stage, client]);
  return query;
}

export function useTasteSources(enabled = true) {
  return useQuery({ queryKey: ['taste', 'sources'], queryFn: () => api.get<TasteSources>('taste/sources'), enabled, retry: false });
}

/** A taste from the audio files this person uploaded and had analysed (source "local"). */
export function useLocalTaste() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<UserTaste>('taste/local'),
    onSuccess: () => void client.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'taste' && q.queryKey[1] !== 'imports' }),
  });
}
