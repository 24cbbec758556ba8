// `npm run cli -- chat` as a script would use it: lines in, one JSON reply per line out.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliWithInput } from '../support/processes.js';



describe('cli chat', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chat-cli-'));
    env = { DATABASE_URL: `file:${join(dir, 'support.db')}` };
    const seeded = await runCliWithInput(['seed', '--cdrs', '2000'], env);
    expect(seeded.code).toBe(0);
  }, 120_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers one JSON line per input line, presses buttons by label, and saves attachments', async () => {
    const script = ['hello', 'what is my balance?', 'pay $12.34', '/press Confirm', 'send me my latest invoice'].join('\n');
    const { code, stdout, stderr } = await runCliWithInput(['chat', '--as', 'ap@northwind.example', '--files-dir', dir], env, `${script}\n`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const replies = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(replies).toHaveLength(5);
    expect(replies[1].text).toMatch(/balance on .* \(5000002\) is \$[\d,]+\.\d\d/);
    expect(replies[2].text).toMatch(/^Pay \$12\.34 to 5000002 from .+ today\?$/);
    expect(replies[3].text).toMatch(/^Payment submitted: \$12\.34/);
    const invoice = replies[4].files[0];
    expect(invoice.mediaType).toBe('application/pdf');
    expect(readFileSync(invoice.savedTo).subarray(0, 5).toString()).toBe('%PDF-');
  }, 60_000);

  it('refuses an unknown person and a missing --as with one line', async () => {
    const unknown = await runCliWithInput(['chat', '--as', 'nobody@example.com'], env, 'hi\n');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await runCliWithInput(['chat'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--as EMAIL/);
  }, 60_000);
});
