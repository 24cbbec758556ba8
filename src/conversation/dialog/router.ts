// Which handler answers each intent, and which executor carries out each confirmed write.
import type { Reply } from '../reply.js';
import { accountHierarchy, accountSelect, accountSummary, contacts, executeContact, executeUsers, users } from './handlers/accounts.js';
import { balance, billingAddress, executeBillingAddress, executePaperless, invoice, invoiceHistory, paperless, taxExemptions } from './handlers/billing.js';
import { maintenance, outages } from './handlers/outages.js';
import { autopay, executeAutopay, executePayment, makePayment, paymentHistory, paymentMethods, pendingPayments } from './handlers/payments.js';
import { executeReportSchedule, report } from './handlers/reports.js';
import { accountCodes, didNumbers, e911, executeE911, executeTollFree, huntGroups, orders, services, tollFree } from './handlers/services.js';
import { goodbye, greeting, help, humanAgent, outOfScope, thanks, userGuides } from './handlers/small-talk.js';
import { careCases, executeTicketCreate, executeTicketEscalate, ticketCreate, ticketEscalate, tickets } from './handlers/tickets.js';
import type { Slots } from './state.js';
import type { Handler, Turn } from './turn.js';

export const HANDLERS: Record<string, Handler> = {
  greeting,
  thanks,
  goodbye,
  help,
  balance,
  invoice,
  invoice_history: invoiceHistory,
  make_payment: makePayment,
  payment_history: paymentHistory,
  pending_payments: pendingPayments,
  payment_methods: paymentMethods,
  autopay,
  tickets,
  ticket_create: ticketCreate,
  ticket_escalate: ticketEscalate,
  care_cases: careCases,
  outages,
  maintenance,
  report,
  services,
  did_numbers: didNumbers,
  hunt_groups: huntGroups,
  account_codes: accountCodes,
  toll_free: tollFree,
  e911,
  orders,
  account_summary: accountSummary,
  account_hierarchy: accountHierarchy,
  account_select: accountSelect,
  contacts,
  billing_address: billingAddress,
  paperless,
  tax_exemptions: taxExemptions,
  users,
  user_guides: userGuides,
  human_agent: humanAgent,
  out_of_scope: outOfScope,
};
// Button values name intents ("intent:…"): no inherited key (__proto__, constructor, toString) passes for a handler.
Object.setPrototypeOf(HANDLERS, null);

/** Carries out a confirmed write; `key` is the confirmation's idempotency key. */
export type Executor = (turn: Turn, params: Slots, key: string) => Promise<Reply>;

export const EXECUTORS: Record<string, Executor> = {
  make_payment: executePayment,
  autopay: executeAutopay,
  ticket_create: executeTicketCreate,
  ticket_escalate: executeTicketEscalate,
  billing_address: executeBillingAddress,
  paperless: executePaperless,
  toll_free: executeTollFree,
  e911: executeE911,
  contacts: executeContact,
  users: executeUsers,
  report: executeReportSchedule,
};

/** Words for "what we were doing", to offer going back after a change of topic. */
export const INTENT_LABELS: Record<string, string> = {
  make_payment: 'the payment',
  autopay: 'autopay',
  ticket_create: 'the new ticket',
  ticket_escalate: 'the escalation',
  billing_address: 'the billing address',
  paperless: 'paperless billing',
  toll_free: 'the ring-to change',
  e911: 'the 911 address',
  contacts: 'the new contact',
  users: 'the portal user',
  report: 'the report',
  account_select: 'choosing an account',
};

/** What a button payload `intent:<id>:<arg>` means for the handler's slots. */
export function slotsFromIntentArgument(intent: string, argument: string | undefined): Slots {
  if (!argument) return {};
  switch (intent) {
    case 'tickets':
    case 'ticket_escalate':
      return { ticket: argument };
    case 'paperless':
    case 'autopay':
      return { on: argument === 'on' };
    case 'contacts':
      return { adding: argument === 'add' };
    case 'ticket_create':
      return { outage: argument };
    case 'invoice':
      return /^\d{4}-\d{2}$/.test(argument) ? { month: argument } : {};
    default:
      return {};
  }
}
