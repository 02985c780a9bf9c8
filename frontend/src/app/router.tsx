import { createBrowserRouter, type RouteObject } from 'react-router';

import { AppShell } from './app-shell';
import { RouteError } from './route-error';

// Every view is its own chunk: the first page loads only the shell and what it shows.
export const routes: RouteObject[] = [
  {
    element: <AppShell />,
    errorElement: <RouteError />,
    children: [
      { index: true, lazy: async () => ({ Component: (await import('@/features/home/routes/home')).HomeRoute }) },
      { path: 'search', lazy: async () => ({ Component: (await import('@/features/search/routes/search')).SearchRoute }) },
      { path: 'browse', lazy: async () => ({ Component: (await import('@/features/browse/routes/browse')).BrowseRoute }) },
      { path: 'browse/:categoryId', lazy: async () => ({ Component: (await import('@/features/browse/routes/browse')).CategoryRoute }) },
      { path: 'playlist/:playlistId', lazy: async () => ({ Component: (await import('@/features/tracks/routes/playlist-tracks')).PlaylistTracksRoute }) },
      { path: 'album/:albumId', lazy: async () => ({ Component: (await import('@/features/tracks/routes/playlist-tracks')).AlbumTracksRoute }) },
      { path: 'top', lazy: async () => ({ Component: (await import('@/features/tracks/routes/top-tracks')).TopTracksRoute }) },
      { path: 'liked', lazy: async () => ({ Component: (await import('@/features/tracks/routes/liked-tracks')).LikedTracksRoute }) },
      { path: 'track/:trackId', lazy: async () => ({ Component: (await import('@/features/analysis/routes/analysis')).AnalysisRoute }) },
      { path: 'taste', lazy: async () => ({ Component: (await import('@/features/taste/routes/taste')).TasteRoute }) },
      { path: 'compare', lazy: async () => ({ Component: (await import('@/features/compare/routes/compare')).CompareRoute }) },
      { path: 'shared/:token', lazy: async () => ({ Component: (await import('@/features/compare/routes/shared')).SharedRoute }) },
      { path: 'rhythm', lazy: async () => ({ Component: (await import('@/features/rhythm/routes/rhythm-now')).RhythmNowRoute }) },
      { path: 'rhythm/:trackId', lazy: async () => ({ Component: (await import('@/features/rhythm/routes/rhythm-track')).RhythmTrackRoute }) },
      { path: 'upload', lazy: async () => ({ Component: (await import('@/features/upload/routes/upload')).UploadRoute }) },
      { path: 'model', lazy: async () => ({ Component: (await import('@/features/model/routes/model')).ModelRoute }) },
      { path: 'status', lazy: async () => ({ Component: (await import('@/features/status/routes/status')).StatusRoute }) },
      { path: '*', lazy: async () => ({ Component: (await import('./not-found')).NotFoundRoute }) },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);
