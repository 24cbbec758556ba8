// `npm run cli -- chat --as EMAIL [--json]`: talk to the assistant in a terminal as a demo user or staff
// member. With stdin not a terminal, each input line is one message and each reply one JSON line.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createConversationEngine } from '../../src/conversation/engine.js';
import { createProductUnderstanding } from '../../src/conversation/index.js';
import type { Reply } from '../../src/conversation/reply.js';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import { createDomainContext, loadCustomerActor, loadStaffActor } from '../../src/domain/index.js';
import { migrateToLatest, openDatabase } from '../db/index.js';
import { createChatServices } from './chat-services.js';

export interface ChatIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Returns the exit code: 0 done, 2 bad command line, 1 no such user. */
export async function runChatCommand(args: string[], target: DatabaseTarget, io: ChatIo): Promise<number> {
  let values: { as?: string; json?: boolean; conversation?: string; 'files-dir'?: string };
  try {
    values = parseArgs({
      args,
      options: { as: { type: 'string' }, json: { type: 'boolean' }, conversation: { type: 'string' }, 'files-dir': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message.split('. ')[0]}\n`);
    return 2;
  }
  if (!values.as) {
    io.stderr.write('error: chat needs --as EMAIL (a portal user or staff email, e.g. admin@northwind.example)\n');
    return 2;
  }
  const handle = await openDatabase(target);
  try {
    await migrateToLatest(handle.db);
    const ctx = createDomainContext(handle);
    const actor = (await loadCustomerActor(ctx, values.as)) ?? (await loadStaffActor(ctx, values.as));
    if (!actor) {
      io.stderr.write(`error: no active portal user or staff member with the email ${values.as}\n`);
      return 1;
    }
    const engine = createConversationEngine({ ctx, nlu: createProductUnderstanding(), services: createChatServices() });
    const conversationId = values.conversation ?? `cli-${randomUUID()}`;
    const json = values.json === true || !io.stdin.isTTY;
    const lines = createInterface({ input: io.stdin, terminal: false });
    if (!json) io.stdout.write(`Chatting as ${values.as} (conversation ${conversationId}). Ctrl-D to leave.\n> `);
    let last: Reply = { text: '' };
    for await (const line of lines) {
      const text = line.trim();
      // "/press <value>" presses a button by its value, as a channel would send it.
      const action = text.startsWith('/press ') ? buttonValue(last, text.slice(7).trim()) : undefined;
      const reply = await engine.handleMessage({ channel: 'cli', conversationId, text: action ? undefined : line, action }, actor);
      last = reply;
      const saved = saveFiles(reply, values['files-dir']);
      if (json) io.stdout.write(`${JSON.stringify(toJson(reply, saved))}\n`);
      else io.stdout.write(`${renderForTerminal(reply, saved)}\n> `);
    }
    return 0;
  } finally {
    await handle.close();
  }
}

/** A button of the last reply named by its label (any case), or a raw button value. */
function buttonValue(last: Reply, wanted: string): string {
  const buttons = [...(last.quickReplies ?? []), ...(last.cards ?? []).flatMap((c) => c.actions ?? [])];
  return buttons.find((b) => b.label.toLowerCase() === wanted.toLowerCase())?.value ?? wanted;
}

function saveFiles(reply: Reply, dir: string | undefined): string[] {
  if (!dir || !reply.files) return [];
  return reply.files.map((file) => {
    const path = join(dir, file.filename);
    writeFileSync(path, file.content);
    return path;
  });
}

function toJson(reply: Reply, saved: string[]) {
  return {
    text: reply.text,
    cards: reply.cards ?? [],
    quickReplies: reply.quickReplies ?? [],
    files: (reply.files ?? []).map((f, i) => ({ filename: f.filename, mediaType: f.mediaType, bytes: f.content.length, savedTo: saved[i] })),
    handoff: reply.handoff,
  };
}

function renderForTerminal(reply: Reply, saved: string[]): string {
  const out: string[] = [reply.text];
  for (const card of reply.cards ?? []) {
    out.push(`┌ ${card.title}${card.subtitle ? ` — ${card.subtitle}` : ''}`);
    for (const field of card.fields ?? []) out.push(`│ ${field.label}: ${field.value}`);
    if (card.table) {
      out.push(`│ ${card.table.columns.join(' | ')}`);
      for (const row of card.table.rows) out.push(`│ ${row.join(' | ')}`);
    }
    for (const action of card.actions ?? []) out.push(`│ [${action.label}]  /press ${action.value}`);
    out.push('└');
  }
  for (const quick of reply.quickReplies ?? []) out.push(`  [${quick.label}]  /press ${quick.value}`);
  (reply.files ?? []).forEach((file, i) => {
    out.push(`  📎 ${file.filename} (${file.content.length} bytes)${saved[i] ? ` saved to ${saved[i]}` : ' — add --files-dir DIR to save'}`);
  });
  return out.join('\n');
}
