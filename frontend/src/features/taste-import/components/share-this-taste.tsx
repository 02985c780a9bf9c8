import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api } from '@/api/client';
import type { ShareLink, UserTaste } from '@/api/types';
import { ErrorState } from '@/components/ui/states';

/** A share link to the taste on screen (its source and weighting), aggregates only. */
export function ShareThisTaste({ taste }: { taste: Pick<UserTaste, 'source' | 'weighting'> }) {
  const client = useQueryClient();
  const share = useMutation({
    mutationFn: () => api.post<ShareLink>('share', { source: taste.source, weighting: taste.weighting }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['share'] }),
  });
  const url = share.data ? new URL(share.data.url, window.location.origin).href : null;
  return (
    <div className="inline-field" data-testid="share-this-taste">
      <button type="button" className="button" disabled={share.isPending} onClick={() => share.mutate()}>
        {share.isPending ? 'Creating…' : 'Share this taste'}
      </button>
      {url ? (
        <a href={url} className="share-url" data-testid="share-this-taste-url">
          {url}
        </a>
      ) : null}
      {share.isError ? <ErrorState error={share.error} /> : null}
    </div>
  );
}
