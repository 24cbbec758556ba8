// Whole conversations through the chat CLI (`npm run cli -- chat`), as a script would drive it: one message
// per input line, one JSON reply per output line. Each checks the replies against the real data and the
// database the CLI wrote to. The CLI runs on the real clock, so the demo data is seeded as of today.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../adapters/db/index.js';
import { formatDate, formatMoney } from '../../src/conversation/format.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import * as domain from '../../src/domain/index.js';
import { runCliWithInput } from '../support/processes.js';


interface JsonReply {
  text: string;
  cards: { title: string; subtitle?: string; fields?: { label: string; value: string }[]; table?: { columns: string[]; rows: string[][] }; actions?: { label: string; value: string }[] }[];
  quickReplies: { label: string; value: string }[];
  files: { filename: string; mediaType: string; bytes: number; savedTo?: string }[];
  handoff?: { status: string };
}


const labelsOf = (reply: JsonReply) => [...reply.quickReplies, ...reply.cards.flatMap((c) => c.actions ?? [])].map((a) => a.label);
const shownOf = (reply: JsonReply) =>
  [reply.text, ...reply.cards.flatMap((c) => [c.title, c.subtitle ?? '', ...(c.fields ?? []).flatMap((f) => [f.label, f.value]), ...(c.table?.rows.flat() ?? [])])].join('\n');

describe('conversations through the chat CLI', () => {
  let dir: string;
  let env: Record<string, string>;
  let handle: DatabaseHandle;
  let ctx: domain.DomainContext;
  let admin: domain.CustomerActor;
  let counter = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-conversations-'));
    const path = join(dir, 'support.db');
    env = { DATABASE_URL: `file:${path}` };
    const seeded = await runCliWithInput(['seed', '--cdrs', '2000'], env);
    expect(seeded.code).toBe(0);
    handle = await openDatabase({ engine: 'sqlite', path });
    ctx = domain.createDomainContext(handle);
    admin = (await domain.loadCustomerActor(ctx, 'admin@northwind.example')) as domain.CustomerActor;
  }, 120_000);
  afterAll(async () => {
    await handle?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs one scripted conversation; every line gets exactly one JSON reply, and nothing goes to stderr. */
  async function converse(as: string, lines: string[]): Promise<{ replies: JsonReply[]; conversationId: string; stdout: string }> {
    counter += 1;
    const conversationId = `cli-conversation-${Date.now()}-${counter}`;
    const { code, stdout, stderr } = await runCliWithInput(['chat', '--as', as, '--conversation', conversationId, '--files-dir', dir], env, `${lines.join('\n')}\n`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const replies = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JsonReply);
    expect(replies).toHaveLength(lines.length);
    return { replies, conversationId, stdout };
  }

  const count = async (table: 'payments' | 'contacts' | 'tickets' | 'scheduled_reports') =>
    Number((await handle.db.selectFrom(table as 'payments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const balanceOf = async (accountNumber: string) => {
    const result = await domain.getAccountBalance(ctx, admin, { accountNumber });
    if (result.kind !== 'ok') throw new Error(result.kind);
    return result.value;
  };
  const accountId = async (number: string) => (await handle.db.selectFrom('accounts').select('id').where('number', '=', number).executeTakeFirstOrThrow()).id;

  it('answers a balance question while a contact name is awaited, goes back on "yes", and adds the contact with the email’s trailing dot dropped', async () => {
    const contacts = await count('contacts');
    const { replies } = await converse('admin@northwind.example', [
      'add a new contact',
      'how much do we owe?',
      'yes',
      'Lee Chan',
      '/press Technical',
      'lee.chan@northwind.example.',
      '/press Confirm',
    ]);
    const [ask, balance, back, role, , confirmation, done] = replies as [JsonReply, JsonReply, JsonReply, JsonReply, JsonReply, JsonReply, JsonReply];
    expect(ask.text).toMatch(/name/i);
    expect(balance.text).toContain(formatMoney((await balanceOf('5000001')).balanceCents));
    expect(balance.text).toMatch(/Back to/);
    expect(labelsOf(balance).some((l) => /^Back to .*contact/i.test(l))).toBe(true);
    expect(back.text).toMatch(/name/i);
    expect(role.text).toMatch(/Lee Chan/);
    expect(confirmation.text).toMatch(/Add Lee Chan as the technical contact on 5000001 \(lee\.chan@northwind\.example\)/);
    expect(done.text).toMatch(/Lee Chan/);
    expect(await count('contacts')).toBe(contacts + 1);
    const row = await handle.db.selectFrom('contacts').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Lee Chan', email: 'lee.chan@northwind.example', role: 'technical', account_id: await accountId('5000001') });
  }, 60_000);

  it('says there is no American Express card on the Ottawa office, pays $50 tomorrow from the card chosen, and lists it as pending', async () => {
    const methods = await domain.listPaymentMethods(ctx, admin, { accountNumber: '5000003' });
    if (methods.kind !== 'ok' || !methods.value[0]) throw new Error('methods');
    expect(methods.value.some((m) => /amex|american express/i.test(m.brand))).toBe(false);
    const card = methods.value[0];
    const tomorrow = DateTime.now().setZone('America/Toronto').plus({ days: 1 }).toISODate() as string;
    const payments = await count('payments');
    const { replies } = await converse('admin@northwind.example', [
      'pay $50 on the ottawa office with the amex tomorrow',
      `/press ${card.label}`,
      '/press Confirm',
      'do I have any pending payments on 5000003?',
    ]);
    const [noAmex, confirmation, submitted, pending] = replies as [JsonReply, JsonReply, JsonReply, JsonReply];
    expect(noAmex.text).toMatch(/no (American Express|Amex)/i);
    expect(labelsOf(noAmex)).toContain(card.label);
    expect(labelsOf(noAmex)).not.toContain('Confirm');
    expect(confirmation.text).toContain(`Pay $50.00 to 5000003 from ${card.label} on ${formatDate(tomorrow)}`);
    expect(submitted.text).toMatch(/Payment submitted: \$50\.00 to 5000003/);
    expect(await count('payments')).toBe(payments + 1);
    const row = await handle.db.selectFrom('payments').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ amount_cents: 5000, scheduled_for: tomorrow, payment_method_id: card.id, account_id: await accountId('5000003') });
    expect(submitted.text).toContain(row.confirmation_number);
    expect(shownOf(pending)).toContain(row.confirmation_number);
  }, 60_000);

  it('keeps no card number, security code or PIN typed into the chat: not in the output, not in the messages table', async () => {
    const before = [await count('payments'), await count('contacts'), await count('tickets')];
    const { replies, conversationId, stdout } = await converse('admin@northwind.example', [
      'my card is 4111 1111 1111 1111 cvv 123',
      'my pin is 2468',
      "what's my balance",
      'thanks',
    ]);
    expect(replies[0]?.text).toMatch(/did not keep|never stored/i);
    expect(replies[1]?.text).toMatch(/did not keep|never stored/i);
    expect(replies[2]?.text).toContain(formatMoney((await balanceOf('5000001')).balanceCents));
    expect(replies[3]?.text).toMatch(/welcome/i);
    const rows = await handle.db.selectFrom('messages').select(['text', 'payload']).where('conversation_id', '=', conversationId).execute();
    expect(rows).toHaveLength(8);
    const stored = rows.map((r) => `${r.text}\n${r.payload ?? ''}`).join('\n');
    for (const secret of ['4111 1111 1111 1111', '4111111111111111', 'cvv 123', 'pin is 2468']) {
      expect(stored).not.toContain(secret);
      expect(stdout).not.toContain(secret);
    }
    expect([await count('payments'), await count('contacts'), await count('tickets')]).toEqual(before);
  }, 60_000);

  it('schedules the long distance summary monthly as CSV after a confirmation, then sends last month’s as a PDF file', async () => {
    const schedules = await count('scheduled_reports');
    const { replies } = await converse('admin@northwind.example', [
      'email me the long distance summary every month as CSV',
      '/press Confirm',
      "send me last month's long distance summary for 5000001 as PDF",
      'send that as CSV',
    ]);
    const [confirmation, done, pdf, csv] = replies as [JsonReply, JsonReply, JsonReply, JsonReply];
    expect(confirmation.text).toMatch(/Long distance summary.*CSV/i);
    expect(confirmation.text).toMatch(/every month|monthly/i);
    expect(labelsOf(confirmation)).toContain('Confirm');
    expect(done.text).toMatch(/Long distance summary/i);
    expect(await count('scheduled_reports')).toBe(schedules + 1);
    const row = await handle.db.selectFrom('scheduled_reports').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ report_id: 'long-distance-summary', format: 'csv', frequency: 'monthly', destination: 'admin@northwind.example' });
    const lastMonth = DateTime.now().setZone('America/Toronto').startOf('month').minus({ months: 1 });
    expect(pdf.text).toContain(`Long distance summary for 5000001, ${lastMonth.toFormat('LLLL yyyy')}`);
    expect(pdf.files[0]?.mediaType).toBe('application/pdf');
    expect(readFileSync(pdf.files[0]?.savedTo as string).subarray(0, 5).toString()).toBe('%PDF-');
    expect(csv.files[0]?.mediaType).toBe('text/csv');
    expect(readFileSync(csv.files[0]?.savedTo as string, 'utf8')).toMatch(/5000001/);
    expect(await count('scheduled_reports')).toBe(schedules + 1);
  }, 60_000);

  it('says sorry and names the outage to an upset customer, then opens one ticket linked to it', async () => {
    const accounts = await domain.listAccessibleAccounts(ctx, admin);
    if (accounts.kind !== 'ok') throw new Error('accounts');
    let outage: domain.OutageView | undefined;
    for (const account of accounts.value.filter((a) => a.status === 'active')) {
      const found = await domain.listOutagesForAccount(ctx, admin, { accountNumber: account.number });
      outage ??= found.kind === 'ok' ? found.value[0] : undefined;
    }
    if (!outage) throw new Error('no open outage hits Northwind in the demo data');
    const tickets = await count('tickets');
    const { replies } = await converse('admin@northwind.example', [
      'third time my phones went down this month!!!',
      '/press Open a linked ticket',
      'by email please',
      '/press Confirm',
    ]);
    const [sorry, how, confirmation, opened] = replies as [JsonReply, JsonReply, JsonReply, JsonReply];
    expect(sorry.text).toMatch(/sorry/i);
    expect(sorry.text).toContain(outage.title);
    expect(labelsOf(sorry).some((l) => /person|human|agent/i.test(l))).toBe(true);
    expect(how.text).toMatch(/reach you|contact/i);
    expect(confirmation.text).toContain(outage.reference);
    expect(await count('tickets')).toBe(tickets + 1);
    const row = await handle.db.selectFrom('tickets').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(`${row.title} ${row.description}`).toContain(outage.reference);
    expect(row.preferred_contact).toBe('email');
    expect(opened.text).toContain(row.number);
  }, 60_000);
});
