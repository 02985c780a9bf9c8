import { describe, expect, it } from 'vitest';

import { serve, apiError } from '@/testing/fixture-server';

import { api, ApiError, buildUrl, csrfToken, loginUrl } from '../client';

describe('api client', () => {
  it('builds /rest/ URLs and drops empty parameters', () => {
    expect(buildUrl('search', { q: 'a b', type: 'track', offset: 0, empty: '', none: null })).toBe('/rest/search?q=a+b&type=track&offset=0');
    expect(buildUrl('/me')).toBe('/rest/me');
  });

  it('sends people back to where they were after logging in', () => {
    expect(loginUrl('/rest/auth/login', '/liked?x=1')).toBe('/rest/auth/login?next=%2Fliked%3Fx%3D1');
    expect(loginUrl('/rest/auth/login?next=/taste', '/liked')).toBe('/rest/auth/login?next=/taste');
    expect(loginUrl(null, '/top')).toBe('/rest/auth/login?next=%2Ftop');
  });

  it('reuses the csrftoken cookie, or sets one of Django’s format once', () => {
    document.cookie = 'csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
    const first = csrfToken();
    expect(first).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(csrfToken()).toBe(first);
    document.cookie = 'csrftoken=fromdjango0123456789abcdefghijklm; path=/';
    expect(csrfToken()).toBe('fromdjango0123456789abcdefghijklm');
  });

  it('sends the CSRF header on writes and turns error bodies into ApiError', async () => {
    const calls: RequestInit[] = [];
    serve({
      'POST share': (_url: URL, init: RequestInit | undefined) => {
        calls.push(init!);
        return apiError(409, 'restricted', 'Not for this app.', { what: 'x', why: 'y' });
      },
    });
    const error = await api.post('share', { days: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'restricted', message: 'Not for this app.', details: { what: 'x', why: 'y' } });
    expect((calls[0].headers as Record<string, string>)['X-CSRFToken']).toBe(csrfToken());
  });

  it('follows URLs the API hands out, such as a job status_url', async () => {
    const calls = serve({ 'GET uploads/abc': { id: 'abc', status: 'done' } });
    await expect(api.getUrl('/rest/uploads/abc')).resolves.toEqual({ id: 'abc', status: 'done' });
    await expect(api.getUrl('http://127.0.0.1:8000/rest/uploads/abc')).resolves.toEqual({ id: 'abc', status: 'done' });
    expect(calls.map((c) => c.url.pathname)).toEqual(['/rest/uploads/abc', '/rest/uploads/abc']);
  });

  it('says so in words when the answer is not the API’s JSON', async () => {
    serve({ 'GET health': new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }) });
    await expect(api.get('health')).rejects.toMatchObject({ status: 502, code: 'http', message: 'The server answered 502 Bad Gateway.' });
  });
});
