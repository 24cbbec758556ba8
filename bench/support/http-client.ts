// The chat API as the fault and load benchmarks call it: one request with a timeout, its status, time and
// body, and counters by status (a network error or timeout is status 0 with a reason).
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface HttpOutcome {
  readonly status: number;
  readonly ms: number;
  /** The parsed JSON body, when it was JSON. */
  readonly json: unknown;
  readonly text: string;
  /** Why there was no status: 'timeout' or the network error's code. */
  readonly failure?: string;
  /** node:http only: whether the request went on a kept-alive connection. */
  readonly reusedSocket?: boolean;
}

export interface HttpRequest {
  readonly method?: string;
  readonly token?: string;
  readonly json?: unknown;
  readonly body?: string | Uint8Array;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
  /** node:http only: a new connection for this request, as a first visit or a health check makes. */
  readonly fresh?: boolean;
}

export async function httpCall(base: string, path: string, request: HttpRequest = {}): Promise<HttpOutcome> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
  let body: string | Uint8Array | undefined = request.body;
  if (request.json !== undefined) {
    body = JSON.stringify(request.json);
    headers['content-type'] = 'application/json';
  }
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  const started = performance.now();
  try {
    const response = await fetch(`${base}${path}`, {
      method: request.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(request.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    let json: unknown;
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: response.status, ms: performance.now() - started, json, text };
  } catch (error) {
    const failure = failureName(error);
    return { status: 0, ms: performance.now() - started, json: undefined, text: '', failure };
  }
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

/**
 * The same call through node:http with a keep-alive agent: the load benchmark's client. Under hundreds of
 * concurrent requests, fetch (undici) spent more CPU per request here and left some requests waiting 20 s or
 * more for a connection until the others stopped, which measured the client rather than the server.
 */
export function nodeHttpCall(base: string, path: string, request: HttpRequest = {}): Promise<HttpOutcome> {
  const headers: Record<string, string | number> = { ...request.headers };
  if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
  let body: string | Uint8Array | undefined = request.body;
  if (request.json !== undefined) {
    body = JSON.stringify(request.json);
    headers['content-type'] = 'application/json';
  }
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  if (body !== undefined)
    headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: HttpOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const req = httpRequest(
      `${base}${path}`,
      {
        method: request.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        agent: request.fresh ? false : keepAlive,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) =>
          done({
            status: 0,
            ms: performance.now() - started,
            json: undefined,
            text: '',
            failure: error.code ?? error.message,
          }),
        );
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          if ((res.headers['content-type'] ?? '').includes('json')) {
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
          }
          done({
            status: res.statusCode ?? 0,
            ms: performance.now() - started,
            json,
            text,
            reusedSocket: req.reusedSocket,
          });
        });
      },
    );
    req.setTimeout(request.timeoutMs ?? 30_000, () => {
      req.destroy();
      done({ status: 0, ms: performance.now() - started, json: undefined, text: '', failure: 'timeout' });
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      done({
        status: 0,
        ms: performance.now() - started,
        json: undefined,
        text: '',
        failure: error.code ?? error.message,
      }),
    );
    req.end(body);
  });
}

function failureName(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message.slice(0, 80) : String(error);
}

/** Sends raw bytes on a fresh TCP connection and reads the first response's status (0 if none came). */
export function rawHttp(
  port: number,
  chunks: readonly (string | Buffer)[],
  options: { timeoutMs?: number; endAfter?: boolean } = {},
): Promise<{ status: number; failure?: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let settled = false;
    const finish = (status: number, failure?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(failure ? { status, failure } : { status });
    };
    const timer = setTimeout(() => {
      const status = statusOf(received);
      finish(status, status ? undefined : 'timeout');
    }, options.timeoutMs ?? 3000);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (options.endAfter) socket.end();
    });
    socket.on('data', (data) => {
      received += data.toString('latin1');
      const status = statusOf(received);
      if (status) finish(status);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(statusOf(received), error.code ?? 'error'));
    socket.on('close', () => finish(statusOf(received), statusOf(received) ? undefined : 'closed'));
  });
}

function statusOf(received: string): number {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
  return match ? Number(match[1]) : 0;
}

/** Counts of outcomes by label (a status code, 'timeout', 'ECONNRESET'…). */
export class Tally {
  readonly counts = new Map<string, number>();
  add(label: string | number, n = 1): void {
    const key = String(label);
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  get(label: string | number): number {
    return this.counts.get(String(label)) ?? 0;
  }
  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }
  sum(predicate: (label: string) => boolean): number {
    let sum = 0;
    for (const [label, n] of this.counts) if (predicate(label)) sum += n;
    return sum;
  }
  toString(): string {
    return [...this.counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, n]) => `${label}×${n}`)
      .join(' ');
  }
}

/** p-th percentile (0–100) of a list of numbers, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
