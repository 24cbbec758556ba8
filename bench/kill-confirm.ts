// A confirmation survives kill -9: the real server (a child process) is killed at a random moment while it
// handles a Confirm, started again on the same database, and the same Confirm is pressed again; every retry
// must tell the truth (performed now, or already done with the write's own reference) and nothing is doubled.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase } from '../adapters/db/index.js';
import { mintPortalSessionToken } from '../adapters/webchat/portal-token.js';
import type { DatabaseHandle } from '../src/db/handle.js';
import { freePort, startScript, waitForOutput } from '../test/support/processes.js';

export interface KillConfirmOptions {
  engine: 'sqlite' | 'postgres';
  /** Confirmations to kill the server during: payments and tickets, two to a kill (one if the count is odd). */
  rounds: number;
  log?: (line: string) => void;
  /** PostgreSQL server to create the throwaway database on (default: TEST_POSTGRES_URL, else the local one). */
  postgresUrl?: string;
}

export interface KillConfirmResult {
  rounds: number;
  /** The kill came before the write: the retry carried it out (once). */
  performedOnRetry: number;
  /** The kill came after the write: the retry said it was already done, naming that write. */
  reportedDone: number;
  /** Rounds that ended with more than one payment or ticket for the confirmation. */
  doubled: number;
  /** Rounds whose retry (or the press after it) said something untrue, or left the write undone. */
  wrong: number;
}

const SPARE_FLAG = '--kill-confirm-spare-server';
const SPARE_WARM = 'kill-confirm spare: modules loaded';
const READY = 'Press Ctrl-C to stop.';
const SECRET = `kill-confirm-portal-${randomBytes(16).toString('hex')}`;
const SELF = fileURLToPath(import.meta.url);
/**
 * When the server is killed, by turns: after a random delay; the moment the first chat's write, or its claim on
 * the confirmation, shows in the database (as close to the crash windows as an outside observer gets); on the
 * first reply (the second chat, a moment behind, is then still mid-turn).
 */
const MODES = ['delay', 'on-write', 'on-claim', 'on-response'] as const;
type KillMode = (typeof MODES)[number];
type Kind = 'payment' | 'ticket';

interface WireMessage {
  seq: number;
  direction: 'in' | 'out';
  author: string;
  text: string;
  cards?: { actions?: { label: string; value: string }[] }[];
  quickReplies?: { label: string; value: string }[];
}

type Server = ReturnType<typeof startScript> & { port: number };

export async function runKillConfirmRounds(options: KillConfirmOptions): Promise<KillConfirmResult> {
  const log = options.log ?? (() => {});
  const result: KillConfirmResult = { rounds: 0, performedOnRetry: 0, reportedDone: 0, doubled: 0, wrong: 0 };
  const database = await createDatabase(options);
  const env = {
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    LOG_LEVEL: 'error',
    SEED_CDRS: '0',
    PORTAL_SESSION_SECRET: SECRET,
    RATE_LIMITS: 'off',
  };
  const children: Server[] = [];
  /**
   * A new server process whose modules are loaded ahead (the slow part of starting under tsx) and that opens
   * the database only when told to, after the kill: a real restart, without waiting seconds for the loader.
   */
  const spawnSpare = async (): Promise<Server> => {
    const port = await freePort();
    const child = Object.assign(startScript(SELF, [SPARE_FLAG], { env: { ...env, PORT: String(port) } }), { port });
    children.push(child);
    return child;
  };
  const startSpare = async (spare: Server): Promise<Server> => {
    await waitForOutput(spare, SPARE_WARM, 90_000);
    spare.kill('SIGUSR2');
    await waitForOutput(spare, READY, 90_000);
    return spare;
  };

  let handle: DatabaseHandle | undefined;
  try {
    // The first start migrates and loads the demo data; the spare loads its modules meanwhile.
    const started = performance.now();
    const first = await spawnSpare();
    let spare = spawnSpare();
    let server = await startSpare(first);
    log(`${options.engine}: server up with demo data in ${Math.round(performance.now() - started)} ms`);
    handle = await openDatabase(
      options.engine === 'sqlite'
        ? { engine: 'sqlite', path: database.path }
        : { engine: 'postgres', url: database.url },
    );
    const db = handle.db;
    const payee = Number(
      (await db.selectFrom('accounts').select('id').where('number', '=', '5000003').executeTakeFirstOrThrow()).id,
    );

    /** The writes a round may have made: payments on 5000003, or tickets carrying the round's marker. */
    const writes = async (kind: Kind, marker: string): Promise<string[]> => {
      if (kind === 'payment') {
        const rows = await db
          .selectFrom('payments')
          .select('confirmation_number')
          .where('account_id', '=', payee)
          .execute();
        return rows.map((r) => r.confirmation_number);
      }
      const rows = await db
        .selectFrom('tickets')
        .select('number')
        .where('description', 'like', `%${marker}%`)
        .execute();
      return rows.map((r) => r.number);
    };

    // How long a Confirm of each kind takes on this machine now: the window the random moments are drawn from.
    const took: Record<Kind, number> = { payment: 30, ticket: 30 };
    /** A signed-in chat with a write waiting for Confirm: its session token, conversation and the button's value. */
    const prepare = async (base: string, kind: Kind, marker: string, cents: number) => {
      const client = new ChatClient(base);
      await client.start(
        mintPortalSessionToken(SECRET, { email: 'admin@northwind.example', exp: Math.floor(Date.now() / 1000) + 900 }),
      );
      let reply = await client.send({
        text:
          kind === 'payment'
            ? `pay $${(cents / 100).toFixed(2)} on 5000003`
            : `open a ticket: the phones are down at 5000001 since this morning, ref ${marker}, please call me`,
      });
      // The bench may have paid the balance down: "Pay $X anyway" is the same payment.
      const anyway = buttons(reply).find((b) => /anyway/i.test(b.label));
      if (anyway) reply = await client.send({ action: anyway.value });
      const confirm = buttons(reply).find((b) => b.label === 'Confirm');
      if (!confirm) throw new Error(`no Confirm button for the ${kind}: ${JSON.stringify(reply).slice(0, 600)}`);
      return { client, confirm: confirm.value };
    };

    /** One round up to the Confirm, with what it had written before (nothing) and the conversation's place. */
    const setUp = async (base: string, kind: Kind) => {
      const marker = `kc${randomBytes(5).toString('hex')}`;
      const cents = 100 + randomInt(900);
      const { client, confirm } = await prepare(base, kind, marker, cents);
      const before = new Set(await writes(kind, marker));
      const fresh = async () => (await writes(kind, marker)).filter((w) => !before.has(w));
      const version = () => stateVersion(db, client.conversationId);
      const round = {
        kind,
        cents,
        client,
        confirm,
        fresh,
        version,
        versionBefore: await version(),
        lastSeqBefore: await client.lastSeq(),
      };
      return { ...round, answered: false, pressed: Promise.resolve() };
    };

    // One undisturbed Confirm of each kind measures how long one takes (and warms the server up).
    for (const kind of ['payment', 'ticket'] as const) {
      const round = await setUp(`http://127.0.0.1:${server.port}`, kind);
      const at = performance.now();
      await round.client.send({ action: round.confirm });
      took[kind] = Math.max(5, performance.now() - at);
    }
    log(
      `${options.engine}: an undisturbed Confirm takes ${Math.round(took.payment)} ms (payment), ${Math.round(took.ticket)} ms (ticket)`,
    );

    // Two rounds share each kill (a payment and a ticket, confirmed in two chats a moment apart), so the two
    // are caught at different points; that halves the restarts, the slow part.
    for (let kill = 0; result.rounds < options.rounds; kill++) {
      const count = Math.min(2, options.rounds - result.rounds);
      // Which goes first changes too, so each way of killing meets both kinds first over a longer run.
      const paymentFirst = (kill + Math.floor(kill / MODES.length)) % 2 === 0;
      const kinds: Kind[] =
        count === 2
          ? paymentFirst
            ? ['payment', 'ticket']
            : ['ticket', 'payment']
          : [paymentFirst ? 'payment' : 'ticket'];
      const mode = MODES[kill % MODES.length] as KillMode;
      const items = [];
      for (const kind of kinds) items.push(await setUp(`http://127.0.0.1:${server.port}`, kind));

      // Confirm (the second chat a random moment after the first), and kill -9 while they are handled.
      const victim = server;
      // Killed on an event of the first chat, the second is close behind it, so it too is caught mid-turn.
      const stagger = randomInt(Math.ceil(took[kinds[0] as Kind] / (mode === 'delay' ? 1 : 2)));
      const at = performance.now();
      const sent: Promise<void>[] = [];
      items.forEach((item, index) => {
        const send = () =>
          item.client.send({ action: item.confirm }).then(
            () => {
              item.answered = true;
            },
            () => {},
          );
        const go = index === 0 ? Promise.resolve() : new Promise<void>((resolve) => setTimeout(resolve, stagger));
        sent.push(go);
        item.pressed = go.then(send);
      });
      const delay =
        randomInt(Math.ceil(Math.max(...items.map((i) => took[i.kind])) * 1.3)) + (items.length > 1 ? stagger : 0);
      if (mode === 'delay') {
        await new Promise((resolve) => setTimeout(resolve, delay));
      } else if (mode === 'on-write' || mode === 'on-claim') {
        const first = items[0] as (typeof items)[number];
        const seen =
          mode === 'on-write'
            ? async () => (await first.fresh()).length > 0
            : async () => (await first.version()) > first.versionBefore;
        while (!first.answered && performance.now() - at < 20_000 && !(await seen()))
          await new Promise((resolve) => setImmediate(resolve));
      } else {
        await Promise.race([...items.map((i) => i.pressed), new Promise((resolve) => setTimeout(resolve, 20_000))]);
      }
      // Never before every Confirm is on its way: a press that was never sent tests nothing.
      await Promise.all(sent);
      victim.kill('SIGKILL');
      const killedAfter = Math.round(performance.now() - at);
      await victim.finished;
      await Promise.all(items.map((i) => i.pressed));
      const killed = mode === 'delay' ? `after ${delay} ms` : `${mode.replace('-', ' the first ')} (${killedAfter} ms)`;
      log(
        `kill ${kill + 1}: ${items.map((i) => i.kind).join(' + ')}${items.length > 1 ? ` (${stagger} ms apart)` : ''}, killed ${killed}`,
      );

      // What the crash left behind, before anyone presses anything again.
      const left = await Promise.all(
        items.map(async (item) => {
          const written = await item.fresh();
          return {
            written,
            phase: await crashPhase(
              db,
              item.client.conversationId,
              item.lastSeqBefore,
              item.confirm.slice('confirm:'.length),
              written.length > 0,
            ),
          };
        }),
      );

      // Restart on the same database; the spare for the next kill loads meanwhile.
      server = await startSpare(await spare);
      spare = spawnSpare();
      for (const [index, item] of items.entries()) {
        const { written: writtenBefore, phase } = left[index] as (typeof left)[number];
        item.client.base = `http://127.0.0.1:${server.port}`;
        const retry = await item.client.press(item.confirm);
        const writtenAfter = await item.fresh();
        const third = await item.client.press(item.confirm);
        const writtenFinally = await item.fresh();

        const problems: string[] = [];
        const reference = writtenAfter[0];
        const said = /already done/i.test(retry);
        if (writtenFinally.length > 1) problems.push(`doubled: ${writtenFinally.join(', ')}`);
        if (writtenAfter.length === 0) problems.push('nothing was written after the retry');
        if (writtenBefore.length > 0 && !said)
          problems.push('the write had happened, but the retry did not say it was already done');
        if (writtenBefore.length === 0 && said)
          problems.push('the retry said already done, but nothing had been written before it');
        if (reference && !retry.includes(reference)) problems.push(`the retry does not name ${reference}`);
        if (item.kind === 'payment' && !retry.includes(`$${(item.cents / 100).toFixed(2)}`))
          problems.push('the retry does not give the amount');
        if (!/already done/i.test(third) || (reference && !third.includes(reference)))
          problems.push(`pressing Confirm once more did not report it done: "${third.slice(0, 140)}"`);
        if (writtenFinally.length !== writtenAfter.length) problems.push('pressing Confirm once more wrote again');

        result.rounds += 1;
        if (writtenFinally.length > 1) result.doubled += 1;
        if (problems.some((p) => !p.startsWith('doubled'))) result.wrong += 1;
        else if (writtenFinally.length <= 1) result[said ? 'reportedDone' : 'performedOnRetry'] += 1;
        const outcome =
          problems.length === 0 ? (said ? 'reported done' : 'performed on retry') : `✘ ${problems.join('; ')}`;
        log(
          `  round ${result.rounds} ${item.kind}: the crash left ${phase}; retry: "${retry.slice(0, 140)}" → ${outcome}`,
        );
        if (problems.length > 0) log(`  the server's output: ${JSON.stringify(server.output()).slice(-1500)}`);
      }
    }
    return result;
  } finally {
    await handle?.close().catch(() => {});
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map((child) => child.finished.catch(() => undefined)));
    await database.drop();
  }
}

async function stateVersion(db: DatabaseHandle['db'], conversationId: string): Promise<number> {
  const row = await db
    .selectFrom('conversations')
    .select('state_version')
    .where('id', '=', conversationId)
    .executeTakeFirst();
  return Number(row?.state_version ?? -1);
}

/** Where the confirm turn stood when the process died, read from the database. */
async function crashPhase(
  db: DatabaseHandle['db'],
  conversationId: string,
  lastSeqBefore: number,
  confirmationId: string,
  written: boolean,
): Promise<string> {
  const messages = await db
    .selectFrom('messages')
    .select(['direction', 'author'])
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', lastSeqBefore)
    .execute();
  const row = await db
    .selectFrom('conversations')
    .select('state')
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  const state = JSON.parse(row.state) as {
    confirmation?: { id: string };
    claimed?: { id: string };
    done?: { id: string }[];
  };
  const pressed = messages.some((m) => m.direction === 'in');
  const replied = messages.some((m) => m.direction === 'out' && m.author === 'bot');
  const claimed = state.claimed?.id === confirmationId;
  const done = state.done?.some((d) => d.id === confirmationId) ?? false;
  if (replied) return 'the whole turn (reply stored)';
  if (done) return 'write and state saved, reply not stored';
  if (written) return claimed ? 'write made, claim still held, reply not stored' : 'write made, reply not stored';
  if (claimed) return 'claimed, nothing written';
  return pressed ? 'the press stored, nothing claimed' : 'nothing (the press not even stored)';
}

/** The chat API as the widget uses it; the base changes with each restart, the session token does not. */
class ChatClient {
  token = '';
  conversationId = '';
  constructor(public base: string) {}

  private async call(path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    return fetch(
      `${this.base}${path}`,
      body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) },
    );
  }

  async start(portalToken: string): Promise<void> {
    const response = await this.call('/chat/sessions', { portalToken });
    const body = (await response.json()) as { token?: string; conversationId?: string; signedIn?: unknown };
    if (!body.token || !body.conversationId || !body.signedIn)
      throw new Error(`session not signed in (${response.status}): ${JSON.stringify(body)}`);
    this.token = body.token;
    this.conversationId = body.conversationId;
  }

  async send(input: { text?: string; action?: string }): Promise<WireMessage[]> {
    const response = await this.call('/chat/messages', input);
    if (!response.ok) throw new Error(`POST /chat/messages ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { messages: WireMessage[] }).messages;
  }

  /** Presses a button and returns what the bot answered, or the failure as text (a round gone wrong, not a crash of the bench). */
  async press(value: string): Promise<string> {
    try {
      return replyText(await this.send({ action: value }));
    } catch (error) {
      return `(failed: ${error instanceof Error ? error.message : String(error)})`;
    }
  }

  async lastSeq(): Promise<number> {
    const response = await this.call('/chat/messages?after=0');
    return ((await response.json()) as { lastSeq: number }).lastSeq;
  }
}

function buttons(messages: readonly WireMessage[]): { label: string; value: string }[] {
  return messages
    .filter((m) => m.direction === 'out')
    .flatMap((m) => [...(m.quickReplies ?? []), ...(m.cards ?? []).flatMap((c) => c.actions ?? [])]);
}

function replyText(messages: readonly WireMessage[]): string {
  return messages
    .filter((m) => m.direction === 'out' && m.author === 'bot')
    .map((m) => m.text)
    .join('\n');
}

function randomInt(below: number): number {
  return Math.floor(Math.random() * Math.max(1, below));
}

/** A throwaway database: an SQLite file in a temp dir, or a new PostgreSQL database dropped afterwards. */
async function createDatabase(
  options: KillConfirmOptions,
): Promise<{ url: string; path: string; drop: () => Promise<void> }> {
  if (options.engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kill-confirm-'));
    const path = join(dir, 'support.db');
    return { url: `file:${path}`, path, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const serverUrl = options.postgresUrl ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `kill_confirm_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    path: '',
    drop: async () => {
      const again = new pg.Client({ connectionString: serverUrl });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await again.end();
    },
  };
}

/**
 * The spare server: loads what the Node server needs, says so, and on SIGUSR2 runs the real entry point
 * (adapters/runtime/node.ts), which only then opens the database. Exits if the harness goes away.
 */
async function runSpare(): Promise<void> {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 500);
  await Promise.all([
    import('../adapters/runtime/web-server.js'),
    import('../adapters/runtime/startup.js'),
    import('../adapters/pdf/index.js'),
    import('../src/domain/reports/index.js'),
    import('../fixtures/demo-data/index.js'),
    import('../migrations/index.js'),
  ]);
  await new Promise<void>((resolve) => {
    process.once('SIGUSR2', () => resolve());
    process.stdout.write(`${SPARE_WARM}\n`);
  });
  watch.unref();
  await import('../adapters/runtime/node.js');
}

if (process.argv[2] === SPARE_FLAG && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void runSpare();
}
