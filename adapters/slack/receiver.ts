// A Bolt receiver fed by a Hono route, so the Slack app lives on the service's own HTTP server at
// POST /slack/events (events, slash commands, interactivity and options on one URL) — no second server.
// It verifies the signature, answers url_verification and ssl_check itself, hands everything else to Bolt
// and responds as soon as a listener calls ack(); the listener's slower work goes on after the response.
import { createHash } from 'node:crypto';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../http/logger.js';
import { verifySlackRequest } from './verify.js';

/** Slack's own payloads are far smaller; anything above this is refused with 400. */
export const MAX_BODY_BYTES = 256 * 1024;
/** Slack gives up after 3 s; a request no listener acknowledged by then is answered 200 with nothing. */
const ACK_DEADLINE_MS = 2500;

export interface HonoReceiverOptions {
  readonly signingSecret: string;
  readonly logger: Logger;
  /** Wall clock for the signature window. */
  readonly nowMs: () => number;
  /**
   * Whether a signed request is seen for the first time (the key is a hash of its signature). A slash
   * command or an interaction replayed within the signature's 5 minutes is answered 200 and not run again.
   */
  readonly firstTime?: (requestKey: string) => Promise<boolean>;
}

export class HonoReceiver implements Receiver {
  private app: App | null = null;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly options: HonoReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.settled();
  }

  /** Resolves when every request handed to Bolt so far has finished (its listeners included). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async handle(request: Request): Promise<Response> {
    const { logger } = this.options;
    if (Number(request.headers.get('content-length') ?? '0') > MAX_BODY_BYTES) return badRequest('Request too large.');
    const raw = await readAtMost(request, MAX_BODY_BYTES);
    if (raw === null) return badRequest('Request too large.');
    const verified = verifySlackRequest(
      this.options.signingSecret,
      {
        timestamp: request.headers.get('x-slack-request-timestamp') ?? undefined,
        signature: request.headers.get('x-slack-signature') ?? undefined,
      },
      raw,
      this.options.nowMs(),
    );
    if (!verified.ok) {
      logger.warn({ reason: verified.reason }, 'slack: request refused');
      return Response.json({ error: { code: 'unauthorized', message: 'Invalid Slack signature.' } }, { status: 401 });
    }

    const parsed = parseBody(raw, request.headers.get('content-type') ?? '');
    if (typeof parsed === 'string') return badRequest(parsed);
    if (parsed.ssl_check) return new Response(null, { status: 200 });
    if (parsed.type === 'url_verification') {
      return typeof parsed.challenge === 'string'
        ? Response.json({ challenge: parsed.challenge })
        : badRequest('Missing challenge.');
    }
    if (
      parsed.type === 'event_callback' &&
      !(typeof parsed.event_id === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(parsed.event_id))
    ) {
      return badRequest('Missing event id.');
    }
    if (!this.app) return new Response(null, { status: 503 });
    // Slack never resends a command or an interaction (events, which it does retry, carry an event id
    // Bolt dedupes); the same signed one again is someone replaying a captured request.
    if (this.options.firstTime && parsed.type !== 'event_callback') {
      const key = createHash('sha256').update(request.headers.get('x-slack-signature') ?? '').digest('base64url');
      if (!(await this.options.firstTime(`slack-request:${key}`))) {
        logger.warn('slack: a replayed request was ignored');
        return new Response(null, { status: 200 });
      }
    }

    let respond!: (response: Response) => void;
    const answered = new Promise<Response>((resolve) => {
      respond = resolve;
    });
    let acked = false;
    const retryNum = Number(request.headers.get('x-slack-retry-num') ?? '');
    const event: ReceiverEvent = {
      body: parsed,
      ...(Number.isInteger(retryNum) && retryNum > 0 ? { retryNum } : {}),
      ...(request.headers.get('x-slack-retry-reason')
        ? { retryReason: request.headers.get('x-slack-retry-reason') ?? '' }
        : {}),
      ack: async (response?: unknown) => {
        if (acked) return;
        acked = true;
        respond(ackResponse(response));
      },
    };
    const processing = this.app
      .processEvent(event)
      .catch((error: unknown) => {
        logger.error({ err: error }, 'slack: listener failed');
        if (!acked)
          respond(Response.json({ error: { code: 'internal', message: 'Something went wrong.' } }, { status: 500 }));
      })
      .finally(() => {
        // Nothing acknowledged (no listener for it): Slack only needs a 200.
        if (!acked) respond(new Response(null, { status: 200 }));
      });
    this.pending.add(processing);
    void processing.finally(() => this.pending.delete(processing));
    const deadline = setTimeout(() => {
      if (!acked) {
        logger.warn('slack: no ack within the deadline; answered 200');
        respond(new Response(null, { status: 200 }));
      }
    }, ACK_DEADLINE_MS);
    try {
      return await answered;
    } finally {
      clearTimeout(deadline);
    }
  }
}

/**
 * The body as text, or null as soon as it passes `limit` bytes: a chunked request without a Content-Length
 * is counted as it arrives, never buffered whole (it is not even signed-checked yet).
 */
async function readAtMost(request: Request, limit: number): Promise<string | null> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

type SlackBody = Record<string, unknown> & {
  type?: unknown;
  challenge?: unknown;
  event_id?: unknown;
  ssl_check?: unknown;
};

/**
 * Bolt's body: the JSON of an event, the JSON `payload` field of an interaction, or a slash command's form
 * fields. Parsed only once the signature is checked (over the raw bytes), and every string in it loses its
 * control characters here, at the edge: PostgreSQL refuses U+0000 in text where SQLite keeps it, and no
 * listener (command text, button values, view inputs, ids) should see them on either engine.
 */
function parseBody(raw: string, contentType: string): SlackBody | string {
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(raw);
    const payload = form.get('payload');
    if (payload !== null) {
      const parsed = parseJson(payload);
      return isObject(parsed) && typeof parsed.type === 'string' ? parsed : 'Malformed interaction payload.';
    }
    if (form.get('ssl_check')) return { ssl_check: '1' };
    if (form.get('command')) {
      return Object.fromEntries([...form].map(([key, value]) => [withoutControlCharacters(key), withoutControlCharacters(value)]));
    }
    return 'Unknown form request.';
  }
  const parsed = parseJson(raw);
  return isObject(parsed) ? parsed : 'Malformed JSON.';
}

/** What a listener passed to ack(): nothing (an empty 200), a text, or a JSON body (modal errors, options, a message). */
function ackResponse(response: unknown): Response {
  if (response === undefined || response === null || response === '') return new Response(null, { status: 200 });
  if (typeof response === 'string')
    return new Response(response, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  return Response.json(response);
}

function isObject(value: unknown): value is SlackBody {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' ? withoutControlCharacters(value) : value));
  } catch {
    return null;
  }
}

/** Text without control characters (tabs and line breaks kept). */
function withoutControlCharacters(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

export function badRequest(message: string): Response {
  return Response.json({ error: { code: 'bad_request', message } }, { status: 400 });
}
