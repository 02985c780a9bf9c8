import { useLocation, useParams } from 'react-router';

import { Page } from '@/components/ui/page';

import { TrackListView } from '../components/track-list-view';

export function PlaylistTracksRoute() {
  const { playlistId = '' } = useParams();
  const name = (useLocation().state as { name?: string } | null)?.name;
  return (
    <Page title={name ?? 'Playlist'} subtitle="Playlist tracks with their features." testId="page-playlist">
      <TrackListView endpoint="playlist_tracks" params={{ playlist_id: playlistId }} exportName={`playlist-${playlistId}`} emptyText="This playlist has no tracks." />
    </Page>
  );
}

export function AlbumTracksRoute() {
  const { albumId = '' } = useParams();
  const name = (useLocation().state as { name?: string } | null)?.name;
  return (
    <Page title={name ?? 'Album'} subtitle="Album tracks with their features." testId="page-album">
      <TrackListView endpoint="album_tracks" params={{ album_id: albumId }} exportName={`album-${albumId}`} emptyText="This album has no tracks." />
    </Page>
  );
}
