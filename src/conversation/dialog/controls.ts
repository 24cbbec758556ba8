// The dialog's own moves: resume a question set aside, start over, cancel, offer the interrupted question
// again ("Back to the new contact?"), and the answer to a button whose question is closed.
import type { Reply, ReplyAction } from '../reply.js';
import { INTENT_LABELS } from './router.js';
import type { Turn } from './turn.js';

export function resume(turn: Turn): Reply {
  const { state } = turn;
  if (!state.suspended) return staleButton();
  state.pending = { ...state.suspended, offered: undefined };
  state.suspended = undefined;
  return { text: state.pending.question, quickReplies: state.pending.options };
}

export function restart(turn: Turn): Reply {
  const { state } = turn;
  const focus = state.focusAccount;
  Object.assign(state, {
    pending: undefined,
    suspended: undefined,
    confirmation: undefined,
    last: undefined,
    lastTicket: undefined,
    lastTickets: undefined,
    lastProblem: undefined,
    afterSignIn: undefined,
    recentAccounts: focus ? [focus] : undefined,
    misunderstandings: 0,
    focusAccount: focus,
  });
  return { text: "Let's start over. What can I help you with?" };
}

export function cancel(turn: Turn): Reply {
  const had = turn.state.confirmation ?? turn.state.pending;
  turn.state.confirmation = undefined;
  turn.state.pending = undefined;
  if (had && turn.state.suspended) return offerBack(turn, { text: 'Cancelled — nothing was changed.' });
  turn.state.suspended = undefined;
  return { text: had ? 'Cancelled — nothing was changed. What else can I help you with?' : 'Okay. What else can I help you with?' };
}

/** After an interruption is dealt with, the question it interrupted is offered again ("Back to the new contact?"). */
export function offerBack(turn: Turn, reply: Reply): Reply {
  const { state } = turn;
  if (!state.suspended || state.pending || state.confirmation) return reply;
  if (state.suspended.offered) {
    // Offered once already and not taken up: the person has moved on.
    state.suspended = undefined;
    return reply;
  }
  state.suspended.offered = true;
  const label = INTENT_LABELS[state.suspended.intent] ?? 'what we were doing';
  const back: ReplyAction = { label: `Back to ${label}`, value: 'resume' };
  return { ...reply, text: `${reply.text}\n\nBack to ${label}?`, quickReplies: [...(reply.quickReplies ?? []), back] };
}

export function staleButton(): Reply {
  return { text: "That button is from an earlier question that's already closed. What would you like to do?" };
}
