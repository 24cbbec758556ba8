// Every reply the engine produces renders as Block Kit within Slack's limits; oversized replies are cut.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blockKitViolations,
  OPEN_ESCALATE_ACTION,
  renderBlockKit,
  SLACK_LIMITS,
  truncate,
} from '../../adapters/slack/block-kit.js';
import { createTicketModal, escalateModal, homeView } from '../../adapters/slack/views.js';
import type { ConversationEngine } from '../../src/conversation/engine.js';
import type { Reply } from '../../src/conversation/reply.js';
import { loadCustomerActor, loadStaffActor } from '../../src/domain/index.js';
import { Chat, createWorld, type World } from '../conversation/support.js';

const CUSTOMER_TURNS = [
  'hello',
  'what can you do?',
  'what is my balance',
  'how much do I owe?',
  'show me my invoice history for 5000001',
  'send me the latest invoice for 5000001',
  'send that as CSV',
  'show my payment history for 5000001',
  'top 10 calls by cost this quarter for 5000001',
  'long distance summary for account 1002345 last month as pdf',
  'what services do I have on 5000001?',
  'list my DID numbers',
  'show me the hunt groups',
  'show the 911 addresses',
  'who are the contacts on 5000001?',
  'who has access to the portal for 5000001?',
  'show me the account hierarchy',
  'show my open tickets',
  'what is the status of TT-104233?',
  'are there any outages in Toronto?',
  'is there any scheduled maintenance coming up?',
  'give me an account summary for 5000001',
  'which cards do I have on file?',
  'pay $33.00 on 5000001',
  'hmm the thing',
  'tell me a joke about penguins',
  'my internet has been down at the office since this morning, please open a ticket on 5000001',
  'I want to talk to a real person',
];

const STAFF_TURNS = [
  'balance 1002345',
  'what is the balance of account 1002345',
  'tickets acme',
  'outages toronto',
  'give me an account summary for 1002345',
  'show me my invoice history for 1002345',
  'the phones are down at acme, open a ticket on 1002345',
];

describe('Block Kit rendering', () => {
  let world: World;
  const replies: Reply[] = [];

  beforeAll(async () => {
    world = await createWorld('sqlite');
  }, 120_000);
  afterAll(async () => world?.drop());

  function recording(): ConversationEngine {
    const engine = world.newEngine();
    return {
      handleMessage: async (inbound, actor) => {
        const reply = await engine.handleMessage(inbound, actor);
        replies.push(reply);
        return reply;
      },
    };
  }

  async function drive(chat: Chat, turns: readonly string[]) {
    for (const text of turns) {
      const reply = await chat.say(text);
      // Press the first button too, so the replies behind buttons (confirmations, choices) are rendered.
      const first = [...(reply.quickReplies ?? []), ...(reply.cards ?? []).flatMap((c) => c.actions ?? [])][0];
      if (first) await chat.press(first.value);
      await chat.say('cancel');
    }
  }

  it('renders every reply of a handful of conversations within the limits', async () => {
    const customer = await loadCustomerActor(world.ctx, 'admin@northwind.example');
    const care = await loadStaffActor(world.ctx, 'care@provider.example');
    if (!customer || !care) throw new Error('demo identities missing');
    await drive(new Chat(world, customer, recording()), CUSTOMER_TURNS);
    await drive(new Chat(world, care, recording()), STAFF_TURNS);

    expect(replies.length).toBeGreaterThan(40);
    const shapes = { cards: 0, fields: 0, tables: 0, actions: 0, quickReplies: 0, files: 0, escalateForms: 0 };
    for (const reply of replies) {
      const message = renderBlockKit(reply, { conversationId: 'slack:T0DEMO:C0TEST:t:1700000000.000100:U0DEMOSTAFF' });
      expect(blockKitViolations(message), JSON.stringify(reply).slice(0, 300)).toEqual([]);
      shapes.cards += reply.cards?.length ?? 0;
      shapes.fields += reply.cards?.filter((c) => c.fields?.length).length ?? 0;
      shapes.tables += reply.cards?.filter((c) => c.table).length ?? 0;
      shapes.actions += reply.cards?.filter((c) => c.actions?.length).length ?? 0;
      shapes.quickReplies += reply.quickReplies?.length ? 1 : 0;
      shapes.files += reply.files?.length ? 1 : 0;
      // Every button keeps the reply's action value exactly, except "Escalate" on a ticket, which opens
      // the escalation form (a modal) for that ticket.
      const buttons = message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
      const values = buttons.map((e) =>
        e.action_id.startsWith(`${OPEN_ESCALATE_ACTION}:`) ? `modal:${e.value}` : e.value,
      );
      const expected = [...(reply.cards ?? []).flatMap((c) => c.actions ?? []), ...(reply.quickReplies ?? [])].map(
        (a) => a.value.replace(/^intent:ticket_escalate:(TT-\d+)$/, 'modal:$1'),
      );
      expect(values.sort()).toEqual(expected.sort());
      shapes.escalateForms += values.filter((v) => v.startsWith('modal:')).length;
    }
    // The conversations covered every shape a reply can take.
    for (const [shape, n] of Object.entries(shapes)) expect(n, shape).toBeGreaterThan(0);
  }, 120_000);
});

describe('Block Kit limits', () => {
  const long = (n: number, ch = 'x') => ch.repeat(n);

  it('cuts long text into sections of at most 3,000 characters', () => {
    const message = renderBlockKit({ text: long(7500) });
    expect(blockKitViolations(message)).toEqual([]);
    expect(message.blocks.length).toBe(3);
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
  });

  it('escapes mrkdwn control characters without going over the limit', () => {
    const message = renderBlockKit({
      text: long(2990, '<'),
      cards: [{ title: 'a < b & c', fields: [{ label: 'x', value: long(5000, '&') }] }],
    });
    expect(blockKitViolations(message)).toEqual([]);
    const first = message.blocks[0];
    expect(first?.type === 'section' && first.text?.text.startsWith('&lt;')).toBe(true);
  });

  it('splits fields into sections of 10 and buttons into actions blocks of 25', () => {
    const fields = Array.from({ length: 23 }, (_, i) => ({ label: `F${i}`, value: `v${i}` }));
    const actions = Array.from({ length: 60 }, (_, i) => ({ label: `Button ${i} ${long(100)}`, value: `v:${i}` }));
    const message = renderBlockKit(
      { text: 'hi', cards: [{ title: 'Card', fields, actions }] },
      { conversationId: 'slack:T:C:d:U' },
    );
    expect(blockKitViolations(message)).toEqual([]);
    const sections = message.blocks.filter((b) => b.type === 'section' && b.fields);
    expect(sections.map((b) => (b.type === 'section' ? b.fields?.length : 0))).toEqual([10, 10, 3]);
    const actionBlocks = message.blocks.filter((b) => b.type === 'actions');
    expect(actionBlocks.map((b) => (b.type === 'actions' ? b.elements.length : 0))).toEqual([25, 25, 10]);
    const button = actionBlocks[0]?.type === 'actions' ? actionBlocks[0].elements[0] : undefined;
    expect(button?.text.text.length).toBe(SLACK_LIMITS.buttonText);
    expect(button?.value).toBe('v:0');
  });

  it('leaves out a button whose value would not fit, rather than cut it', () => {
    const message = renderBlockKit({
      text: 'hi',
      quickReplies: [
        { label: 'ok', value: 'ok' },
        { label: 'huge', value: long(2001) },
      ],
    });
    const values = message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.value) : []));
    expect(values).toEqual(['ok']);
  });

  it('keeps to 50 blocks, and keeps the quick replies, when a reply has many cards', () => {
    const cards = Array.from({ length: 40 }, (_, i) => ({
      title: `Card ${i}`,
      fields: [{ label: 'a', value: 'b' }],
      actions: [{ label: 'Go', value: `go:${i}` }],
    }));
    const message = renderBlockKit({ text: 'many', cards, quickReplies: [{ label: 'More', value: 'more' }] });
    expect(blockKitViolations(message)).toEqual([]);
    expect(message.blocks.length).toBe(SLACK_LIMITS.blocks);
    const last = message.blocks.at(-1);
    expect(last?.type === 'actions' && last.elements[0]?.value).toBe('more');
    expect(JSON.stringify(message.blocks)).toContain('Shortened');
    // Room kept for a block added afterwards (the note about files sent by DM), the quick replies still last.
    const roomy = renderBlockKit(
      { text: 'many', cards, quickReplies: [{ label: 'More', value: 'more' }] },
      { maxBlocks: 49 },
    );
    expect(roomy.blocks.length).toBe(49);
    const roomyLast = roomy.blocks.at(-1);
    expect(roomyLast?.type === 'actions' && roomyLast.elements[0]?.value).toBe('more');
    expect(roomy.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'many' } });
  });

  it('renders a long table as a code block within the text limit', () => {
    const rows = Array.from({ length: 500 }, (_, i) => [`2026-11-${i}`, `Row ${i} ${long(60, 'y')}`, `$${i}.00`]);
    const message = renderBlockKit({
      text: 'table',
      cards: [{ title: 'Calls', table: { columns: ['Date', 'Description', 'Cost'], rows } }],
    });
    expect(blockKitViolations(message)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('```Date');
    expect(text).toMatch(/more rows/);
  });

  it('truncate marks a cut with an ellipsis and leaves short text alone', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });
});

describe('Slack views within limits', () => {
  const long = 'Ünïcode & <tags> '.repeat(400);
  const tickets = Array.from({ length: 60 }, (_, i) => ({
    number: `TT-${200000 + i}`,
    accountNumber: '1002345',
    title: long,
    status: 'open' as const,
    priority: i % 2 ? ('high' as const) : ('critical' as const),
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-21T10:00:00.000Z',
  }));
  const outages = Array.from({ length: 30 }, (_, i) => ({
    reference: `OUT-${i}`,
    title: long,
    description: long,
    status: 'investigating',
    startedAt: '2026-11-22T08:00:00.000Z',
    resolvedAt: null,
    areas: [{ city: 'Toronto', region: 'ON', country: 'CA' }],
    serviceTypes: [],
  }));
  const handoffs = Array.from({ length: 30 }, (_, i) => ({
    conversationId: `web:${i}`,
    channel: 'web' as const,
    status: 'waiting' as const,
    reason: long,
    requestedAt: '2026-11-22T08:00:00.000Z',
    accountNumber: '1002345',
    accountName: long,
  }));

  type ViewBlock = {
    type: string;
    text?: { text: string };
    elements?: { text: { text: string } | string }[];
    accessory?: { action_id: string };
  };
  function texts(blocks: ViewBlock[]): string[] {
    return blocks.flatMap((b) => [
      b.text?.text ?? '',
      ...(b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : e.text.text)),
    ]);
  }

  it('keeps a crowded App Home within 100 blocks and every text within 3,000 characters', () => {
    const view = homeView({
      staff: { email: 'care@provider.example', role: 'care_agent' },
      tickets,
      outages,
      handoffs,
    }) as { blocks: ViewBlock[] };
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    for (const t of texts(view.blocks)) expect(t.length).toBeLessThanOrEqual(3000);
    for (const b of view.blocks.filter((x) => x.type === 'header'))
      expect(b.text?.text.length).toBeLessThanOrEqual(150);
    // Critical tickets cannot go higher: no escalate button for them.
    const escalations = view.blocks.filter((b) => b.accessory).map((b) => b.accessory?.action_id);
    expect(escalations.length).toBeGreaterThan(0);
    expect(escalations.every((id) => /^open_escalate_modal:TT-2000\d*[13579]$/.test(id ?? ''))).toBe(true);
  });

  it('keeps modal titles within 24 characters and prefilled inputs within their maximum', () => {
    const create = createTicketModal({ title: long, description: long }, { source: { channel: 'C0X', ts: '1.2' } }) as {
      title: { text: string };
      blocks: { block_id: string; element: { initial_value?: string; max_length?: number } }[];
    };
    expect(create.title.text.length).toBeLessThanOrEqual(24);
    for (const b of create.blocks) {
      if (b.element.initial_value !== undefined)
        expect(b.element.initial_value.length).toBeLessThanOrEqual(b.element.max_length ?? 3000);
    }
    const escalate = escalateModal({ number: 'TT-1234567890', title: long, priority: 'low' }, {}) as {
      title: { text: string };
      private_metadata: string;
    };
    expect(escalate.title.text.length).toBeLessThanOrEqual(24);
    expect(escalate.private_metadata.length).toBeLessThanOrEqual(3000);
  });
});
