// How a message sounds: an upset customer gets a short human acknowledgement first, and when an open outage
// or maintenance is hitting their services, hears that before anything else.
import { DateTime } from 'luxon';
import { listAccessibleAccounts } from '../../domain/accounts/index.js';
import { listMaintenanceForAccount, listOutagesForAccount } from '../../domain/outages/index.js';
import { formatDateTime, humanise } from '../format.js';
import type { Reply } from '../reply.js';
import { INTENT_PREFIX, type Turn } from './turn.js';

const UPSET_WORDS =
  /\b((second|third|fourth|fifth|\d+(st|nd|rd|th)) time|ridiculous|unacceptable|fed up|sick of|tired of|worst|useless|terrible|awful|horrible|pathetic|joke|furious|angry|frustrat\w*|disgust\w*|outrageous|still (not|no|down|broken|waiting)|nobody|no one (has )?(called|helped|answered)|for days|for hours|wtf|damn|hell|crap|shit\w*|fuck\w*|bs|incompetent|idiots?|stupid|losing (money|customers|business))\b/i;

/** Whether a message reads as upset: shouting, a pile of exclamation marks, insults, or "again / third time". */
export function isUpset(text: string): boolean {
  const letters = text.replace(/[^A-Za-z]/g, '');
  const shouting = letters.length >= 12 && letters.replace(/[^A-Z]/g, '').length / letters.length > 0.7;
  const bangs = /!{2,}|\?!|!\?/.test(text);
  const words = UPSET_WORDS.test(text);
  const trouble = /\b(down|dead|not working|doesn'?t work|broken|no (service|dial tone|internet)|cut off|dropping|failing)\b/i.test(text);
  // "again" alone is not upset ("send me the invoice again"); "down again", "again!!" are.
  const again = /\bagain\b/i.test(text) && (trouble || bangs);
  return shouting || again || (bangs && (words || trouble)) || (words && /\b(time|still|days|hours|down|not working|dead)\b/i.test(text)) || /\b(fuck\w*|shit\w*|wtf|incompetent|idiots?|pathetic|useless)\b/i.test(text);
}

export function acknowledgement(): string {
  return "I'm sorry — I can hear how frustrating this is. Let's get it sorted.";
}

interface Disruption {
  kind: 'outage' | 'maintenance';
  reference: string;
  title: string;
  status: string;
  startedAt: string;
  areas: string;
}

/** The first open outage or in-progress maintenance touching the services of an account this customer can see. */
export async function disruptionAffecting(turn: Turn): Promise<Disruption | null> {
  if (turn.actor.kind !== 'customer') return null;
  // The account in focus first, then every other active account they can see: "my phones" may be anywhere.
  const accessible = await listAccessibleAccounts(turn.ctx, turn.actor);
  if (accessible.kind !== 'ok') return null;
  const focus = turn.state.focusAccount;
  const others = accessible.value.filter((a) => a.status === 'active' && a.number !== focus).map((a) => a.number);
  const accounts = [...(focus ? [focus] : []), ...others].slice(0, 25);
  const now = turn.ctx.now().toISOString();
  for (const accountNumber of accounts) {
    const outages = await listOutagesForAccount(turn.ctx, turn.actor, { accountNumber });
    const outage = outages.kind === 'ok' ? outages.value[0] : undefined;
    if (outage) {
      return {
        kind: 'outage',
        reference: outage.reference,
        title: outage.title,
        status: outage.status,
        startedAt: outage.startedAt,
        areas: outage.areas.map((a) => a.city).join(', '),
      };
    }
    const windows = await listMaintenanceForAccount(turn.ctx, turn.actor, { accountNumber });
    const running = windows.kind === 'ok' ? windows.value.find((w) => w.startsAt <= now && now < w.endsAt) : undefined;
    if (running) {
      return { kind: 'maintenance', reference: running.reference, title: running.title, status: 'in progress', startedAt: running.startsAt, areas: running.areas.map((a) => a.city).join(', ') };
    }
  }
  return null;
}

/** What an upset customer hears first when a known disruption is behind their trouble. */
export function disruptionFirst(turn: Turn, d: Disruption): Reply {
  turn.state.lastProblem = turn.original.slice(0, 1000);
  const since = formatDateTime(d.startedAt, turn.timeZone);
  const age = DateTime.fromISO(d.startedAt).toRelative({ base: DateTime.fromJSDate(turn.ctx.now()) });
  const what = d.kind === 'outage' ? 'an outage' : 'maintenance work';
  return {
    text:
      `${acknowledgement()} There is ${what} right now affecting your services${d.areas ? ` in ${d.areas}` : ''}: ${d.title} (${d.status}, since ${since}${age ? `, ${age}` : ''}). ` +
      'Our network team is on it. I can open a ticket linked to it so you hear as soon as it is fixed, or put you through to a person.',
    cards: [
      {
        title: d.title,
        subtitle: d.reference,
        fields: [
          { label: 'Status', value: humanise(d.status) },
          { label: 'Since', value: since },
          ...(d.areas ? [{ label: 'Areas', value: d.areas }] : []),
        ],
      },
    ],
    quickReplies: [
      { label: 'Open a linked ticket', value: `${INTENT_PREFIX}ticket_create:${d.reference}`, style: 'primary' },
      { label: 'Talk to a person', value: `${INTENT_PREFIX}human_agent` },
      { label: 'Outage details', value: `${INTENT_PREFIX}outages` },
    ],
  };
}
