// Drives the conversation engine as a person would, against a seeded database, for the dialog tests.
import { createConversationEngine, type ConversationEngine, type EngineOptions, type LanguageUnderstanding } from '../../src/conversation/engine.js';
import { createProductUnderstanding } from '../../src/conversation/index.js';
import type { Reply } from '../../src/conversation/reply.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import { type Actor, ANONYMOUS, createDomainContext, type DomainContext, loadCustomerActor, loadStaffActor } from '../../src/domain/index.js';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import { createTestDatabase, type ENGINES } from '../support/databases.js';
import { createChatServices } from '../../adapters/runtime/chat-services.js';

export const AS_OF = '2026-11-22';
export const NOW = new Date(`${AS_OF}T15:00:00.000Z`);

export interface World {
  handle: DatabaseHandle;
  ctx: DomainContext;
  nlu: LanguageUnderstanding;
  engine: ConversationEngine;
  drop: () => Promise<void>;
  newEngine: (options?: Partial<EngineOptions>) => ConversationEngine;
}

let sharedNlu: LanguageUnderstanding | undefined;

export async function createWorld(engine: (typeof ENGINES)[number]): Promise<World> {
  const { handle, drop } = await createTestDatabase(engine);
  await seedDemoData(handle, { cdrs: 3000, asOf: AS_OF });
  const ctx = createDomainContext(handle.db, () => NOW);
  sharedNlu ??= createProductUnderstanding();
  const nlu = sharedNlu;
  const newEngine = (options: Partial<EngineOptions> = {}) =>
    createConversationEngine({ ctx, nlu, services: createChatServices(), ...options });
  return { handle, ctx, nlu, engine: newEngine(), drop, newEngine };
}

let counter = 0;

/** A conversation with one person: say things, press buttons, read the last reply. */
export class Chat {
  readonly id: string;
  last: Reply = { text: '' };
  constructor(
    readonly world: World,
    readonly actor: Actor,
    engine?: ConversationEngine,
    id?: string,
  ) {
    this.id = id ?? `test-${Date.now()}-${++counter}`;
    this.engine = engine ?? world.engine;
  }
  private engine: ConversationEngine;

  async say(text: string): Promise<Reply> {
    this.last = await this.engine.handleMessage({ channel: 'web', conversationId: this.id, text }, this.actor);
    return this.last;
  }

  async press(labelOrValue: string): Promise<Reply> {
    const value = this.button(labelOrValue);
    this.last = await this.engine.handleMessage({ channel: 'web', conversationId: this.id, action: value }, this.actor);
    return this.last;
  }

  /** The value of a button in the last reply, by its label (or a prefix of its value). */
  button(labelOrValue: string): string {
    const all = [...(this.last.quickReplies ?? []), ...(this.last.cards ?? []).flatMap((c) => c.actions ?? [])];
    const found = all.find((a) => a.label === labelOrValue) ?? all.find((a) => a.value.startsWith(labelOrValue)) ?? all.find((a) => a.label.startsWith(labelOrValue));
    if (!found) throw new Error(`no button "${labelOrValue}" in: ${JSON.stringify(all.map((a) => a.label))} (reply: ${this.last.text})`);
    return found.value;
  }

  /** Everything a person reads in the last reply, as one string. */
  get shown(): string {
    const r = this.last;
    return [
      r.text,
      ...(r.cards ?? []).flatMap((c) => [c.title, c.subtitle ?? '', ...(c.fields ?? []).flatMap((f) => [f.label, f.value]), ...(c.table?.columns ?? []), ...(c.table?.rows.flat() ?? [])]),
    ].join('\n');
  }
}

export async function customer(world: World, email: string): Promise<Chat> {
  const actor = await loadCustomerActor(world.ctx, email);
  if (!actor) throw new Error(`no demo customer ${email}`);
  return new Chat(world, actor);
}

export async function staff(world: World, email: string): Promise<Chat> {
  const actor = await loadStaffActor(world.ctx, email);
  if (!actor) throw new Error(`no demo staff ${email}`);
  return new Chat(world, actor);
}

export function anonymous(world: World): Chat {
  return new Chat(world, ANONYMOUS);
}

export async function count(world: World, table: 'payments' | 'tickets' | 'contacts' | 'portal_users' | 'handoffs' | 'ticket_escalations'): Promise<number> {
  const row = await world.handle.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
