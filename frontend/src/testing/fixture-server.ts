// Answers the app's /rest/ requests from fixtures inside the test process: the app's own fetch
// code runs unchanged, only the network is replaced (there is no backend in a component test).
import { vi } from 'vitest';

import type { ErrorBody } from '@/api/types';

export type Handler = (url: URL, init: RequestInit | undefined) => Response | Promise<Response>;

export const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

export const noContent = (): Response => new Response(null, { status: 204 });

// The schema types `details` as an object with no declared keys; the API fills it with {what, why},
// {login_url}, {reconnect_url} or the invalid fields, so the fixture says so with a cast.
export const apiError = (status: number, code: string, message: string, details: Record<string, unknown> | null = null): Response =>
  json({ error: { status, code, message, details: details as ErrorBody['error']['details'] } } satisfies ErrorBody, status);

/** A request that never answers: the view stays in its loading state. */
export const pending = (): Promise<Response> => new Promise(() => {});

/**
 * Installs the handlers; keys are "METHOD path" with the path after /rest/ (e.g. "GET me",
 * "GET shared/abc"). Unknown requests fail the test loudly. Returns the list of requests made.
 */
export function serve(handlers: Record<string, Handler | Response | unknown>) {
  const calls: { method: string; url: URL; body: unknown }[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/^\/rest\//, '');
    calls.push({ method, url, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const handler = handlers[`${method} ${path}`];
    if (handler === undefined) throw new Error(`unexpected request ${method} ${url.pathname}${url.search}`);
    if (typeof handler === 'function') return (handler as Handler)(url, init);
    if (handler instanceof Response) return handler.clone();
    return json(handler);
  });
  return calls;
}
