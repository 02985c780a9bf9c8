// Loading, empty and error states shared by every view.
import type { ReactNode } from 'react';

import { Page } from './page';

import { ApiError, loginUrl } from '@/api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite" data-testid="state-loading">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="state-empty">
      <p className="state-title">{title}</p>
      {children ? <div className="state-body">{children}</div> : null}
    </div>
  );
}

function detail(error: ApiError, key: string): string | null {
  const value = error.details?.[key];
  return typeof value === 'string' ? value : null;
}

/** The API's own sentence, plus what the person can do about it. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const apiError = error instanceof ApiError ? error : null;
  const message = apiError?.message ?? (error instanceof Error ? error.message : 'Something went wrong.');
  const code = apiError?.code ?? 'unknown';
  let action: ReactNode = null;
  let title = 'Something went wrong';
  if (code === 'restricted') {
    title = 'Not available for this Spotify app';
    const why = detail(apiError!, 'why');
    const what = detail(apiError!, 'what');
    action = (
      <p className="state-why">
        {what ? <strong>{what}: </strong> : null}
        {why ?? 'Spotify does not allow this app to use it.'}
      </p>
    );
  } else if (code === 'not_logged_in') {
    title = 'Log in to see this';
    action = (
      <a className="button button-primary" href={loginUrl(detail(apiError!, 'login_url'))}>
        Log in with Spotify
      </a>
    );
  } else if (code === 'reauth') {
    title = 'Spotify needs you to reconnect';
    action = (
      <a className="button button-primary" href={loginUrl(detail(apiError!, 'reconnect_url'))}>
        Reconnect Spotify
      </a>
    );
  } else if (code === 'rate_limited' || code === 'throttled') {
    title = 'Too many requests right now';
  } else if (code === 'not_found') {
    title = 'Not found';
  } else if (code === 'network') {
    title = 'Server unreachable';
  }
  return (
    <div className={`state state-error state-${code}`} role="alert" data-testid="state-error" data-code={code}>
      <p className="state-title">{title}</p>
      <p className="state-message">{message}</p>
      {action}
      {onRetry && code !== 'restricted' && code !== 'not_logged_in' && code !== 'reauth' ? (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

interface QueryLike<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

/** Renders the loading/error states of a query, else `children(data)`. */
export function QueryView<T>({
  query,
  loadingLabel,
  isEmpty,
  empty,
  children,
}: {
  query: QueryLike<T>;
  loadingLabel?: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const data = query.data as T;
  if (isEmpty?.(data)) return <>{empty ?? <Empty title="Nothing here yet." />}</>;
  return <>{children(data)}</>;
}

/**
 * The page of a view whose title comes from its data: while loading or failed, a page with a
 * fixed title and the state; `null` once there is data, and the view renders its own page.
 */
export function pendingPage<T>(query: QueryLike<T>, { title, testId, loadingLabel, retry = true }: { title: string; testId: string; loadingLabel?: string; retry?: boolean }): ReactNode | null {
  if (query.isPending)
    return (
      <Page title={title} testId={testId}>
        <Loading label={loadingLabel} />
      </Page>
    );
  if (query.isError)
    return (
      <Page title={title} testId={testId}>
        <ErrorState error={query.error} onRetry={retry ? () => void query.refetch() : undefined} />
      </Page>
    );
  return null;
}
