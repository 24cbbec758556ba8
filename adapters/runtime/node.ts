// The Node composition root (`npm start`): config → database → migrations → first-start demo data → HTTP
// server with the web chat (WebSockets through @hono/node-ws).
import './legacy-secrets.js'; // PIN and answer hashes stored as scrypt by earlier versions still verify on Node
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { SeedSummary } from '../../fixtures/demo-data/index.js';
import { LATEST_SCHEMA_VERSION } from '../../migrations/index.js';
import { type Config, parseConfig } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import { createDomainContext } from '../../src/domain/context.js';
import { createOutboundReportDelivery } from '../../src/conversation/report-delivery.js';
import { createReportScheduler } from '../../src/domain/reports/index.js';
import { getSchemaVersion, migrateToLatest, openDatabase } from '../db/index.js';
import type { DemoIdentityListing } from '../http/app.js';
import { pdfRenderers, prepareFonts } from '../pdf/index.js';
import { createLogger, type Logger } from '../http/logger.js';
import {
  describeDemoIdentities,
  describeTarget,
  failureLine,
  formatMs,
  hasAccounts,
  hasPortalUser,
} from './startup.js';
import { createNodeService } from './web-server.js';

const SHUTDOWN_GRACE_MS = 10_000;

type DemoLoad = { kind: 'off' } | { kind: 'present' } | { kind: 'loaded'; ms: number; summary: SeedSummary };

async function main(): Promise<void> {
  // Everything that can be checked without touching disk or network is checked first, so a bad
  // variable leaves no database file behind.
  const config = parseConfig(process.env);
  const logger = createLogger({ level: config.logLevel });

  const handle = await openDatabase(config.database);
  let schemaVersion: string | null;
  let demo: DemoLoad;
  let identities: DemoIdentityListing[] = [];
  try {
    await migrateToLatest(handle.db);
    schemaVersion = await getSchemaVersion(handle.db);
    demo = await loadDemoDataIfEmpty(handle, config, logger);
    if (demo.kind !== 'off') {
      const { DEMO_IDENTITIES } = await import('../../fixtures/demo-data/index.js');
      // Accounts that came from elsewhere are not the demo's: list the sign-ins only if they exist.
      const admin = DEMO_IDENTITIES.customerAdmin.email;
      if (demo.kind === 'loaded' || (await hasPortalUser(handle, admin))) {
        identities = describeDemoIdentities(DEMO_IDENTITIES);
      }
    }
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }

  const service = createNodeService({ handle, logger, config, demoIdentities: identities });
  if (config.teams && !config.teams.appId) logger.warn('MicrosoftAppId is not set: the Teams bot (POST /api/messages) runs in LOCAL MODE, checking no Bot Framework token, so anyone who can reach it can post as any Teams user (Bot Framework Emulator and tests only; set MicrosoftAppId and MicrosoftAppPassword for Teams)');
  const { app } = service;
  // Scheduled reports run in this process and reach their owner through the channels (outbound port).
  const schedulerCtx = createDomainContext(handle);
  const scheduler = createReportScheduler({
    ctx: schedulerCtx,
    deliver: createOutboundReportDelivery(schedulerCtx, service.outbound),
    renderers: pdfRenderers,
    onRun: (run) => logger.info({ run }, 'scheduled report'),
    onError: (error) => logger.error({ err: error }, 'scheduled report failed'),
  });
  scheduler.start();
  // Fonts subset once for every later PDF (chat files, scheduled reports); until then PDFs subset their own.
  prepareFonts().catch((error: unknown) => logger.warn({ err: error }, 'preparing PDF fonts failed'));
  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
    logger.info({ host: config.host, port: info.port, engine: handle.engine, schemaVersion }, 'listening');
    process.stdout.write(banner(config, info, schemaVersion, demo, identities));
  });
  service.attach(server as Server);
  server.once('error', (error) => {
    // EADDRINUSE and friends: same one-line contract as any other start-up failure.
    void handle.close().finally(() => fail(error));
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second Ctrl-C means "now"
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    const schedulerStopped = scheduler.stop();
    // Open chat sockets and event streams would hold the server open.
    service.close();
    server.close(() => {
      void schedulerStopped.finally(() =>
        handle.close().then(
          () => process.exit(0),
          () => process.exit(1),
        ),
      );
    });
    // Keep-alive connections would hold close() open until they time out.
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function loadDemoDataIfEmpty(handle: DatabaseHandle, config: Config, logger: Logger): Promise<DemoLoad> {
  if (!config.demoData) return { kind: 'off' };
  if (await hasAccounts(handle)) return { kind: 'present' };
  logger.info({ cdrs: config.seedCdrs }, 'empty database: loading demo data');
  const { seedDemoData } = await import('../../fixtures/demo-data/index.js');
  const started = performance.now();
  const summary = await seedDemoData(handle, { cdrs: config.seedCdrs });
  const ms = Math.round(performance.now() - started);
  logger.info({ ms, summary }, 'demo data loaded');
  return { kind: 'loaded', ms, summary };
}

function banner(
  config: Config,
  info: AddressInfo,
  schemaVersion: string | null,
  demo: DemoLoad,
  identities: readonly DemoIdentityListing[],
): string {
  const anyHost = config.host === '0.0.0.0' || config.host === '::' || config.host === '';
  const host = anyHost ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${info.port}`;
  const schema =
    schemaVersion === LATEST_SCHEMA_VERSION ? schemaVersion : `${schemaVersion} (expected ${LATEST_SCHEMA_VERSION})`;
  const demoLine =
    demo.kind === 'loaded'
      ? `loaded into the empty database in ${formatMs(demo.ms)} (${config.seedCdrs} call records)`
      : demo.kind === 'present'
        ? 'the database already has accounts; nothing loaded'
        : 'off (DEMO_DATA=false)';
  const lines = [
    '',
    'Support Assistant is running.',
    `  Open ${url} in a browser (health: ${url}/healthz)`,
    `  Database: ${describeTarget(config.database)}, schema ${schema}`,
    `  Demo data: ${demoLine}`,
  ];
  if (identities.length > 0) {
    lines.push('', 'Demo identities:');
    for (const identity of identities) {
      lines.push(`  ${identity.title}`);
      for (const line of identity.lines) lines.push(`    ${line}`);
    }
  }
  lines.push('', 'Press Ctrl-C to stop.', '');
  return lines.join('\n');
}

function fail(error: unknown): never {
  process.stderr.write(`${failureLine(error)}\n`);
  process.exit(1);
}

main().catch(fail);
