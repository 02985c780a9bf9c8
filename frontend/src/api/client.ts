// The one seam to the backend: fetch with the session cookie, CSRF on writes, and every failure
// turned into an ApiError carrying the API's own {code, message, details}.
import type { ErrorBody } from './types';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | null;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function buildUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `/rest/${path.replace(/^\/+/, '')}${qs ? `?${qs}` : ''}`;
}

const CSRF_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * The CSRF token to send on writes: Django's `csrftoken` cookie. When no response has set it yet
 * (the API sets it nowhere today, and the app's page may come from a static server), the app sets
 * one itself: Django's cookie-based check compares the X-CSRFToken header with that cookie, and a
 * page on another site can neither read nor set a cookie of this origin, so a random secret of
 * Django's format (32 letters/digits) protects exactly as one Django would have issued.
 */
export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const secret = Array.from(bytes, (b) => CSRF_CHARS[b % CSRF_CHARS.length]).join('');
  document.cookie = `csrftoken=${secret}; path=/; SameSite=Lax`;
  return secret;
}

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === 'object' && body !== null && 'error' in body && typeof (body as ErrorBody).error?.message === 'string';
}

export async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // not JSON (a proxy's HTML page): fall through to a generic sentence
  }
  if (isErrorBody(body)) {
    const { status, code, message, details } = body.error;
    return new ApiError(status ?? response.status, code, message, (details as Record<string, unknown> | null) ?? null);
  }
  return new ApiError(response.status, 'http', `The server answered ${response.status} ${response.statusText}.`.trim());
}

async function request<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRFToken'] = csrfToken();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(buildUrl(path, query), {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Could not reach the genrelens server. Is it running?');
  }
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return null as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, query),
  /** A URL the API handed out (e.g. a job's status_url), under /rest/. */
  getUrl: <T>(url: string) => request<T>('GET', url.replace(/^(https?:\/\/[^/]+)?\/rest\//, '')),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, undefined, body ?? {}),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/**
 * Where to send a person to log in: the URL the API named (or /rest/auth/login), with `next` set
 * to the page they are on so Spotify's round trip brings them back to it.
 */
export function loginUrl(from?: string | null, next: string = window.location.pathname + window.location.search): string {
  const url = new URL(from || buildUrl('auth/login'), window.location.origin);
  if (!url.searchParams.has('next')) url.searchParams.set('next', next);
  return url.origin === window.location.origin ? url.pathname + url.search : url.href;
}
