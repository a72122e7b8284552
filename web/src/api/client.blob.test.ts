import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from './client';

// getBlob: images through the API with the bearer token (an <img src> cannot send one; ADR 0029).
describe('ApiClient.getBlob', () => {
  it('sends the token, asks for an image, and refreshes it once after a 401', async () => {
    const calls: RequestInit[] = [];
    const answers = [
      new Response('', { status: 401 }),
      new Response(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), { status: 200, headers: { 'Content-Type': 'image/png' } }),
    ];
    const fetchImpl = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      calls.push(init ?? {});
      return answers.shift()!;
    }) as unknown as typeof fetch;
    const client = new ApiClient({ accessToken: async () => 'old', refresh: async () => 'new' }, { fetch: fetchImpl });

    const blob = await client.getBlob('/api/v1/experiments/smoke/plots/time.png');

    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    expect(calls.map((c) => (c.headers as Record<string, string>).Authorization)).toEqual(['Bearer old', 'Bearer new']);
    expect((calls[1].headers as Record<string, string>).Accept).toBe('image/*, application/problem+json');
  });

  it("throws an ApiError carrying the Server's problem", async () => {
    const problem = { title: 'Not served', status: 422, detail: 'leak.png: a symbolic link, not read' };
    const fetchImpl = (async () =>
      new Response(JSON.stringify(problem), { status: 422, headers: { 'Content-Type': 'application/problem+json' } })) as unknown as typeof fetch;
    const client = new ApiClient({ accessToken: async () => 'tok', refresh: async () => null }, { fetch: fetchImpl });

    const error = await client.getBlob('/api/v1/experiments/smoke/plots/leak.png').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).message).toBe('leak.png: a symbolic link, not read');
  });
});
