// The Server as a fake fetch for component and page tests: the real API client runs over it, so requests are checked
// as they would leave the browser (method, URL with its query, JSON body, bearer token).
import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';

export interface FakeAnswer {
  status: number;
  body: unknown;
}

export interface FakeCall {
  key: string;
  body: unknown;
  auth: string | undefined;
}

/**
 * Stubs the global fetch until `vi.unstubAllGlobals()`. `answers` are per "METHOD url", in order; the last one repeats
 * (push another to move on). A request without an answer fails the call, naming it.
 */
export function fakeServer() {
  const answers: Record<string, FakeAnswer[]> = {};
  const calls: FakeCall[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const key = `${init.method} ${url}`;
      calls.push({ key, body: init.body ? JSON.parse(String(init.body)) : undefined, auth: (init.headers as Record<string, string>).Authorization });
      const queue = answers[key];
      if (!queue?.length) throw new Error(`unexpected ${key}`);
      const { status, body } = queue.length > 1 ? queue.shift()! : queue[0];
      // 204 and 304 carry no body (the Response constructor refuses one).
      return new Response(status === 204 || status === 304 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' } });
    }),
  );
  return { answers, calls, count: (key: string) => calls.filter((c) => c.key === key).length };
}

/**
 * A fresh fake Server for each test of the file (the same object, its answers and calls renewed), and the page's DOM and
 * the fetch stub gone after each.
 */
export function useFakeServer() {
  const server = {
    answers: {} as Record<string, FakeAnswer[]>,
    calls: [] as FakeCall[],
    count: (key: string) => server.calls.filter((c) => c.key === key).length,
  };
  beforeEach(() => {
    const fresh = fakeServer();
    server.answers = fresh.answers;
    server.calls = fresh.calls;
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });
  return server;
}
