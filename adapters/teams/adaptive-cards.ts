// The neutral Reply as a Teams message of Adaptive Cards 1.5: fields as a FactSet, tables as a Table, buttons as
// Action.Submit (their data goes back into the conversation), forms as Action.ShowCard with inputs. Within
// Teams' limits: at most 6 top-level actions a card and under 28 KB a message.
import { encodeForm } from '../../src/conversation/actions.js';
import type { Reply, ReplyAction, ReplyCard, ReplyTable } from '../../src/conversation/reply.js';
import { PRIORITIES } from '../../src/domain/tickets/priorities.js';
import type { AdaptiveCardAttachment, OutgoingActivity } from './activity.js';

export const TEAMS_LIMITS = {
  /** Teams shows at most 6 top-level actions on a card. */
  actions: 6,
  /** A message (text and cards) stays under this many bytes; Teams refuses 28 KB and more. */
  bytes: 27 * 1024,
  textChars: 4000,
} as const;

export const CARD_VERSION = '1.5';
const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

/** What an Action.Submit carries back: a value for the conversation, or a form with its inputs. */
export type SubmitData = { readonly action: string } | { readonly form: string };

type Json = Record<string, unknown>;

export function renderAdaptiveCards(reply: Reply): OutgoingActivity {
  return withinLimits(renderAdaptiveCardsUnfitted(reply), reply);
}

export function attachment(card: Json): AdaptiveCardAttachment {
  return { contentType: 'application/vnd.microsoft.card.adaptive', content: card };
}

export function adaptiveCard(body: Json[], actions: Json[] = []): Json {
  return { type: 'AdaptiveCard', $schema: SCHEMA, version: CARD_VERSION, body, ...(actions.length ? { actions: topLevel(actions) } : {}) };
}

function renderCard(card: ReplyCard): Json {
  const body: Json[] = [{ type: 'TextBlock', text: truncate(card.title, 200), weight: 'Bolder', size: 'Medium', wrap: true }];
  if (card.subtitle) body.push({ type: 'TextBlock', text: truncate(card.subtitle, 300), isSubtle: true, spacing: 'None', wrap: true });
  if (card.fields?.length) body.push(factSet(card.fields));
  if (card.table?.columns.length) body.push(table(card.table));
  return adaptiveCard(body, (card.actions ?? []).map(renderAction));
}

export function factSet(fields: readonly { label: string; value: string }[]): Json {
  return { type: 'FactSet', facts: fields.map((f) => ({ title: truncate(f.label, 100), value: truncate(f.value || '—', 500) })) };
}

function table(t: ReplyTable): Json {
  const row = (cells: readonly string[], header: boolean): Json => ({
    type: 'TableRow',
    cells: t.columns.map((_, i) => ({
      type: 'TableCell',
      items: [{ type: 'TextBlock', text: truncate(cells[i] ?? '', 200) || ' ', wrap: true, ...(header ? { weight: 'Bolder' } : {}) }],
    })),
  });
  return {
    type: 'Table',
    columns: t.columns.map(() => ({ width: 1 })),
    firstRowAsHeader: true,
    showGridLines: false,
    rows: [row(t.columns, true), ...t.rows.map((r) => row(r, false))],
  };
}

function style(action: ReplyAction): Json {
  return action.style === 'primary' ? { style: 'positive' } : action.style === 'danger' ? { style: 'destructive' } : {};
}

export function renderAction(action: ReplyAction): Json {
  const title = truncate(action.label, 60);
  if (action.kind === 'link') return { type: 'Action.OpenUrl', title, url: action.url };
  if (action.kind === 'form') {
    const encoded = encodeForm(action.form);
    const form = encoded ? formCard(action.form.name, encoded) : null;
    if (form) return { type: 'Action.ShowCard', title, card: form };
  }
  return { type: 'Action.Submit', title, data: { action: action.value } satisfies SubmitData, ...style(action) };
}

/** The inputs of a form the core opens, shown under the button that opens it; null for one Teams has no card for. */
function formCard(name: string, encoded: string): Json | null {
  if (name !== 'escalate_ticket') return null;
  return {
    type: 'AdaptiveCard',
    body: [
      {
        type: 'Input.ChoiceSet',
        id: 'priority',
        label: 'New priority',
        isRequired: true,
        errorMessage: 'Please pick the new priority.',
        choices: PRIORITIES.slice(1).map((p) => ({ title: p, value: p })),
      },
      { type: 'Input.Text', id: 'reason', label: 'Reason', isMultiline: true, maxLength: 500, isRequired: true, errorMessage: 'Please say why.' },
    ],
    actions: [{ type: 'Action.Submit', title: 'Escalate', style: 'positive', data: { form: encoded } satisfies SubmitData }],
  };
}

/** At most 6 top-level actions: beyond that, the 6th opens the rest. */
function topLevel(actions: Json[]): Json[] {
  if (actions.length <= TEAMS_LIMITS.actions) return actions;
  const shown = actions.slice(0, TEAMS_LIMITS.actions - 1);
  const rest = actions.slice(TEAMS_LIMITS.actions - 1);
  return [...shown, { type: 'Action.ShowCard', title: 'More…', card: { type: 'AdaptiveCard', body: [], actions: rest } }];
}

/** Keeps the message under Teams' size limit: table rows are cut (with a note) until it fits, then cards are dropped. */
function withinLimits(message: OutgoingActivity, reply: Reply): OutgoingActivity {
  if (size(message) <= TEAMS_LIMITS.bytes) return message;
  const cards = reply.cards ?? [];
  let keep = Math.max(...cards.map((c) => c.table?.rows.length ?? 0));
  while (keep > 0) {
    keep = Math.floor(keep / 2);
    const cut = cards.map((c) => (c.table && c.table.rows.length > keep ? { ...c, table: { ...c.table, rows: c.table.rows.slice(0, keep) }, subtitle: `${c.subtitle ? `${c.subtitle} · ` : ''}first ${keep} of ${c.table.rows.length} rows` } : c));
    const shorter = renderAdaptiveCardsUnfitted({ ...reply, cards: cut });
    if (size(shorter) <= TEAMS_LIMITS.bytes) return shorter;
  }
  return { type: 'message', text: truncate(reply.text, TEAMS_LIMITS.textChars), textFormat: 'plain' };
}

function renderAdaptiveCardsUnfitted(reply: Reply): OutgoingActivity {
  const cards: Json[] = (reply.cards ?? []).map(renderCard);
  if (reply.quickReplies?.length) cards.push(adaptiveCard([], reply.quickReplies.map(renderAction)));
  return { type: 'message', text: truncate(reply.text, TEAMS_LIMITS.textChars), textFormat: 'plain', attachments: cards.map(attachment) };
}

export function size(message: OutgoingActivity): number {
  return new TextEncoder().encode(JSON.stringify(message)).length;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
