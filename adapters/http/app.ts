// createApp(services): the Hono app every runtime serves — request logging, health, error mapping, landing page.
import { Hono } from 'hono';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { sql } from 'kysely';
import { LATEST_SCHEMA_VERSION } from '../../migrations/index.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import { AppError, type ErrorCode, HTTP_STATUS_BY_CODE } from '../../src/errors.js';
// migrate.js, not the db index: the index pulls in the Node drivers, which a Workers root cannot bundle.
import { getSchemaVersion } from '../db/migrate.js';
import { type Logger, type RequestLoggerVariables, requestLogger } from './logger.js';

/** A demo sign-in shown on the landing page: a heading and a few lines of detail, all plain text. */
export interface DemoIdentityListing {
  readonly title: string;
  readonly lines: readonly string[];
}

export interface AppServices {
  readonly handle: DatabaseHandle;
  readonly logger: Logger;
  /** The demo sign-ins to list on the landing page; none when the database holds no demo data. */
  readonly demoIdentities?: readonly DemoIdentityListing[];
  /** Which chat channels this runtime mounted (none yet). */
  readonly channels?: { readonly slack?: boolean; readonly teams?: boolean };
}

export type AppEnv = { Variables: RequestLoggerVariables };

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

const GENERIC_MESSAGE_BY_STATUS: Record<number, string> = {
  500: 'Internal error',
  503: 'Service unavailable',
};

export function createApp(services: AppServices): Hono<AppEnv> {
  const { handle, logger } = services;
  const app = new Hono<AppEnv>();

  app.use(requestLogger({ logger }));

  app.get('/healthz', async (c) => {
    const channels = {
      slack: services.channels?.slack ? 'on' : 'off',
      teams: services.channels?.teams ? 'on' : 'off',
    };
    try {
      await sql`select 1`.execute(handle.db);
      const schemaVersion = await getSchemaVersion(handle.db);
      return c.json({
        status: 'ok',
        database: {
          engine: handle.engine,
          reachable: true,
          schemaVersion,
          expectedSchemaVersion: LATEST_SCHEMA_VERSION,
        },
        channels,
      });
    } catch (error) {
      c.var.logger.warn({ err: error }, 'health check: database did not answer');
      return c.json({ status: 'error', database: { engine: handle.engine, reachable: false }, channels }, 503);
    }
  });

  app.get('/', (c) => c.html(landingPage(services.demoIdentities ?? [])));

  app.notFound((c) =>
    c.json<ErrorBody>({ error: { code: 'not_found', message: `No route for ${c.req.method} ${c.req.path}` } }, 404),
  );

  app.onError((error, c) => {
    const { status, body } = errorResponse(error);
    if (status >= 500) {
      // The stack goes to the log, tagged with the request id; the caller gets the code and a calm message.
      (c.var.logger ?? logger).error({ err: error, status }, 'request failed');
    }
    return c.json(body, status);
  });

  return app;
}

/** Maps anything thrown by a handler to a status and a body without internals: no stack, no driver message. */
export function errorResponse(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (error instanceof AppError) {
    const status = HTTP_STATUS_BY_CODE[error.code] as ContentfulStatusCode;
    // 5xx messages describe our infrastructure (hosts, versions), which is not the caller's business.
    const message = status >= 500 ? (GENERIC_MESSAGE_BY_STATUS[status] ?? 'Internal error') : error.message;
    return { status, body: { error: { code: error.code, message } } };
  }
  if (error instanceof HTTPException && error.status < 500) {
    const status = error.status as ContentfulStatusCode;
    return { status, body: { error: { code: codeForStatus(status), message: error.message || 'Bad request' } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'Internal error' } } };
}

function codeForStatus(status: number): ErrorCode {
  const known = (Object.entries(HTTP_STATUS_BY_CODE) as [ErrorCode, number][]).find(
    ([code, value]) => value === status && code !== 'config_invalid',
  );
  return known?.[0] ?? 'bad_request';
}

function landingPage(identities: readonly DemoIdentityListing[]) {
  const demo =
    identities.length === 0
      ? html`<p>No demo data is loaded.</p>`
      : html`<h2>Demo sign-ins</h2>
    <ul>
      ${identities.map(
        (identity) =>
          html`<li><strong>${identity.title}</strong>${identity.lines.map((line) => html`<br>${line}`)}</li>`,
      )}
    </ul>`;
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Support Assistant</title>
    <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}</style>
  </head>
  <body>
    <h1>Support Assistant</h1>
    <p>Ask about your accounts, bills, payments, tickets, outages and reports, in your own words.
      Web chat is coming soon: it will appear on this page.</p>
    ${demo}
    <p><a href="/healthz">Service health</a></p>
  </body>
</html>`;
}
