import { useLocation, useParams } from 'react-router';

import { Page } from '@/components/ui/page';

import type { TrackListEndpoint } from '../api/track-pages';
import { TrackListView } from '../components/track-list-view';

/** A playlist's or an album's tracks; the name comes from the link that led here. */
function ContainerTracks({ kind, endpoint, param }: { kind: 'playlist' | 'album'; endpoint: TrackListEndpoint; param: string }) {
  const id = useParams()[`${kind}Id`] ?? '';
  const name = (useLocation().state as { name?: string } | null)?.name;
  const noun = kind === 'playlist' ? 'Playlist' : 'Album';
  return (
    <Page title={name ?? noun} subtitle={`${noun} tracks with their features.`} testId={`page-${kind}`}>
      <TrackListView endpoint={endpoint} params={{ [param]: id }} exportName={`${kind}-${id}`} emptyText={`This ${kind} has no tracks.`} />
    </Page>
  );
}

export const PlaylistTracksRoute = () => <ContainerTracks kind="playlist" endpoint="playlist_tracks" param="playlist_id" />;
export const AlbumTracksRoute = () => <ContainerTracks kind="album" endpoint="album_tracks" param="album_id" />;
