// JSON logs through pino with secrets redacted, and the middleware that gives each request an id and one log line.
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/** Variables the request logger puts on the Hono context for later handlers. */
export interface RequestLoggerVariables {
  requestId: string;
  /** A child logger that stamps every line with the request id. */
  logger: Logger;
}

const SECRET_KEYS = [
  'pin',
  'newPin',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'botToken',
  'signingSecret',
  'clientSecret',
  'secret',
  'apiKey',
  'authorization',
  'cookie',
  'securityAnswer',
  'security_answer',
  'cardNumber',
  'card_number',
  'cvv',
  'cvc',
  'securityCode',
];

// fast-redact paths match at a fixed depth, so each key is listed at the top level and one and
// two levels down (a logged `body`, `input` or `err` object), plus the usual header spots.
export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  ...SECRET_KEYS.map((key) => `*.*.${key}`),
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers["x-slack-signature"]',
];

export const REDACTED = '[redacted]';

export interface CreateLoggerOptions {
  level?: LoggerOptions['level'];
  /** Where the JSON lines go; stdout unless given (tests pass a stream to read them back). */
  destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const settings: LoggerOptions = {
    level: options.level ?? 'info',
    base: undefined,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Keeps a caller's X-Request-Id when it is a short plain token (so ids line up across hops), else makes one. */
export function pickRequestId(incoming: string | undefined): string {
  return incoming !== undefined && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export function requestLogger(options: { logger: Logger }): MiddlewareHandler<{ Variables: RequestLoggerVariables }> {
  const { logger } = options;
  return async function requestLoggerMiddleware(c, next) {
    const started = performance.now();
    const requestId = pickRequestId(c.req.header('x-request-id'));
    c.set('requestId', requestId);
    c.set('logger', logger.child({ requestId }));
    await next();
    c.header('X-Request-Id', requestId);
    // The path only: a query string may carry a token.
    logger.info(
      {
        requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
  };
}
