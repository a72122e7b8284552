import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, expandPath, num } from './client';
import { webSocketUrl } from './consoles';

function fakeFetch(responses: { status: number; body?: unknown; type?: string }[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const next = responses.shift()!;
    const text = next.body === undefined ? '' : JSON.stringify(next.body);
    return new Response(text, { status: next.status, headers: { 'Content-Type': next.type ?? 'application/json' } });
  });
  return { fetchImpl: fetchImpl as unknown as typeof fetch, calls };
}

const tokens = (token: string | null, refreshed: string | null = null) => ({
  accessToken: vi.fn(async () => token),
  refresh: vi.fn(async () => refreshed),
});

describe('ApiClient', () => {
  it('expands path parameters, adds the query and the bearer token', async () => {
    const { fetchImpl, calls } = fakeFetch([{ status: 200, body: [] }]);
    const client = new ApiClient(tokens('tok'), { fetch: fetchImpl });
    await client.get('/api/v1/tasks', { query: { limit: 5 } });
    await expect(client.get('/api/v1/rooms/{room}', { path: { room: 'a b/c' } })).rejects.toThrow(); // no response left
    expect(calls[0].url).toBe('/api/v1/tasks?limit=5');
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(calls[1].url).toBe('/api/v1/rooms/a%20b%2Fc');
  });

  it('sends a room document as YAML', async () => {
    const task = { id: 't1', kind: 'room.apply', target: 'room/x', state: 'queued', progress: 0, createdAt: '', finishedAt: null, outcome: null, log: [] };
    const { fetchImpl, calls } = fakeFetch([{ status: 202, body: task }]);
    const client = new ApiClient(tokens('tok'), { fetch: fetchImpl });
    const answer = await client.put('/api/v1/rooms/{room}', { path: { room: 'x' }, raw: { text: 'kind: Room\n', contentType: 'application/yaml' } });
    expect(answer).toEqual(task);
    expect(calls[0].init.method).toBe('PUT');
    expect(calls[0].init.body).toBe('kind: Room\n');
    expect((calls[0].init.headers as Record<string, string>)['Content-Type']).toBe('application/yaml');
  });

  it('sends a form as multipart, leaving the Content-Type (with its boundary) to fetch', async () => {
    const { fetchImpl, calls } = fakeFetch([{ status: 201, body: { diskSha256: 'ab' } }]);
    const form = new FormData();
    form.set('name', 'debian');
    const answer = await new ApiClient(tokens('tok'), { fetch: fetchImpl }).post('/api/v1/templates', { form });
    expect(answer).toEqual({ diskSha256: 'ab' });
    expect(calls[0].init.body).toBe(form);
    expect((calls[0].init.headers as Record<string, string>)['Content-Type']).toBeUndefined();
  });

  it('turns a 400 into an ApiError with the field errors', async () => {
    const problem = { title: 'The room definition is not valid.', status: 400, errors: { 'networks[0].cidr': ['bad'] } };
    const { fetchImpl } = fakeFetch([{ status: 400, body: problem, type: 'application/problem+json' }]);
    const client = new ApiClient(tokens('tok'), { fetch: fetchImpl });
    const error = await client.put('/api/v1/rooms/{room}', { path: { room: 'x' }, raw: { text: '', contentType: 'application/yaml' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).fieldErrors).toEqual({ 'networks[0].cidr': ['bad'] });
    expect((error as ApiError).message).toBe('The room definition is not valid.');
  });

  it('renews the token once after a 401', async () => {
    const { fetchImpl, calls } = fakeFetch([{ status: 401 }, { status: 200, body: { ok: true } }]);
    const source = tokens('old', 'new');
    const answer = await new ApiClient(source, { fetch: fetchImpl }).get('/api/v1/me');
    expect(answer).toEqual({ ok: true });
    expect(source.refresh).toHaveBeenCalledTimes(1);
    expect((calls[1].init.headers as Record<string, string>).Authorization).toBe('Bearer new');
  });

  it('gives up with the 401 when no token can be had', async () => {
    const { fetchImpl, calls } = fakeFetch([{ status: 401 }]);
    const error = await new ApiClient(tokens(null, null), { fetch: fetchImpl }).get('/api/v1/me').catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(401);
    expect(calls).toHaveLength(1);
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it('asks for a console ticket with a JSON body', async () => {
    const { fetchImpl, calls } = fakeFetch([{ status: 200, body: { url: '/console/ws?ticket=x', protocol: 'vnc', expiresAt: '' } }]);
    const client = new ApiClient(tokens('tok'), { fetch: fetchImpl });
    const ticket = await client.post('/api/v1/rooms/{room}/machines/{machine}/console/tickets', { path: { room: 'r', machine: 'm' }, body: { kind: 'vnc', watch: false } });
    expect(ticket.url).toBe('/console/ws?ticket=x');
    expect(calls[0].url).toBe('/api/v1/rooms/r/machines/m/console/tickets');
    expect(calls[0].init.body).toBe('{"kind":"vnc","watch":false}');
    expect((calls[0].init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });
});

describe('helpers', () => {
  it('expandPath refuses a missing parameter', () => {
    expect(() => expandPath('/rooms/{room}', {})).toThrow(/room/);
  });

  it('num narrows the contract’s number | string', () => {
    expect(num(3)).toBe(3);
    expect(num('4')).toBe(4);
    expect(num(null)).toBe(0);
  });

  it('webSocketUrl makes ws(s) URLs from relative and http(s) ticket URLs', () => {
    expect(webSocketUrl('/console/ws?ticket=abc', 'http://127.0.0.1:8080/rooms/x')).toBe('ws://127.0.0.1:8080/console/ws?ticket=abc');
    expect(webSocketUrl('/console/ws?ticket=abc', 'https://lab.example/')).toBe('wss://lab.example/console/ws?ticket=abc');
    expect(webSocketUrl('wss://other/x', 'http://a/')).toBe('wss://other/x');
  });
});
