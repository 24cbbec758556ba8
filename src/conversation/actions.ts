// The reply's actions (send a value, open a form, open a link, sign in) and the one codec a channel uses to
// carry a form action in a button value and read it back, so no channel parses the core's values itself.
import type { ReplyAction, ReplyForm } from './reply.js';

/** The longest encoded form: Slack keeps at most 2,000 characters in a button value. */
export const MAX_ENCODED_FORM_LENGTH = 2000;

/** The forms the core opens: each one's fields, in the order they are encoded, and what each must look like. */
export const FORMS = {
  escalate_ticket: { ticket: /^TT-\d{6,}$/ },
} as const satisfies Record<string, Record<string, RegExp>>;

export type FormName = keyof typeof FORMS;

type Style = { readonly style?: 'primary' | 'danger' };

/** A button that sends `value` back into the conversation. */
export function replyAction(label: string, value: string, options: Style = {}): ReplyAction {
  return { label, value, ...options };
}

/** A button that opens a form; `value` is what a channel without forms sends back instead. */
export function formAction(label: string, value: string, form: ReplyForm, options: Style = {}): ReplyAction {
  return { kind: 'form', label, value, form, ...options };
}

/** A button that opens a web page; `value` is what a channel without links sends back instead. */
export function linkAction(label: string, url: string, value: string, options: Style = {}): ReplyAction {
  return { kind: 'link', label, value, url, ...options };
}

/** A button that asks the person to sign in; `value` is what a channel without its own sign-in sends back. */
export function signInAction(label: string, value: string, options: Style = {}): ReplyAction {
  return { kind: 'sign_in', label, value, ...options };
}

/** The escalation form (new priority and reason) for one ticket. */
export function escalateTicketForm(ticket: string): ReplyForm {
  return { name: 'escalate_ticket', values: { ticket } };
}

function isFormName(name: string): name is FormName {
  return Object.hasOwn(FORMS, name);
}

/** The form's values in its fields' order, each percent-encoded, joined by '/'; null when they do not fit the form. */
function encodeValues(form: ReplyForm): string | null {
  if (!isFormName(form.name)) return null;
  const fields: Record<string, RegExp> = FORMS[form.name];
  const names = Object.keys(fields);
  const given = Object.keys(form.values);
  if (given.length !== names.length || !given.every((n) => Object.hasOwn(fields, n))) return null;
  const parts: string[] = [];
  for (const name of names) {
    const value = form.values[name];
    if (typeof value !== 'string' || !fields[name]?.test(value)) return null;
    parts.push(encodeURIComponent(value));
  }
  return parts.join('/');
}

function decodeValues(name: string, text: string): ReplyForm | null {
  if (!isFormName(name)) return null;
  const parts = text.split('/');
  const names = Object.keys(FORMS[name]);
  if (parts.length !== names.length) return null;
  const values: Record<string, string> = {};
  try {
    names.forEach((field, i) => {
      values[field] = decodeURIComponent(parts[i] ?? '');
    });
  } catch {
    return null; // a broken percent-escape
  }
  const form = { name, values };
  // One form, one string: anything else (an altered escape, a bad field) is not something the core wrote.
  return encodeValues(form) === text ? form : null;
}

/** A form as `name/value/…`, or null when it is not a form the core knows, its values do not fit it, or it is too long. */
export function encodeForm(form: ReplyForm): string | null {
  const values = encodeValues(form);
  if (values === null) return null;
  const text = `${form.name}/${values}`;
  return text.length <= MAX_ENCODED_FORM_LENGTH ? text : null;
}

/** The form an encodeForm string stands for, or null for anything encodeForm would not have written. */
export function decodeForm(text: unknown): ReplyForm | null {
  if (typeof text !== 'string' || text.length > MAX_ENCODED_FORM_LENGTH) return null;
  const slash = text.indexOf('/');
  if (slash <= 0) return null;
  return decodeValues(text.slice(0, slash), text.slice(slash + 1));
}

/**
 * Only the form's values, for a channel that carries the form's name on its own (Slack's action id): for
 * escalate_ticket that is the ticket number alone. Null as for encodeForm.
 */
export function encodeFormValues(form: ReplyForm): string | null {
  const values = encodeValues(form);
  return values !== null && values.length <= MAX_ENCODED_FORM_LENGTH ? values : null;
}

/** The form `name` with the values an encodeFormValues string holds, or null for anything it would not have written. */
export function decodeFormValues(name: string, text: unknown): ReplyForm | null {
  if (typeof text !== 'string' || text.length > MAX_ENCODED_FORM_LENGTH) return null;
  return decodeValues(name, text);
}
