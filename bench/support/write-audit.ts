// Compares the writes in the database (payments, tickets, contacts, escalations) with the confirmations that
// were pressed: each new row is traced through the stored conversation to the message that carried it out.
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import type { BenchDatabase } from './bench-server.js';

type Row = Record<string, unknown>;

/** Read-only SQL against the benchmark's database, whatever the engine (no parameters: numbers only). */
export async function queryDatabase(database: BenchDatabase, sql: string): Promise<Row[]> {
  if (database.engine === 'sqlite') {
    const db = new Sqlite(database.path as string, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all() as Row[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Row[];
  } finally {
    await client.end();
  }
}

export interface Baseline {
  payments: number;
  tickets: number;
  contacts: number;
  escalations: number;
  messages: number;
}

export async function readBaseline(database: BenchDatabase): Promise<Baseline> {
  const [row] = await queryDatabase(
    database,
    `SELECT
       (SELECT COALESCE(MAX(id), 0) FROM payments) AS payments,
       (SELECT COALESCE(MAX(id), 0) FROM tickets) AS tickets,
       (SELECT COALESCE(MAX(id), 0) FROM contacts) AS contacts,
       (SELECT COALESCE(MAX(id), 0) FROM ticket_escalations) AS escalations,
       (SELECT COALESCE(MAX(id), 0) FROM messages) AS messages`,
  );
  const n = (key: string) => Number(row?.[key] ?? 0);
  return {
    payments: n('payments'),
    tickets: n('tickets'),
    contacts: n('contacts'),
    escalations: n('escalations'),
    messages: n('messages'),
  };
}

export type WriteKind = 'payment' | 'ticket' | 'contact' | 'escalation';

/** What a bot says once a write is done; the key names the row it wrote. */
const DONE_PATTERNS: readonly { kind: WriteKind; pattern: RegExp; key: (m: RegExpExecArray) => string }[] = [
  {
    kind: 'payment',
    pattern: /Payment submitted: .*? Confirmation number (\S+?)\.(?:\s|$)/,
    key: (m) => m[1] as string,
  },
  { kind: 'ticket', pattern: /Ticket (TT-\d+) is open\. We'll contact you/, key: (m) => m[1] as string },
  {
    kind: 'contact',
    pattern: /Done: (.+?) is now an? (\w+) contact on (\d+)\./,
    key: (m) => `${m[1]}|${m[2]}|${m[3]}`,
  },
  { kind: 'escalation', pattern: /Done: ticket (TT-\d+) is now (\w+) priority\./, key: (m) => `${m[1]}|${m[2]}` },
];

/** The writes a reply text reports as done (a replayed Confirm reports the same key again). */
export function writesReported(text: string): { kind: WriteKind; key: string }[] {
  const found: { kind: WriteKind; key: string }[] = [];
  for (const { kind, pattern, key } of DONE_PATTERNS) {
    const match = pattern.exec(text);
    if (match) found.push({ kind, key: key(match) });
  }
  return found;
}

export interface WriteRow {
  readonly kind: WriteKind;
  readonly id: number;
  readonly key: string;
}

export async function newWriteRows(database: BenchDatabase, baseline: Baseline): Promise<WriteRow[]> {
  const rows: WriteRow[] = [];
  for (const r of await queryDatabase(
    database,
    `SELECT id, confirmation_number FROM payments WHERE id > ${baseline.payments}`,
  )) {
    rows.push({ kind: 'payment', id: Number(r.id), key: String(r.confirmation_number) });
  }
  for (const r of await queryDatabase(database, `SELECT id, number FROM tickets WHERE id > ${baseline.tickets}`)) {
    rows.push({ kind: 'ticket', id: Number(r.id), key: String(r.number) });
  }
  for (const r of await queryDatabase(
    database,
    `SELECT c.id, c.name, c.role, a.number FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE c.id > ${baseline.contacts}`,
  )) {
    rows.push({ kind: 'contact', id: Number(r.id), key: `${r.name}|${r.role}|${r.number}` });
  }
  for (const r of await queryDatabase(
    database,
    `SELECT e.id, t.number, e.to_priority FROM ticket_escalations e JOIN tickets t ON t.id = e.ticket_id WHERE e.id > ${baseline.escalations}`,
  )) {
    rows.push({ kind: 'escalation', id: Number(r.id), key: `${r.number}|${r.to_priority}` });
  }
  return rows;
}

interface StoredMessage {
  conversation: string;
  seq: number;
  direction: string;
  text: string;
  payload: string | null;
}

/** How a write was set off, read from the conversation that holds its "done" message. */
export type Trigger =
  | { kind: 'confirm'; conversation: string; confirmId: string }
  | { kind: 'forged_confirm'; conversation: string; confirmId: string }
  | { kind: 'yes'; conversation: string; text: string }
  | { kind: 'other_text'; conversation: string; text: string }
  | { kind: 'other_action'; conversation: string; action: string };

export interface WriteAudit {
  /** New rows, by kind. */
  readonly rows: Record<WriteKind, number>;
  /** Rows traced to a Confirm button that this conversation was shown. */
  confirmedByButton: number;
  /** Rows traced to a deliberate "yes" while a confirmation was waiting. */
  confirmedByYes: number;
  /** Rows with no "done" message, explained by a Confirm press whose answer never arrived (5xx, timeout, dropped). */
  confirmedReplyLost: number;
  /** Rows nobody confirmed: traced to another input, to a confirmation id the conversation was never shown, or to nothing. */
  readonly unconfirmed: { row: WriteRow; why: string }[];
  /** Confirmations that carried out more than one row. */
  readonly doubled: { conversation: string; confirmId: string; rows: WriteRow[] }[];
  /** "Done" answers the clients received whose row is not in the database. */
  readonly lost: { kind: WriteKind; key: string }[];
}

export interface ClientWrites {
  /** Every "done" a client was told (kind and key). */
  readonly reportedDone: readonly { kind: WriteKind; key: string }[];
  /** Confirm presses (by kind of write) whose answer never arrived. */
  readonly lostReplies: Readonly<Record<WriteKind, number>>;
  /** The texts the clients sent on purpose to say yes to a waiting confirmation. */
  readonly yesTexts: ReadonlySet<string>;
}

export async function auditWrites(
  database: BenchDatabase,
  baseline: Baseline,
  client: ClientWrites,
): Promise<WriteAudit> {
  const rows = await newWriteRows(database, baseline);
  const messages = (
    await queryDatabase(
      database,
      `SELECT conversation_id, seq, direction, text,
              CASE WHEN direction = 'in' OR payload LIKE '%"confirm:%' THEN payload ELSE NULL END AS payload
         FROM messages WHERE id > ${baseline.messages} ORDER BY conversation_id, seq`,
    )
  ).map(
    (r): StoredMessage => ({
      conversation: String(r.conversation_id),
      seq: Number(r.seq),
      direction: String(r.direction),
      text: String(r.text ?? ''),
      payload: r.payload === null || r.payload === undefined ? null : String(r.payload),
    }),
  );
  // The first "done" message of each key in each conversation, with what set it off (a replayed Confirm in
  // the same conversation reports the same key again and is not a new write).
  const triggers = new Map<string, Trigger[]>();
  const byConversation = new Map<string, StoredMessage[]>();
  for (const m of messages) {
    const list = byConversation.get(m.conversation) ?? [];
    list.push(m);
    byConversation.set(m.conversation, list);
  }
  for (const [conversation, list] of byConversation) {
    const offered = new Set<string>();
    const reported = new Set<string>();
    let lastIn: StoredMessage | undefined;
    for (const m of list) {
      if (m.direction === 'in') {
        lastIn = m;
        continue;
      }
      for (const done of writesReported(m.text)) {
        const id = `${done.kind}|${done.key}`;
        if (reported.has(id)) continue;
        reported.add(id);
        triggers.set(id, [...(triggers.get(id) ?? []), triggerOf(conversation, lastIn, offered, client.yesTexts)]);
      }
      for (const match of (m.payload ?? '').matchAll(/"confirm:([A-Za-z0-9_-]+)"/g)) offered.add(match[1] as string);
    }
  }
  const audit: WriteAudit = {
    rows: { payment: 0, ticket: 0, contact: 0, escalation: 0 },
    confirmedByButton: 0,
    confirmedByYes: 0,
    confirmedReplyLost: 0,
    unconfirmed: [],
    doubled: [],
    lost: [],
  };
  const lostReplies = { ...client.lostReplies };
  const perConfirmation = new Map<string, WriteRow[]>();
  // Contacts and escalations are keyed by what they say, which two rows may share: each trigger explains one row.
  const used = new Map<string, number>();
  for (const row of rows) {
    audit.rows[row.kind] += 1;
    const id = `${row.kind}|${row.key}`;
    const seen = used.get(id) ?? 0;
    used.set(id, seen + 1);
    const trigger = triggers.get(id)?.[seen];
    if (!trigger) {
      // No message reports this row (or a second row with the same description): only a lost reply explains it.
      if ((lostReplies[row.kind] ?? 0) > 0) {
        lostReplies[row.kind] -= 1;
        audit.confirmedReplyLost += 1;
      } else {
        audit.unconfirmed.push({
          row,
          why:
            seen > 0
              ? `a second ${row.kind} row described exactly like an earlier one`
              : 'no message in any conversation reports it',
        });
      }
      continue;
    }
    switch (trigger.kind) {
      case 'confirm': {
        audit.confirmedByButton += 1;
        const key = `${trigger.conversation}|${trigger.confirmId}`;
        perConfirmation.set(key, [...(perConfirmation.get(key) ?? []), row]);
        break;
      }
      case 'yes':
        audit.confirmedByYes += 1;
        break;
      case 'forged_confirm':
        audit.unconfirmed.push({
          row,
          why: `confirm:${trigger.confirmId} was never offered in ${trigger.conversation}`,
        });
        break;
      case 'other_text':
        audit.unconfirmed.push({
          row,
          why: `carried out on the text ${JSON.stringify(trigger.text.slice(0, 200))} in ${trigger.conversation}`,
        });
        break;
      case 'other_action':
        audit.unconfirmed.push({
          row,
          why: `carried out on the button ${JSON.stringify(trigger.action.slice(0, 200))} in ${trigger.conversation}`,
        });
        break;
    }
  }
  for (const [key, list] of perConfirmation) {
    if (list.length > 1) {
      const [conversation = '', confirmId = ''] = key.split('|');
      audit.doubled.push({ conversation, confirmId, rows: list });
    }
  }
  // Every "done" a client heard must be a row (this run's or, for a replay, an earlier one).
  const present = new Set(rows.map((r) => `${r.kind}|${r.key}`));
  const heard = new Set(client.reportedDone.map((d) => `${d.kind}|${d.key}`));
  const earlierKeys = await rowsExisting(
    database,
    [...heard].filter((h) => !present.has(h)),
  );
  for (const h of heard) {
    if (present.has(h) || earlierKeys.has(h)) continue;
    const [kind, ...rest] = h.split('|');
    audit.lost.push({ kind: kind as WriteKind, key: rest.join('|') });
  }
  return audit;
}

function triggerOf(
  conversation: string,
  lastIn: StoredMessage | undefined,
  offered: ReadonlySet<string>,
  yesTexts: ReadonlySet<string>,
): Trigger {
  const action = lastIn?.payload ?? null;
  if (action?.startsWith('confirm:')) {
    const confirmId = action.slice('confirm:'.length);
    return offered.has(confirmId)
      ? { kind: 'confirm', conversation, confirmId }
      : { kind: 'forged_confirm', conversation, confirmId };
  }
  if (action !== null) return { kind: 'other_action', conversation, action };
  const text = lastIn?.text ?? '';
  if (yesTexts.has(text.trim().toLowerCase())) return { kind: 'yes', conversation, text };
  return { kind: 'other_text', conversation, text };
}

/** Which of the "kind|key" writes exist at all (replays of rows made before this run's baseline). */
async function rowsExisting(database: BenchDatabase, keys: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const key of keys) {
    const [kind, a = '', b = '', c = ''] = key.split('|');
    const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
    let sql: string;
    if (kind === 'payment') sql = `SELECT 1 AS x FROM payments WHERE confirmation_number = ${quote(a)}`;
    else if (kind === 'ticket') sql = `SELECT 1 AS x FROM tickets WHERE number = ${quote(a)}`;
    else if (kind === 'contact')
      sql = `SELECT 1 AS x FROM contacts c JOIN accounts ac ON ac.id = c.account_id WHERE c.name = ${quote(a)} AND c.role = ${quote(b)} AND ac.number = ${quote(c)}`;
    else
      sql = `SELECT 1 AS x FROM ticket_escalations e JOIN tickets t ON t.id = e.ticket_id WHERE t.number = ${quote(a)} AND e.to_priority = ${quote(b)}`;
    if ((await queryDatabase(database, sql)).length > 0) found.add(key);
  }
  return found;
}
