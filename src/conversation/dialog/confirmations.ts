// Confirmed writes: the write waiting for a confirmation is claimed before it runs, carried out with one
// idempotency key however often Confirm is pressed, and remembered so a repeat hears what happened.
import { saveState } from '../conversation-store.js';
import { formatDateTime } from '../format.js';
import type { Reply } from '../reply.js';
import { offerBack } from './controls.js';
import { EXECUTORS } from './router.js';
import type { Turn } from './turn.js';

/**
 * Writes that may safely be carried out again with the same confirmation after a crash: idempotent by their
 * key (payments, tickets, escalations) or setting a value that is the same the second time.
 */
const REPEATABLE = new Set(['make_payment', 'ticket_create', 'ticket_escalate', 'paperless', 'autopay', 'billing_address', 'e911', 'toll_free']);

/** The write waiting for this confirmation id is claimed (so it runs once), then carried out. */
export async function confirmWrite(turn: Turn, id: string, version: { value: number }): Promise<Reply> {
  const { state } = turn;
  let confirmation = state.confirmation;
  if (confirmation?.id === id) {
    state.confirmation = undefined;
    // Claimed before acting: a second "confirm" racing this one finds the confirmation gone. The claim is
    // kept until the reply is stored, so if the process dies in between, pressing Confirm again finds it.
    state.claimed = confirmation;
    if (!(await saveState(turn.ctx.db, turn.conversationId, state, version))) {
      return { text: 'That request was already handled.' };
    }
  } else if (state.claimed?.id === id) {
    // Claimed in a turn that never finished (a crash between the write and the reply).
    confirmation = state.claimed;
    if (!REPEATABLE.has(confirmation.intent)) {
      state.claimed = undefined;
      return {
        text: `I couldn't confirm whether this went through: ${confirmation.summary.replace(/\?$/, '')}. Please check before asking again, so it isn't done twice.`,
      };
    }
  } else {
    const done = state.done?.find((d) => d.id === id);
    if (done) return { text: `That was already done: ${done.outcome}${done.at ? ` (Done ${formatDateTime(done.at, turn.timeZone)}.)` : ''}` };
    return { text: 'That confirmation is no longer open, so nothing was done. What would you like to do?' };
  }
  const execute = EXECUTORS[confirmation.intent];
  if (!execute) return { text: 'Sorry, I can no longer do that. Nothing was changed.' };
  // The same key every time: a write that already happened is reported, not repeated.
  // Any channel's conversation id may be long or hold characters a key may not: a digest of it stands in.
  const reply = await execute(turn, confirmation.params, `conv.${await digestOf(turn.conversationId)}.${confirmation.id}`.slice(0, 128));
  state.claimed = undefined;
  // Remembered, so a Confirm pressed again (a retry after a lost reply) hears what happened.
  state.done = [{ id: confirmation.id, outcome: reply.text.slice(0, 300), at: turn.ctx.now().toISOString() }, ...(state.done ?? [])].slice(0, 5);
  return offerBack(turn, reply);
}

/** The first 128 bits of SHA-256 of a text, as hex (Web Crypto, so the core runs anywhere). */
async function digestOf(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}
