// The dialog state kept per conversation in the database (conversations.state, as JSON).

export type SlotValue = string | number | boolean | null | Record<string, unknown>;
export type Slots = Record<string, SlotValue>;

/** The bot asked for a missing detail and is waiting for it. */
export interface PendingQuestion {
  intent: string;
  slots: Slots;
  /** The slot the question asked for. */
  awaiting: string;
  question: string;
  /** The buttons the question offered, shown again when an answer does not fit. */
  options?: { label: string; value: string }[];
  /** The button a plain "yes" means, for a yes/no question ("Pay the balance instead?"). */
  yes?: string;
  /** Set aside by an interruption and offered again once; dropped if the person moves on. */
  offered?: boolean;
  /** Answers in a row that did not fit; at two, starting over or a person is offered. */
  misses?: number;
}

/** A write the bot summarised and is waiting for the person to confirm. */
export interface PendingConfirmation {
  /** Random id carried by the Confirm button; also the write's idempotency key. */
  id: string;
  intent: string;
  params: Slots;
  summary: string;
}

export interface DialogState {
  /** The account in focus: carried from question to question until changed. */
  focusAccount?: string;
  pending?: PendingQuestion;
  confirmation?: PendingConfirmation;
  /** A confirmation being carried out; cleared when its reply is stored, so a retry after a crash finds it. */
  claimed?: PendingConfirmation;
  /** The last confirmations carried out, with what was answered, for a Confirm pressed again. */
  /** Confirmations carried out lately: what was said, and when (UTC ISO-8601). */
  done?: { id: string; outcome: string; at?: string }[];
  /** A question set aside when the person switched topic, offered again afterwards. */
  suspended?: PendingQuestion;
  /** The last answered request, for follow-ups ("and last month?", "as CSV"). */
  last?: { intent: string; slots: Slots };
  /** The last ticket talked about, for "escalate it". */
  lastTicket?: string;
  /** The tickets of the last list shown, in order, for "the one before". */
  lastTickets?: string[];
  /** Accounts talked about, most recent first, for "the other account". */
  recentAccounts?: string[];
  /** A question asked before signing in, answered right after sign-in. */
  afterSignIn?: string;
  /** What an upset customer said about a problem, for a ticket opened from the reply. */
  lastProblem?: string;
  /** Misunderstandings in a row; at two, a human is offered. */
  misunderstandings: number;
}

export function parseState(json: string | null | undefined): DialogState {
  if (!json) return { misunderstandings: 0 };
  try {
    const parsed = JSON.parse(json) as DialogState;
    return { ...parsed, misunderstandings: parsed.misunderstandings ?? 0 };
  } catch {
    return { misunderstandings: 0 };
  }
}
