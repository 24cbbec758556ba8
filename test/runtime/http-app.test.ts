import { Writable } from 'node:stream';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../adapters/http/app.js';
import { createLogger } from '../../adapters/http/logger.js';
import { LATEST_SCHEMA_VERSION } from '../../migrations/index.js';
import { AppError } from '../../src/errors.js';
import { createTestDatabase, ENGINES } from '../support/databases.js';

function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ destination }), lines };
}

describe.each(ENGINES)('GET /healthz on %s', (engine) => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('answers 200 with the engine, the schema version and the channels', async () => {
    const app = createApp({ handle: database.handle, logger: capturedLogger().logger });
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      database: {
        engine,
        reachable: true,
        writable: true,
        schemaVersion: LATEST_SCHEMA_VERSION,
        expectedSchemaVersion: LATEST_SCHEMA_VERSION,
      },
      channels: { slack: 'off', teams: 'off', web: 'off' },
    });
  });

  it('answers 503 "degraded" when the database answers reads but refuses writes (a full disk, a read-only file)', async () => {
    const refusingWrites: KyselyPlugin = {
      transformQuery: (args) => {
        if (args.node.kind === 'InsertQueryNode' || args.node.kind === 'UpdateQueryNode') throw new Error('SQLITE_FULL: database or disk is full');
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const handle = { ...database.handle, db: database.handle.db.withPlugin(refusingWrites) };
    const response = await createApp({ handle, logger: capturedLogger().logger }).request('/healthz');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'degraded', database: { engine, reachable: true, writable: false } });
  });
});

describe('the HTTP app', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
  });
  afterAll(async () => {
    await database.drop();
  });

  it('answers 503 from /healthz when the database cannot answer', async () => {
    const broken = await createTestDatabase('sqlite');
    await broken.drop();
    const { logger } = capturedLogger();
    const response = await createApp({ handle: broken.handle, logger }).request('/healthz');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'error', database: { reachable: false } });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const app = createApp({ handle: database.handle, logger: capturedLogger().logger });
    const response = await app.request('/no/such/thing');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /no/such/thing' } });
  });

  it('turns an unexpected error into a plain 500 and logs the stack with the request id', async () => {
    const { logger, lines } = capturedLogger();
    const app = createApp({ handle: database.handle, logger });
    app.get('/boom', () => {
      throw new TypeError('cannot read properties of undefined (internal detail)');
    });

    const response = await app.request('/boom', { headers: { 'X-Request-Id': 'req-500' } });

    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'Internal error' } });
    expect(text).not.toContain('internal detail');
    expect(text).not.toMatch(/\bat .*\.ts:\d+/);
    const failure = lines.map((l) => JSON.parse(l)).find((record) => record.msg === 'request failed');
    expect(failure).toMatchObject({ requestId: 'req-500', status: 500 });
    expect(failure.err.stack).toContain('internal detail');
  });

  it('maps AppError codes to their HTTP statuses, keeping infrastructure details out of 5xx bodies', async () => {
    const app = createApp({ handle: database.handle, logger: capturedLogger().logger });
    app.get('/forbidden', () => {
      throw new AppError('forbidden', 'You cannot see account 1000002');
    });
    app.get('/down', () => {
      throw new AppError('database_unreachable', 'cannot reach PostgreSQL at postgres://app:***@db.internal/x');
    });

    const forbidden = await app.request('/forbidden');
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: { code: 'forbidden', message: 'You cannot see account 1000002' } });

    const down = await app.request('/down');
    expect(down.status).toBe(503);
    const body = (await down.json()) as { error: { code: string } };
    expect(body.error.code).toBe('database_unreachable');
    expect(JSON.stringify(body)).not.toContain('db.internal');
  });

  it('keeps a sane incoming X-Request-Id and replaces anything else', async () => {
    const app = createApp({ handle: database.handle, logger: capturedLogger().logger });

    const kept = await app.request('/healthz', { headers: { 'X-Request-Id': 'edge.7f3a_01-b' } });
    expect(kept.headers.get('X-Request-Id')).toBe('edge.7f3a_01-b');

    for (const incoming of ['x'.repeat(65), 'has space', '<script>', 'semi;colon']) {
      const replaced = await app.request('/healthz', { headers: { 'X-Request-Id': incoming } });
      const id = replaced.headers.get('X-Request-Id');
      expect(id).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
      expect(id).not.toBe(incoming);
    }

    const generated = await app.request('/nowhere');
    expect(generated.headers.get('X-Request-Id')).toMatch(/^[A-Za-z0-9._-]{8,64}$/);
  });

  it('serves a landing page listing the demo identities, escaped', async () => {
    const app = createApp({
      handle: database.handle,
      logger: capturedLogger().logger,
      demoIdentities: [
        { title: 'Customer admin', lines: ['email: admin@example.test', 'root account: 1000001'] },
        { title: '<script>alert(1)</script>', lines: ['note: "quotes" & <tags>'] },
      ],
    });
    const response = await app.request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const page = await response.text();
    expect(page).toContain('<title>Support Assistant</title>');
    expect(page).toContain('admin@example.test');
    expect(page).toMatch(/web chat is coming/i);
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;quotes&quot; &amp; &lt;tags&gt;');
  });
});
