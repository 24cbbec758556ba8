// PCI DSS: a card number, security code or PIN typed into the chat survives nowhere — not in any table of the
// database, not in the server's logs (at the most verbose level) — and the person is told why.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, makeTempDir, removeTempDirs, SERVER_SCRIPT, startScript, waitForOutput } from '../support/processes.js';

afterAll(removeTempDirs);

const SECRETS = ['4111 1111 1111 1111', '4111111111111111', '4111-1111', 'cvv 123', 'CVV 123', '9753', '4242424242424242', '5555 5555', '12/28', '11/27', '1111 123', '4321'];

describe('card data typed into the chat', () => {
  it('is masked before it reaches the database or the logs, and the reply says so', async () => {
    const cwd = makeTempDir('card-data-');
    const port = await freePort();
    const server = startScript(SERVER_SCRIPT, [], {
      cwd,
      env: { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `file:${join(cwd, 'support.db')}`, SEED_CDRS: '200', LOG_LEVEL: 'trace' },
    });
    try {
      await waitForOutput(server, 'Press Ctrl-C to stop.');
      const base = `http://127.0.0.1:${port}`;
      const started = (await (await fetch(`${base}/chat/sessions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).json()) as { token: string };
      const say = async (text: string) => {
        const response = await fetch(`${base}/chat/messages`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${started.token}` },
          body: JSON.stringify({ text }),
        });
        expect(response.status).toBe(200);
        return ((await response.json()) as { messages: { text: string }[] }).messages.map((m) => m.text).join('\n');
      };
      const first = await say('I want to pay with my card 4111 1111 1111 1111 CVV 123');
      expect(first).toMatch(/did not keep the card number and security code/);
      expect(first).toContain('ending 1111');
      const second = await say('my account is 5000002 and my PIN is 9753, what do I owe?');
      expect(second).toMatch(/did not keep the PIN/);
      await say('4111-1111-1111-1111');
      // Spaced oddly, with the expiry and code run on after it, or in the middle of a payment request.
      await say('my card is 4111  1111  1111  1111 123 exp 12/28');
      await say('Card 5555 5555 5555 4444, 123, 11/27');
      const payment = await say('pay $50 on 5000002 with visa 4242424242424242 12/28');
      expect(payment).toMatch(/did not keep the card number/);
      await say('my pin for 5000001 is 4321');

      server.kill('SIGTERM');
      const finished = await server.finished;
      const logs = `${finished.stdout}\n${finished.stderr}`;
      // A dump of every table, as bytes, so nothing escapes the search (WAL included).
      const database = ['support.db', 'support.db-wal']
        .map((file) => {
          try {
            return readFileSync(join(cwd, file)).toString('latin1');
          } catch {
            return '';
          }
        })
        .join('');
      expect(database).toContain('[card number ending 1111 removed]');
      for (const secret of SECRETS) {
        expect(logs).not.toContain(secret);
        expect(database).not.toContain(secret);
      }
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  }, 120_000);
});
