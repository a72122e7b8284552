// A small typed fetch wrapper over the OpenAPI document's types (src/api/schema.d.ts, `npm run gen:api`).
// Paths, path/query parameters, request bodies and success answers are checked against the contract; errors
// come back as ApiError carrying the Server's ProblemDetails (a 400's `errors` keyed by field path).

import type { components, paths } from './schema';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The paths that have an operation for `M`. */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never;
}[keyof paths];

type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

type JsonContent<R> = R extends { content: { 'application/json': infer T } } ? T : void;

/** The JSON of the operation's 200, 201 or 202 answer (void when it has none). */
export type SuccessOf<Op> = Op extends { responses: infer R }
  ? 200 extends keyof R
    ? JsonContent<R[200]>
    : 201 extends keyof R
      ? JsonContent<R[201]>
      : 202 extends keyof R
        ? JsonContent<R[202]>
        : void
  : never;

type PathParams<Op> = Op extends { parameters: { path: infer T } } ? ([T] extends [undefined] ? never : T) : never;
type QueryParams<Op> = Op extends { parameters: { query?: infer T } } ? T : never;
type JsonBody<Op> = Op extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;

export interface RequestOptions<Op> {
  path?: PathParams<Op>;
  query?: QueryParams<Op>;
  body?: JsonBody<Op>;
  /** A non-JSON body, e.g. a room.yaml document. */
  raw?: { text: string; contentType: string };
  /** A multipart/form-data body (e.g. a template upload); fetch sets the Content-Type with its boundary. */
  form?: FormData;
  signal?: AbortSignal;
}

type Body = { text: string; contentType: string } | { form: FormData };

export type ProblemDetails = components['schemas']['HttpValidationProblemDetails'] & Record<string, unknown>;

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails | null;

  constructor(status: number, problem: ProblemDetails | null, fallback: string) {
    super(problem?.detail ?? problem?.title ?? fallback);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** The 400's errors keyed by field path ("machines[1].nics[0].ip"). */
  get fieldErrors(): Record<string, string[]> {
    return this.problem?.errors ?? {};
  }
}

/** Supplies the bearer token for a request; `refresh` asks for a new one after a 401. */
export interface TokenSource {
  accessToken(): Promise<string | null>;
  refresh(): Promise<string | null>;
}

export function expandPath(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) throw new Error(`missing path parameter '${name}' for ${template}`);
    return encodeURIComponent(String(value));
  });
}

export class ApiClient {
  private readonly tokens: TokenSource;
  private readonly fetchImpl: typeof fetch;
  private readonly base: string;

  constructor(tokens: TokenSource, options: { fetch?: typeof fetch; base?: string } = {}) {
    this.tokens = tokens;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.base = options.base ?? '';
  }

  get<P extends PathsWith<'get'>>(path: P, options?: RequestOptions<Operation<P, 'get'>>) {
    return this.request<SuccessOf<Operation<P, 'get'>>>('GET', path, options);
  }

  post<P extends PathsWith<'post'>>(path: P, options?: RequestOptions<Operation<P, 'post'>>) {
    return this.request<SuccessOf<Operation<P, 'post'>>>('POST', path, options);
  }

  put<P extends PathsWith<'put'>>(path: P, options?: RequestOptions<Operation<P, 'put'>>) {
    return this.request<SuccessOf<Operation<P, 'put'>>>('PUT', path, options);
  }

  patch<P extends PathsWith<'patch'>>(path: P, options?: RequestOptions<Operation<P, 'patch'>>) {
    return this.request<SuccessOf<Operation<P, 'patch'>>>('PATCH', path, options);
  }

  delete<P extends PathsWith<'delete'>>(path: P, options?: RequestOptions<Operation<P, 'delete'>>) {
    return this.request<SuccessOf<Operation<P, 'delete'>>>('DELETE', path, options);
  }

  private request<T>(method: string, template: string, options: RequestOptions<unknown> = {}): Promise<T> {
    let url = expandPath(template, options.path as Record<string, unknown> | undefined);
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries((options.query ?? {}) as Record<string, unknown>)) {
      if (value !== undefined && value !== null) query.set(key, String(value));
    }
    if ([...query].length > 0) url += `?${query}`;
    const body: Body | undefined = options.form
      ? { form: options.form }
      : (options.raw ?? (options.body === undefined ? undefined : { text: JSON.stringify(options.body), contentType: 'application/json' }));
    return this.send<T>(method, url, body, options.signal);
  }

  /**
   * GET of a route the generated contract does not type yet (added since schema.d.ts was last generated); the caller
   * states the answer's type, written by hand next to its use after the Server's record.
   */
  getUntyped<T>(url: string, signal?: AbortSignal): Promise<T> {
    return this.send<T>('GET', url, undefined, signal);
  }

  /** POST without a body to a route the generated contract does not type yet; as {@link getUntyped}. */
  postUntyped<T>(url: string, signal?: AbortSignal): Promise<T> {
    return this.send<T>('POST', url, undefined, signal);
  }

  /**
   * GET of a binary answer (an image, a fenced disk) with the bearer token, for an object URL: an <img src> or a plain
   * link cannot send the token, and a token never goes into a URL.
   */
  getBlob(url: string, signal?: AbortSignal, accept = 'image/*, application/problem+json'): Promise<Blob> {
    return this.blob('GET', url, signal, accept);
  }

  /** POST without a body whose answer is a file (a .vv for remote-viewer), as {@link getBlob}. */
  postBlob(url: string, accept: string, signal?: AbortSignal): Promise<Blob> {
    return this.blob('POST', url, signal, accept);
  }

  private async blob(method: string, url: string, signal: AbortSignal | undefined, accept: string): Promise<Blob> {
    const response = await this.fetchWithToken(method, url, undefined, signal, accept);
    if (!response.ok) {
      const text = await response.text();
      const json = /json/.test(response.headers.get('Content-Type') ?? '') ? safeJson(text) : undefined;
      throw new ApiError(response.status, (json as ProblemDetails | undefined) ?? null, `${method} ${url} answered ${response.status} ${response.statusText}`);
    }
    return response.blob();
  }

  private async fetchWithToken(method: string, url: string, body: Body | undefined, signal?: AbortSignal, accept = 'application/json, application/problem+json') {
    const attempt = async (token: string | null) => {
      const headers: Record<string, string> = { Accept: accept };
      if (token) headers.Authorization = `Bearer ${token}`;
      if (body && 'text' in body) headers['Content-Type'] = body.contentType;
      return this.fetchImpl(this.base + url, { method, headers, body: body ? ('text' in body ? body.text : body.form) : undefined, signal });
    };
    let response = await attempt(await this.tokens.accessToken());
    if (response.status === 401) {
      const fresh = await this.tokens.refresh();
      if (fresh) response = await attempt(fresh);
    }
    return response;
  }

  private async send<T>(method: string, url: string, body: Body | undefined, signal?: AbortSignal): Promise<T> {
    const response = await this.fetchWithToken(method, url, body, signal);
    const text = await response.text();
    const json = text.length > 0 && /json/.test(response.headers.get('Content-Type') ?? '') ? safeJson(text) : undefined;
    if (!response.ok) {
      throw new ApiError(response.status, (json as ProblemDetails | undefined) ?? null, `${method} ${url} answered ${response.status} ${response.statusText}`);
    }
    return json as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The Server's OpenAPI document types integers as `number | string` (ASP.NET reads numbers from strings);
 * it always writes numbers, so this only narrows the type.
 */
export function num(value: number | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value);
}
