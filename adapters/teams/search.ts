// The message extension's search command: tickets and accounts the person may see, matching what they typed,
// each inserted into the conversation as a card. Unlinked people are told to link their account.
import { searchAccounts } from '../../src/domain/accounts/index.js';
import type { Actor } from '../../src/domain/actor.js';
import type { DomainContext } from '../../src/domain/context.js';
import { listTickets } from '../../src/domain/tickets/index.js';
import { adaptiveCard, factSet, truncate } from './adaptive-cards.js';
import { SIGN_IN_FIRST } from './submit.js';

export const SEARCH_COMMAND = 'searchTicketsAndAccounts';
const MAX_RESULTS = 10;

type Json = Record<string, unknown>;

/** The invoke response body for composeExtension/query. */
export async function searchForExtension(ctx: DomainContext, actor: Actor, value: unknown): Promise<Json> {
  const v = value as { commandId?: unknown; parameters?: { name?: unknown; value?: unknown }[] } | undefined;
  if (v?.commandId !== SEARCH_COMMAND) return { composeExtension: { type: 'message', text: 'I do not know that command.' } };
  if (actor.kind === 'anonymous') return { composeExtension: { type: 'message', text: SIGN_IN_FIRST } };
  const raw = v.parameters?.find((p) => p.name === 'query')?.value;
  const query = typeof raw === 'string' ? raw.trim().toLowerCase().slice(0, 60) : '';
  const attachments: Json[] = [];
  const tickets = await listTickets(ctx, actor, { openOnly: !query, limit: 50 });
  if (tickets.kind === 'ok') {
    for (const t of tickets.value.filter((t) => !query || t.number.toLowerCase().includes(query) || t.title.toLowerCase().includes(query)).slice(0, MAX_RESULTS)) {
      attachments.push(
        result(
          adaptiveCard([
            { type: 'TextBlock', text: truncate(`${t.number} · ${t.title}`, 200), weight: 'Bolder', size: 'Medium', wrap: true },
            factSet([
              { label: 'Account', value: t.accountNumber },
              { label: 'Priority', value: t.priority },
              { label: 'Status', value: t.status.replace(/_/g, ' ') },
            ]),
          ]),
          `${t.number} · ${t.title}`,
          `${t.status.replace(/_/g, ' ')}, ${t.priority} priority, account ${t.accountNumber}`,
        ),
      );
    }
  }
  if (query) {
    const accounts = await searchAccounts(ctx, actor, { query, limit: MAX_RESULTS });
    if (accounts.kind === 'ok') {
      for (const a of accounts.value.slice(0, MAX_RESULTS - Math.min(attachments.length, MAX_RESULTS - 3))) {
        attachments.push(
          result(
            adaptiveCard([
              { type: 'TextBlock', text: truncate(a.name, 200), weight: 'Bolder', size: 'Medium', wrap: true },
              factSet([
                { label: 'Account', value: a.number },
                { label: 'Status', value: a.status },
              ]),
            ]),
            `${a.number} · ${a.name}`,
            `account, ${a.status}`,
          ),
        );
      }
    }
  }
  return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments } };
}

function result(card: Json, title: string, text: string): Json {
  return {
    contentType: 'application/vnd.microsoft.card.adaptive',
    content: card,
    preview: { contentType: 'application/vnd.microsoft.card.thumbnail', content: { title: truncate(title, 100), text: truncate(text, 200) } },
  };
}
