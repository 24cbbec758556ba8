// Outages and maintenance: public to anyone; for a signed-in customer, the ones touching their services first.
import { listMaintenanceForAccount, listOutagesForAccount, listPublicMaintenance, listPublicOutages, type MaintenanceView, type OutageView } from '../../../domain/outages/index.js';
import { formatDateTime, humanise } from '../../format.js';
import type { Reply } from '../../reply.js';
import type { Slots } from '../state.js';
import { firstEntity, type Turn } from '../turn.js';

const areasOf = (o: { areas: { city: string; region: string }[] }) => o.areas.map((a) => `${a.city}, ${a.region}`).join('; ');
const typesOf = (o: { serviceTypes: string[] }) => (o.serviceTypes.length ? o.serviceTypes.map(humanise).join(', ') : 'All services');

function outageReply(turn: Turn, outages: OutageView[], where: string): Reply {
  if (outages.length === 0) return { text: `There are no current outages${where}.` };
  return {
    text: `${outages.length} current outage${outages.length === 1 ? '' : 's'}${where}: ${outages.map((o) => `${o.title} (${o.status})`).join('; ')}.`,
    cards: outages.slice(0, 8).map((o) => ({
      title: o.title,
      subtitle: o.reference,
      fields: [
        { label: 'Status', value: humanise(o.status) },
        { label: 'Since', value: formatDateTime(o.startedAt, turn.timeZone) },
        { label: 'Areas', value: areasOf(o) },
        { label: 'Services', value: typesOf(o) },
        { label: 'Details', value: o.description },
      ],
    })),
  };
}

function maintenanceReply(turn: Turn, windows: MaintenanceView[], where: string): Reply {
  if (windows.length === 0) return { text: `No maintenance is scheduled${where}.` };
  return {
    text: `${windows.length} maintenance window${windows.length === 1 ? '' : 's'}${where}: ${windows.map((w) => `${w.title}, ${formatDateTime(w.startsAt, turn.timeZone)}`).join('; ')}.`,
    cards: [
      {
        title: `Scheduled maintenance${where}`,
        table: {
          columns: ['Window', 'Starts', 'Ends', 'Areas', 'Services'],
          rows: windows.slice(0, 15).map((w) => [w.title, formatDateTime(w.startsAt, turn.timeZone), formatDateTime(w.endsAt, turn.timeZone), areasOf(w), typesOf(w)]),
        },
      },
    ],
  };
}

/** Which account's footprint to check: one named or in focus; anonymous visitors and staff get the public list. */
function accountForImpact(turn: Turn, slots: Slots): string | undefined {
  if (turn.actor.kind === 'anonymous') return undefined;
  const named = firstEntity(turn, 'account');
  if (named && named.score > 0.6) return named.value;
  if (typeof slots.account === 'string') return slots.account;
  return turn.actor.kind === 'staff' ? undefined : turn.state.focusAccount;
}

export async function outages(turn: Turn, slots: Slots): Promise<Reply> {
  const city = firstEntity(turn, 'city')?.value;
  const serviceType = firstEntity(turn, 'service_type')?.value;
  turn.state.last = { intent: 'outages', slots: {} };
  const account = city ? undefined : accountForImpact(turn, slots);
  if (account) {
    const mine = await listOutagesForAccount(turn.ctx, turn.actor, { accountNumber: account });
    if (mine.kind === 'ok') return outageReply(turn, mine.value, ` affecting account ${account}`);
  }
  const all = await listPublicOutages(turn.ctx, turn.actor, { city, serviceType });
  return outageReply(turn, all.value, city ? ` in ${city}` : serviceType ? ` for ${humanise(serviceType).toLowerCase()}` : '');
}

export async function maintenance(turn: Turn, slots: Slots): Promise<Reply> {
  const city = firstEntity(turn, 'city')?.value;
  const serviceType = firstEntity(turn, 'service_type')?.value;
  turn.state.last = { intent: 'maintenance', slots: {} };
  const account = city ? undefined : accountForImpact(turn, slots);
  if (account) {
    const mine = await listMaintenanceForAccount(turn.ctx, turn.actor, { accountNumber: account });
    if (mine.kind === 'ok') return maintenanceReply(turn, mine.value, ` affecting account ${account}`);
  }
  const all = await listPublicMaintenance(turn.ctx, turn.actor, { city, serviceType });
  return maintenanceReply(turn, all.value, city ? ` in ${city}` : '');
}
