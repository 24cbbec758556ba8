// createApp(services): the Hono app every runtime serves — request logging, health, error mapping, the
// OpenAPI document, the landing page, and the channels the runtime mounts (the web chat).
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
  /**
   * The chat channels this runtime runs, mounted at the root in this order; each adds its part of
   * /openapi.json. With the web chat ('web'), the landing page is the demo portal page with the widget.
   */
  readonly channels?: readonly MountedChannel[];
}

/** The channels /healthz reports on, mounted or not. */
const KNOWN_CHANNELS = ['slack', 'teams', 'web'] as const;

/** A channel's routes with their part of the OpenAPI document. */
export interface MountedChannel {
  /** Which channel it is (web, slack, teams…), as conversations record it. */
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: any Hono app can be mounted, whatever its env
  readonly routes: Hono<any>;
  readonly openApi?: { readonly paths: Record<string, unknown>; readonly components?: Record<string, Record<string, unknown>> };
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
    const mounted = new Set((services.channels ?? []).map((channel) => channel.name));
    const channels = Object.fromEntries([...new Set([...KNOWN_CHANNELS, ...mounted])].sort().map((name) => [name, mounted.has(name) ? 'on' : 'off']));
    try {
      await sql`select 1`.execute(handle.db);
      const schemaVersion = await getSchemaVersion(handle.db);
      // Reading is not enough: a full disk or a read-only file answers selects and refuses every write.
      // One committed upsert of a fixed row proves the database takes writes.
      let writable = true;
      try {
        const at = new Date().toISOString();
        await handle.db
          .insertInto('idempotency_keys')
          .values({ scope: 'health', key: 'write-probe', result: '{}', created_at: at })
          .onConflict((oc) => oc.columns(['scope', 'key']).doUpdateSet({ created_at: at }))
          .execute();
      } catch (error) {
        writable = false;
        c.var.logger.warn({ err: error }, 'health check: database does not take writes');
      }
      const database = { engine: handle.engine, reachable: true, writable, schemaVersion, expectedSchemaVersion: LATEST_SCHEMA_VERSION };
      return writable ? c.json({ status: 'ok', database, channels }) : c.json({ status: 'degraded', database, channels }, 503);
    } catch (error) {
      c.var.logger.warn({ err: error }, 'health check: database did not answer');
      return c.json({ status: 'error', database: { engine: handle.engine, reachable: false }, channels }, 503);
    }
  });

  const channelList = services.channels ?? [];
  const webChat = channelList.find((channel) => channel.name === 'web');
  const openApi = openApiDocument(channelList, webChat !== undefined);
  app.get('/openapi.json', (c) => c.json(openApi));

  for (const channel of channelList) app.route('/', channel.routes);

  if (webChat) {
    app.get('/', (c) => {
      c.header('Content-Security-Policy', PORTAL_PAGE_POLICY);
      return c.html(portalPage(services.demoIdentities ?? []));
    });
  } else {
    app.get('/', (c) => c.html(landingPage(services.demoIdentities ?? [])));
  }

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

/** The service's OpenAPI 3.1 document: its own routes and those of the channels mounted. */
function openApiDocument(channels: readonly MountedChannel[], withWidget: boolean) {
  const error = {
    description: 'An error',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  const components: Record<string, Record<string, unknown>> = {
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  };
  for (const channel of channels) {
    for (const [section, entries] of Object.entries(channel.openApi?.components ?? {})) {
      components[section] = { ...(components[section] ?? {}), ...entries };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Support Assistant',
      version: '0.1.0',
      description: 'The HTTP API of the telecom support assistant: health, and the web chat and Slack app when they are mounted.',
    },
    paths: {
      '/healthz': {
        get: {
          summary: 'Whether the service and its database answer, and whether the database takes writes',
          responses: {
            '200': { description: 'Healthy', content: { 'application/json': { schema: { type: 'object' } } } },
            '503': {
              description: 'The database does not answer ("error"), or answers but refuses writes ("degraded": a full disk, a read-only file)',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
      '/': {
        get: {
          summary: withWidget ? 'The demo portal page, with the chat widget' : 'The landing page',
          responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } }, default: error },
        },
      },
      ...Object.assign({}, ...channels.map((channel) => channel.openApi?.paths ?? {})),
    },
    components,
  };
}

// The demo portal page runs no inline script: only the widget, from this origin.
const PORTAL_PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** A stand-in for the customer portal: the demo sign-ins, and the chat widget embedded with one script tag. */
function portalPage(identities: readonly DemoIdentityListing[]) {
  const demo =
    identities.length === 0
      ? html`<p>No demo data is loaded.</p>`
      : html`<ul class="ids">
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
    <link rel="icon" href="data:,">
    <style>
      body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1c2530;background:#f4f6f9;line-height:1.5}
      header{background:#0b3d6e;color:#fff;padding:.9rem 1.25rem;display:flex;align-items:center;gap:1rem;flex-wrap:wrap}
      header strong{font-size:1.15rem}
      header nav{display:flex;gap:1rem;font-size:.95rem;opacity:.9}
      main{max-width:52rem;margin:1.5rem auto;padding:0 1rem 6rem}
      section{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:1rem 1.25rem;margin-bottom:1rem}
      h1{font-size:1.4rem;margin:.2rem 0 .6rem}
      h2{font-size:1.1rem;margin:.2rem 0 .5rem}
      .ids{padding-left:1.1rem;margin:.4rem 0}
      .ids li{margin-bottom:.5rem}
      a{color:#0b5cad}
    </style>
  </head>
  <body>
    <header><strong>Business Portal</strong><nav aria-label="Portal"><span>Accounts</span><span>Billing</span><span>Support</span><span>Reports</span></nav></header>
    <main>
      <section>
        <h1>Support Assistant</h1>
        <p>Ask about your accounts, bills, payments, tickets, outages and reports, in your own words: open the chat with the
          <strong>Chat with us</strong> button at the bottom right. Anyone can ask about outages and maintenance; for account
          questions, sign in inside the chat with your account number and PIN.</p>
      </section>
      <section>
        <h2>Demo sign-ins</h2>
        ${demo}
      </section>
      <p><a href="/healthz">Service health</a> · <a href="/openapi.json">API (OpenAPI)</a></p>
    </main>
    <script src="/widget.js" data-title="Support Assistant" async></script>
  </body>
</html>`;
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
