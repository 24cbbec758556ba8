// End to end: the real Node server starts on an empty database, loads the demo data, serves /healthz, and stops on SIGTERM.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_IDENTITIES } from '../../fixtures/demo-data/index.js';
import { LATEST_SCHEMA_VERSION } from '../../migrations/index.js';
import { createEmptyDatabase, ENGINES } from '../support/databases.js';
import {
  freePort,
  makeTempDir,
  removeTempDirs,
  SERVER_SCRIPT,
  startScript,
  waitForOutput,
} from '../support/processes.js';

afterAll(removeTempDirs);

describe.each(ENGINES)('the Node server on %s', (engine) => {
  it('loads the demo data on first start, prints the banner, answers /healthz and stops cleanly', async () => {
    const cwd = makeTempDir('server-');
    const database =
      engine === 'sqlite'
        ? { url: `file:${join(cwd, 'support.db')}`, drop: async () => {} }
        : await createEmptyDatabase(engine);
    const port = await freePort();
    const server = startScript(SERVER_SCRIPT, [], {
      cwd,
      env: { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: database.url, SEED_CDRS: '2000', LOG_LEVEL: 'warn' },
    });
    try {
      const banner = await waitForOutput(server, 'Press Ctrl-C to stop.');
      expect(banner).toContain(`Open http://127.0.0.1:${port} in a browser`);
      expect(banner).toContain(`schema ${LATEST_SCHEMA_VERSION}`);
      expect(banner).toMatch(/Demo data: loaded into the empty database in [\d.]+ m?s \(2000 call records\)/);
      expect(banner).toContain('Demo identities:');
      const { customerAdmin, customerBilling, otherOrganisationAdmin, staff } = DEMO_IDENTITIES;
      expect(banner).toContain(customerAdmin.email);
      expect(banner).toContain(`root account ${customerAdmin.rootAccount}, PIN ${customerAdmin.pin}`);
      expect(banner).toContain(customerBilling.email);
      expect(banner).toContain(otherOrganisationAdmin.organisation);
      expect(banner).toContain(staff.slack.userId);
      // The fixture also holds security answers; those are never shown.
      for (const identity of [customerAdmin, customerBilling, otherOrganisationAdmin]) {
        expect(banner).not.toContain(identity.securityAnswer);
      }

      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'ok',
        database: { engine, reachable: true, schemaVersion: LATEST_SCHEMA_VERSION },
      });
      const landing = await fetch(`http://127.0.0.1:${port}/`);
      expect(await landing.text()).toContain('<title>Support Assistant</title>');

      server.kill('SIGTERM');
      const finished = await server.finished;
      expect(finished.code).toBe(0);
      expect(finished.stderr).toBe('');
    } finally {
      server.kill('SIGKILL');
      await database.drop();
    }
  });
});
