// Greetings, help, user guides, handing over to a person, and what the assistant says when it can't help.
import { requestHandoff } from '../../../domain/handoff/request.js';
import type { Reply, ReplyAction } from '../../reply.js';
import type { Slots } from '../state.js';
import { INTENT_PREFIX, type Turn } from '../turn.js';

/** The questions most people come with, offered wherever the assistant says what it can do. */
export const STARTERS: readonly ReplyAction[] = [
  { label: 'My balance', value: `${INTENT_PREFIX}balance` },
  { label: 'Open tickets', value: `${INTENT_PREFIX}tickets` },
  { label: 'Outages', value: `${INTENT_PREFIX}outages` },
  { label: 'Reports', value: `${INTENT_PREFIX}report` },
];

export async function greeting(turn: Turn): Promise<Reply> {
  const who = turn.actor.kind === 'anonymous' ? '' : turn.actor.kind === 'customer' ? '' : ' (staff)';
  return { text: `Hello${who}! I can help with your balance, invoices, payments, tickets, outages, services and reports. What can I do for you?`, quickReplies: STARTERS };
}

export async function thanks(): Promise<Reply> {
  return { text: "You're welcome! Anything else I can help with?" };
}

export async function goodbye(): Promise<Reply> {
  return { text: 'Goodbye, and thanks for choosing us.' };
}

export async function help(turn: Turn): Promise<Reply> {
  const signedIn = turn.actor.kind !== 'anonymous';
  return {
    text: signedIn
      ? 'I can check balances and invoices, take payments and set up autopay, open, track and escalate trouble tickets, tell you about outages and maintenance, show your services, numbers and 911 addresses, update contacts and addresses, and run usage and billing reports as PDF or CSV. Just ask in your own words, for example "what do I owe?" or "escalate TT-104233".'
      : 'I can tell you about outages and scheduled maintenance and point you to user guides. To ask about an account, please sign in with your account number and PIN.',
    cards: [
      {
        title: 'Things to try',
        fields: [
          { label: 'Billing', value: '"What’s my balance?", "Send me October’s invoice", "Pay $200 from my Visa"' },
          { label: 'Support', value: '"My internet is down", "Status of TT-104233", "Escalate it"' },
          { label: 'Network', value: '"Any outages in Toronto?", "Upcoming maintenance"' },
          { label: 'Reports', value: '"Long distance summary for last month as PDF", "Top 10 calls by cost this quarter"' },
        ],
      },
    ],
    quickReplies: STARTERS,
  };
}

const GUIDES = [
  ['Getting started with the customer portal', '/guides/portal-getting-started'],
  ['Reading your invoice', '/guides/reading-your-invoice'],
  ['Setting up autopay', '/guides/autopay'],
  ['Hunt groups and call forwarding', '/guides/hunt-groups'],
  ['Updating 911 addresses', '/guides/e911'],
  ['Usage and billing reports', '/guides/reports'],
] as const;

export async function userGuides(): Promise<Reply> {
  return {
    text: `Here are our user guides: ${GUIDES.map(([title]) => title).join('; ')}.`,
    cards: [{ title: 'User guides', table: { columns: ['Guide', 'Link'], rows: GUIDES.map(([title, path]) => [title, path]) } }],
  };
}

export async function outOfScope(turn: Turn): Promise<Reply> {
  const offerHuman = turn.state.misunderstandings >= 2;
  return {
    text: offerHuman
      ? "Sorry, I'm still not getting it. Would you like to talk to a person?"
      : "Sorry, that's not something I can help with. I can help with billing, payments, tickets, outages, services and reports, in English or French.",
    quickReplies: offerHuman ? [{ label: 'Talk to a person', value: `${INTENT_PREFIX}human_agent`, style: 'primary' }, ...STARTERS.slice(0, 2)] : STARTERS,
  };
}

export async function humanAgent(turn: Turn, _slots: Slots): Promise<Reply> {
  const outcome = await requestHandoff(turn.ctx, turn.actor, {
    conversationId: turn.conversationId,
    reason: turn.original,
    ...(turn.client ? { client: turn.client } : {}),
    ...(turn.services.handoffLimits
      ? { limits: { perConversationPerHour: turn.services.handoffLimits.perConversationPerHour, anonymousPerClientPerHour: turn.services.handoffLimits.anonymousPerClientPerHour } }
      : {}),
  });
  if (outcome.kind === 'staff') return { text: 'You are staff: I can’t hand you to a support agent, but the care team channel can help.' };
  turn.state.misunderstandings = 0;
  if (outcome.kind === 'limited') {
    const minutes = Math.max(1, Math.ceil(outcome.retryAfterSeconds / 60));
    const signIn = turn.actor.kind === 'anonymous' ? ' Signing in to the portal first also helps: the agent then sees your account.' : '';
    return {
      text: `I can't queue another request for a person right now: too many have come from here in the last hour. Please try again in about ${minutes} minute${minutes === 1 ? '' : 's'}.${signIn} In the meantime I can still help with billing, tickets, outages and reports.`,
      quickReplies: STARTERS,
    };
  }
  if (outcome.kind === 'already_queued') {
    return { text: "You're already in line for a support agent; they'll see what we've discussed so far. Please stay here.", handoff: { status: 'waiting' } };
  }
  return { text: "I've asked a support agent to join this conversation. They'll see what we've discussed so far; please stay here.", handoff: { status: 'waiting' } };
}
