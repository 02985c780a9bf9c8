import { useState } from 'react';
import { useNavigate } from 'react-router';

import { loginUrl } from '@/api/client';
import { Card, Page } from '@/components/ui/page';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { useMe } from '@/features/auth/api/me';
import { useTasteSources } from '@/features/taste-import/api/taste-import';
import { formatDate } from '@/lib/features';

import { shareUrl, tokenFrom, useCreateShare, useRevokeShare, useShareLinks } from '../api/share';

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button button-small"
      data-testid="share-copy"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(
          () => setCopied(true),
          () => setCopied(false),
        );
        setTimeout(() => setCopied(false), 2000);
      }}
    >
      {copied ? 'Copied' : 'Copy link'}
    </button>
  );
}

function MyLinks() {
  const links = useShareLinks(true);
  const create = useCreateShare();
  const revoke = useRevokeShare();
  const [days, setDays] = useState(30);
  return (
    <Card title="Share your taste" testId="share-card">
      <p>A share link holds aggregates only (your distributions and genre mix), never track names or IDs. Anyone with the link can compare, without logging in.</p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(days);
        }}
      >
        <label className="inline-field">
          Expires after{' '}
          <input type="number" min={1} max={365} value={days} onChange={(e) => setDays(Number(e.target.value))} className="input-narrow" data-testid="share-days" /> days
        </label>
        <button type="submit" className="button button-primary" disabled={create.isPending} data-testid="share-create">
          Create share link
        </button>
      </form>
      {create.isError ? <ErrorState error={create.error} /> : null}
      {links.isPending ? (
        <Loading label="Loading your links…" />
      ) : links.isError ? (
        <ErrorState error={links.error} onRetry={() => void links.refetch()} />
      ) : links.data.items.length === 0 ? (
        <Empty title="No share links yet." />
      ) : (
        <ul className="share-list" data-testid="share-list">
          {links.data.items.map((l) => {
            const url = shareUrl(l);
            return (
              <li key={l.token} className="share-item" data-testid="share-item">
                <a href={url} className="share-url" data-testid="share-url">
                  {url}
                </a>
                <span className="muted small">
                  created {formatDate(l.created_at)} · expires {formatDate(l.expires_at)}
                </span>
                <span className="share-actions">
                  <CopyButton text={url} />
                  <button type="button" className="button button-small button-danger" data-testid="share-revoke" disabled={revoke.isPending} onClick={() => revoke.mutate(l.token)}>
                    Revoke
                  </button>
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {revoke.isError ? <ErrorState error={revoke.error} /> : null}
    </Card>
  );
}

export function CompareRoute() {
  const me = useMe();
  // a guest (no Spotify login, a taste from their own data) shares too
  const guest = useTasteSources(me.data !== undefined && !me.data.connected);
  const navigate = useNavigate();
  const [input, setInput] = useState('');
  return (
    <Page title="Compare" subtitle="Share your taste with a link, or open someone's link to see how you differ." testId="page-compare">
      <Card title="Open a share link" testId="open-share">
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const token = tokenFrom(input);
            if (token) navigate(`/shared/${encodeURIComponent(token)}`);
          }}
        >
          <label htmlFor="share-input" className="sr-only">
            Share link or token
          </label>
          <input id="share-input" className="input-wide" placeholder="https://…/shared/… or the token" value={input} onChange={(e) => setInput(e.target.value)} data-testid="share-open-input" />
          <button type="submit" className="button">
            Open
          </button>
        </form>
      </Card>
      {me.data?.connected || (guest.data?.items.length ?? 0) > 0 ? (
        <MyLinks />
      ) : me.isPending ? (
        <Loading />
      ) : (
        <Card title="Share your taste">
          <p>Log in with Spotify to create a link to your own taste. Opening other people's links works without logging in.</p>
          {me.data && !me.data.connected ? (
            <a className="button button-primary" href={loginUrl(me.data.login_url)}>
              Log in with Spotify
            </a>
          ) : null}
        </Card>
      )}
    </Page>
  );
}
