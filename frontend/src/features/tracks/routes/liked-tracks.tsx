import { Page } from '@/components/ui/page';

import { TrackListView } from '../components/track-list-view';

export function LikedTracksRoute() {
  return (
    <Page title="Liked tracks" subtitle="Every track you saved, loaded page by page; sort, filter and export them." testId="page-liked">
      <TrackListView endpoint="likedtracks" params={{}} exportName="liked-tracks" emptyText="You have not liked any track yet." />
    </Page>
  );
}
