// Every endpoint that answers a TrackPage. The table sorts and filters the whole list, so the
// pages are fetched one after the other until the list is complete (liked tracks: 500 a page).
import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect } from 'react';

import { api, type Query } from '@/api/client';
import type { TrackItem, TrackPage } from '@/api/types';

export type TrackListEndpoint = 'toptracks' | 'likedtracks' | 'playlist_tracks' | 'album_tracks';

const PAGE_LIMIT: Record<TrackListEndpoint, number> = {
  toptracks: 50,
  likedtracks: 500,
  playlist_tracks: 100,
  album_tracks: 50,
};

export function getTrackPage(endpoint: TrackListEndpoint, params: Query, offset: number) {
  return api.get<TrackPage>(endpoint, { ...params, offset, limit: PAGE_LIMIT[endpoint] });
}

export function useAllTrackPages(endpoint: TrackListEndpoint, params: Query, enabled = true) {
  const query = useInfiniteQuery({
    queryKey: ['tracks', endpoint, params],
    queryFn: ({ pageParam }) => getTrackPage(endpoint, params, pageParam),
    initialPageParam: 0,
    getNextPageParam: (last: TrackPage) => last.next_offset ?? undefined,
    enabled,
    staleTime: 5 * 60_000,
  });
  const { hasNextPage, isFetchingNextPage, fetchNextPage, isError } = query;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && !isError) void fetchNextPage({ cancelRefetch: false });
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, isError]);
  return query;
}

export function mergePages(pages: TrackPage[]): { tracks: TrackItem[]; total: number; coverage: TrackPage['coverage']; model: TrackPage['model'] } {
  const tracks = pages.flatMap((p) => p.items);
  const last = pages[pages.length - 1];
  const bySource: Record<string, number> = {};
  let withFeatures = 0;
  for (const p of pages) {
    withFeatures += p.coverage?.with_features ?? 0;
    for (const [k, v] of Object.entries(p.coverage?.by_source ?? {})) bySource[k] = (bySource[k] ?? 0) + v;
  }
  return {
    tracks,
    total: last?.total ?? tracks.length,
    coverage: { tracks: tracks.length, with_features: withFeatures, by_source: bySource },
    model: last?.model ?? null,
  };
}
