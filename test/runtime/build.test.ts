// The production build: `npm run build` compiles the service to plain JavaScript that runs with node alone
// (no tsx), serving the widget and answering a chat message from the demo data.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, makeTempDir, removeTempDirs, ROOT, startScript, waitForOutput } from '../support/processes.js';

afterAll(removeTempDirs);

const OUT = 'test-artifacts/build';

describe('npm run build', () => {
  it('produces a service that starts with plain node and answers from the demo data', async () => {
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out', OUT], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr + build.stdout).toBe(0);
    const entry = join(ROOT, OUT, 'adapters/runtime/node.js');
    expect(existsSync(entry)).toBe(true);
    expect(existsSync(join(ROOT, OUT, 'adapters/webchat/assets/widget.js'))).toBe(true);
    expect(existsSync(join(ROOT, OUT, 'src/conversation/nlu/model.json'))).toBe(true);

    const cwd = makeTempDir('built-server-');
    const port = await freePort();
    const server = startScript(entry, [], {
      cwd,
      plain: true,
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: `file:${join(cwd, 'support.db')}`,
        SEED_CDRS: '500',
        LOG_LEVEL: 'warn',
      },
    });
    try {
      await waitForOutput(server, 'Press Ctrl-C to stop.');
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const widget = await fetch(`${base}/widget.js`);
      expect(widget.status).toBe(200);
      expect((await widget.text()).length).toBeGreaterThan(1000);
      // A visitor's question goes through the compiled engine and model.
      const session = (await (
        await fetch(`${base}/chat/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).json()) as {
        token: string;
      };
      const sent = await fetch(`${base}/chat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
        body: JSON.stringify({ text: 'any outages in toronto?' }),
      });
      expect(sent.status).toBe(200);
      expect(JSON.stringify(await sent.json())).toMatch(/outage/i);
      server.kill('SIGTERM');
      expect((await server.finished).code).toBe(0);
    } finally {
      server.kill('SIGKILL');
    }
  }, 120_000);
});
