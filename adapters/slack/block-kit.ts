// Renders the neutral Reply as Slack Block Kit, always within Slack's limits: at most 50 blocks, 3,000
// characters a text, 10 fields a section, 25 elements an actions block, 75 characters a button label
// and 2,000 a button value.
import { encodeFormValues } from '../../src/conversation/actions.js';
import type { Reply, ReplyAction, ReplyCard, ReplyTable } from '../../src/conversation/reply.js';

export const SLACK_LIMITS = {
  blocks: 50,
  text: 3000,
  fieldText: 2000,
  fields: 10,
  actionElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  headerText: 150,
  blockId: 255,
} as const;

export interface TextObject {
  type: 'mrkdwn' | 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface ButtonElement {
  type: 'button';
  text: TextObject;
  value: string;
  action_id: string;
  style?: 'primary' | 'danger';
}

export type Block =
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'header'; text: TextObject }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'actions'; block_id?: string; elements: ButtonElement[] }
  | { type: 'divider' };

export interface SlackMessage {
  /** The notification / fallback text. */
  text: string;
  blocks: Block[];
}

/** Action ids start with this; the part after it is only there to keep ids unique within a message. */
export const ACTION_ID_PREFIX = 'reply_action';
/** Buttons that open the escalation form (a modal) instead of going back into the conversation. */
export const OPEN_ESCALATE_ACTION = 'open_escalate_modal';
/** The core's forms Slack shows as modals: the form's name → the action id prefix of the button that opens it. */
const FORM_BUTTONS: Readonly<Record<string, string>> = { escalate_ticket: OPEN_ESCALATE_ACTION };

/** Cuts text to at most `max` characters, ending with an ellipsis when it was cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function mrkdwn(text: string, max: number = SLACK_LIMITS.text): TextObject {
  return { type: 'mrkdwn', text: truncateEscaped(text, max) };
}

/** Escapes, then cuts so the escaped text fits (an entity is never cut in half). */
function truncateEscaped(raw: string, max: number): string {
  const escaped = escapeMrkdwn(raw);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const ch of raw) {
    const piece = escapeMrkdwn(ch);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

function plain(text: string, max: number): TextObject {
  const value = truncate(text.trim() === '' ? ' ' : text, max);
  return { type: 'plain_text', text: value, emoji: true };
}

/** Splits text into pieces of at most `max` characters, at line breaks where possible. */
function chunks(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = max;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest.trim() !== '') out.push(rest);
  return out;
}

function button(action: ReplyAction, id: string): ButtonElement | null {
  // A value that does not fit would come back cut and mean something else: such a button is left out.
  if (action.value.length > SLACK_LIMITS.buttonValue || action.value === '') return null;
  // A form Slack has a modal for (escalating a ticket: priority and reason) opens it rather than going back
  // into the conversation; the button carries the form's values (its name is in the action id).
  if (action.kind === 'form') {
    const opens = Object.hasOwn(FORM_BUTTONS, action.form.name) ? FORM_BUTTONS[action.form.name] : undefined;
    const values = encodeFormValues(action.form);
    if (opens && values !== null) {
      return {
        type: 'button',
        text: plain(`${action.label}…`, SLACK_LIMITS.buttonText),
        value: values,
        action_id: `${opens}:${id}`,
      };
    }
  }
  const element: ButtonElement = {
    type: 'button',
    text: plain(action.label, SLACK_LIMITS.buttonText),
    value: action.value,
    action_id: `${ACTION_ID_PREFIX}:${id}`.slice(0, SLACK_LIMITS.actionId),
  };
  if (action.style) element.style = action.style;
  return element;
}

function actionBlocks(actions: readonly ReplyAction[], idPrefix: string, conversationId?: string): Block[] {
  const elements = actions.map((a, i) => button(a, `${idPrefix}.${i}`)).filter((b): b is ButtonElement => b !== null);
  const blocks: Block[] = [];
  for (let i = 0; i < elements.length; i += SLACK_LIMITS.actionElements) {
    const block: Block = { type: 'actions', elements: elements.slice(i, i + SLACK_LIMITS.actionElements) };
    // The block id carries the conversation, so a press finds its way back to it.
    if (conversationId) block.block_id = `${conversationId}|${idPrefix}.${i}`.slice(0, SLACK_LIMITS.blockId);
    blocks.push(block);
  }
  return blocks;
}

/** A table: narrow ones as aligned text in a code block, wide or long ones cut to what fits. */
function tableBlocks(table: ReplyTable): Block[] {
  const columns = table.columns;
  const widths = columns.map((c, i) => Math.min(40, Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: readonly string[]) =>
    columns
      .map((_, i) => truncate(cells[i] ?? '', widths[i] ?? 0).padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)];
  // ``` fences take 8 characters; escaping may grow the text, so leave room.
  const budget = SLACK_LIMITS.text - 8;
  const kept: string[] = [];
  let size = 0;
  for (const [index, l] of lines.entries()) {
    const escaped = escapeMrkdwn(l);
    const remaining = lines.length - index - 1;
    const note = `… and ${remaining + 1} more rows`;
    if (size + escaped.length + 1 + (remaining > 0 ? note.length + 1 : 0) > budget) {
      kept.push(`… and ${lines.length - index} more rows`);
      break;
    }
    kept.push(escaped);
    size += escaped.length + 1;
  }
  const body = kept.map((l) => truncate(l, budget)).join('\n');
  return [{ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${truncate(body, budget)}\`\`\`` } }];
}

function cardBlocks(card: ReplyCard, index: number, conversationId?: string): Block[] {
  const blocks: Block[] = [];
  const title = `*${escapeMrkdwn(truncate(card.title, 200))}*`;
  const heading = card.subtitle ? `${title}\n${escapeMrkdwn(truncate(card.subtitle, 400))}` : title;
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: heading } });
  const fields = card.fields ?? [];
  for (let i = 0; i < fields.length; i += SLACK_LIMITS.fields) {
    blocks.push({
      type: 'section',
      fields: fields.slice(i, i + SLACK_LIMITS.fields).map((f) => {
        const label = `*${escapeMrkdwn(truncate(f.label, 100))}*\n`;
        return { type: 'mrkdwn', text: `${label}${truncateEscaped(f.value, SLACK_LIMITS.fieldText - label.length)}` };
      }),
    });
  }
  if (card.table && card.table.columns.length > 0) blocks.push(...tableBlocks(card.table));
  blocks.push(...actionBlocks(card.actions ?? [], `c${index}`, conversationId));
  return blocks;
}

/**
 * The Block Kit message for a reply. When everything does not fit in 50 blocks, the blocks that do fit
 * are kept, the quick replies stay (they are how the conversation goes on), and a note says it was cut.
 */
export function renderBlockKit(
  reply: Reply,
  options: {
    conversationId?: string /** Fewer than 50, to leave room for blocks added after. */;
    maxBlocks?: number;
  } = {},
): SlackMessage {
  const { conversationId } = options;
  const maxBlocks = Math.min(options.maxBlocks ?? SLACK_LIMITS.blocks, SLACK_LIMITS.blocks);
  const head: Block[] = chunks(reply.text, SLACK_LIMITS.text).map((piece) => ({
    type: 'section',
    text: mrkdwn(piece),
  }));
  const cards: Block[] = [];
  for (const [i, card] of (reply.cards ?? []).entries()) {
    if (i > 0) cards.push({ type: 'divider' });
    cards.push(...cardBlocks(card, i, conversationId));
  }
  const files: Block[] = (reply.files ?? []).length
    ? [{ type: 'context', elements: [mrkdwn(`Files: ${(reply.files ?? []).map((f) => f.filename).join(', ')}`)] }]
    : [];
  const tail: Block[] = actionBlocks(reply.quickReplies ?? [], 'q', conversationId);
  if (reply.handoff) {
    tail.unshift({
      type: 'context',
      elements: [
        mrkdwn(reply.handoff.status === 'waiting' ? 'Waiting for a support agent.' : 'A support agent has joined.'),
      ],
    });
  }

  let body = [...head, ...cards, ...files];
  const room = maxBlocks - Math.min(tail.length, maxBlocks - 1);
  if (body.length > room) {
    body = [
      ...body.slice(0, room - 1),
      { type: 'context', elements: [mrkdwn('(Shortened: the full answer does not fit in one Slack message.)')] },
    ];
  }
  const blocks = [...body, ...tail].slice(0, maxBlocks);
  const fallback = reply.text.trim() === '' ? (reply.cards?.[0]?.title ?? ' ') : reply.text;
  return { text: truncate(fallback, SLACK_LIMITS.text), blocks };
}

/** Every problem with a message against Slack's limits; empty when it is fine. */
export function blockKitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  const { blocks } = message;
  if (blocks.length > SLACK_LIMITS.blocks) problems.push(`${blocks.length} blocks`);
  if (message.text.length > SLACK_LIMITS.text) problems.push('fallback text too long');
  const checkText = (t: TextObject, max: number, where: string) => {
    if (t.text.length > max) problems.push(`${where}: text of ${t.text.length} characters`);
    if (t.text.length === 0) problems.push(`${where}: empty text`);
  };
  blocks.forEach((block, i) => {
    const where = `block ${i} (${block.type})`;
    if (block.type === 'section') {
      if (!block.text && !block.fields) problems.push(`${where}: neither text nor fields`);
      if (block.text) checkText(block.text, SLACK_LIMITS.text, where);
      if (block.fields) {
        if (block.fields.length > SLACK_LIMITS.fields) problems.push(`${where}: ${block.fields.length} fields`);
        for (const f of block.fields) checkText(f, SLACK_LIMITS.fieldText, `${where} field`);
      }
    } else if (block.type === 'header') {
      checkText(block.text, SLACK_LIMITS.headerText, where);
    } else if (block.type === 'context') {
      if (block.elements.length > 10) problems.push(`${where}: ${block.elements.length} elements`);
      for (const e of block.elements) checkText(e, SLACK_LIMITS.text, where);
    } else if (block.type === 'actions') {
      if (block.elements.length > SLACK_LIMITS.actionElements)
        problems.push(`${where}: ${block.elements.length} elements`);
      if (block.elements.length === 0) problems.push(`${where}: no elements`);
      if (block.block_id && block.block_id.length > SLACK_LIMITS.blockId) problems.push(`${where}: block_id too long`);
      const ids = new Set<string>();
      for (const b of block.elements) {
        checkText(b.text, SLACK_LIMITS.buttonText, `${where} button`);
        if (b.value.length > SLACK_LIMITS.buttonValue) problems.push(`${where}: button value of ${b.value.length}`);
        if (b.action_id.length > SLACK_LIMITS.actionId) problems.push(`${where}: action_id too long`);
        if (ids.has(b.action_id)) problems.push(`${where}: duplicate action_id ${b.action_id}`);
        ids.add(b.action_id);
      }
    }
  });
  const allIds = blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.action_id) : []));
  if (new Set(allIds).size !== allIds.length) problems.push('duplicate action_id in message');
  return problems;
}
