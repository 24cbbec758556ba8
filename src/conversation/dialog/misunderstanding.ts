// When the bot is not sure what was meant: ask which of its top guesses, and after two misses in a row offer a person.
import type { Reply } from '../reply.js';
import { DIALOG_CONTROLS } from './answers.js';
import { HANDLERS } from './router.js';
import { INTENT_PREFIX, type Turn } from './turn.js';

const GUESS_LABELS: Record<string, string> = {
  balance: 'My balance',
  invoice: 'An invoice',
  invoice_history: 'Past invoices',
  make_payment: 'Make a payment',
  payment_history: 'Payment history',
  tickets: 'My tickets',
  ticket_create: 'Report a problem',
  ticket_escalate: 'Escalate a ticket',
  outages: 'Outages',
  report: 'A report',
  services: 'My services',
  human_agent: 'Talk to a person',
};

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function clarify(turn: Turn): Reply {
  const guesses = turn.understanding.ranking
    .filter((r) => HANDLERS[r.intent] && !DIALOG_CONTROLS.has(r.intent) && r.intent !== 'out_of_scope')
    .slice(0, 3);
  turn.state.misunderstandings += 1;
  if (turn.state.misunderstandings >= 2) return offerHuman();
  return {
    text: 'I want to be sure I get this right. Did you mean one of these?',
    quickReplies: guesses.map((g) => ({ label: GUESS_LABELS[g.intent] ?? capitalise(g.intent.replace(/_/g, ' ')), value: `${INTENT_PREFIX}${g.intent}` })),
  };
}

export function misunderstood(turn: Turn, question?: string): Promise<Reply> | Reply {
  turn.state.misunderstandings += 1;
  if (turn.state.misunderstandings >= 2) return offerHuman();
  if (question) return { text: `Sorry, I didn't get that. ${question}` };
  return HANDLERS.out_of_scope?.(turn, {}) ?? { text: "Sorry, I can't help with that." };
}

export function offerHuman(): Reply {
  return {
    text: "Sorry, I'm not getting this right. I can help with balances, invoices, payments, tickets, outages, services and reports, in English or French — or would you like to talk to a person?",
    quickReplies: [
      { label: 'Talk to a person', value: `${INTENT_PREFIX}human_agent`, style: 'primary' },
      { label: 'Show what you can do', value: `${INTENT_PREFIX}help` },
    ],
  };
}
