// Services: what an account has, voice configuration (DIDs, hunt groups, account codes, toll-free
// ring-to, 911 addresses) and orders. Ring-to and 911 changes are confirmed first.
import {
  changeRingTo,
  getServiceDetails,
  listAccountCodes,
  listDidNumbers,
  listE911Locations,
  listHuntGroups,
  listOpenOrders,
  listServices,
  listTollFreeNumbers,
  updateE911Location,
} from '../../../domain/services/index.js';
import { isTollFreeNumber, type PostalAddress } from '../../../domain/validation.js';
import { formatDate, formatMoney, formatPhone, humanise } from '../../format.js';
import type { Reply } from '../../reply.js';
import type { Slots } from '../state.js';
import { accountFromPhone, ask, confirm, entitiesOf, firstEntity, refuse, refusedBeforeAsking, SLOT_PREFIX, type Turn, withAccount } from '../turn.js';

export async function services(turn: Turn, slots: Slots): Promise<Reply> {
  const phone = firstEntity(turn, 'phone')?.value;
  const type = firstEntity(turn, 'service_type')?.value;
  slots = { ...slots };
  await accountFromPhone(turn, slots, phone);
  return withAccount(turn, 'services', slots, async (accountNumber) => {
    if (phone) {
      const detail = await getServiceDetails(turn.ctx, turn.actor, { accountNumber, service: phone });
      if (detail.kind === 'ok') {
        const s = detail.value;
        return {
          text: `${s.name} (${s.identifier}) is ${s.status}, ${formatMoney(s.monthlyCents)} a month, with ${s.features.length} feature${s.features.length === 1 ? '' : 's'}.`,
          cards: [
            {
              title: `${s.name} · ${s.identifier}`,
              subtitle: s.location ?? undefined,
              fields: [
                { label: 'Type', value: humanise(s.type) },
                { label: 'Status', value: humanise(s.status) },
                { label: 'Monthly', value: formatMoney(s.monthlyCents) },
                { label: 'Since', value: formatDate(s.startedAt) },
              ],
              table: s.features.length ? { columns: ['Feature', 'Monthly'], rows: s.features.map((f) => [f.name, formatMoney(f.monthlyCents)]) } : undefined,
            },
          ],
        };
      }
    }
    const result = await listServices(turn.ctx, turn.actor, { accountNumber, type });
    if (result.kind !== 'ok') return refuse(turn, result);
    if (result.value.length === 0) return { text: `Account ${accountNumber} has no ${type ? humanise(type).toLowerCase() : ''} services.` };
    return {
      text: `Account ${accountNumber} has ${result.value.length} service${result.value.length === 1 ? '' : 's'}.`,
      cards: [
        {
          title: `Services · ${accountNumber}`,
          table: {
            columns: ['Service', 'Type', 'Number / circuit', 'Status', 'Location'],
            rows: result.value.map((s) => [s.name, humanise(s.type), s.identifier, humanise(s.status), s.location ?? '—']),
          },
        },
      ],
    };
  });
}

export async function didNumbers(turn: Turn, slots: Slots): Promise<Reply> {
  return withAccount(turn, 'did_numbers', slots, async (accountNumber) => {
    const result = await listDidNumbers(turn.ctx, turn.actor, { accountNumber });
    if (result.kind !== 'ok') return refuse(turn, result);
    if (result.value.length === 0) return { text: `Account ${accountNumber} has no DID numbers.` };
    return {
      text: `Account ${accountNumber} has ${result.value.length} DID number${result.value.length === 1 ? '' : 's'}.`,
      cards: [{ title: `DID numbers · ${accountNumber}`, table: { columns: ['Number', 'Status', 'Service'], rows: result.value.map((d) => [formatPhone(d.number), humanise(d.status), d.service]) } }],
    };
  });
}

export async function huntGroups(turn: Turn, slots: Slots): Promise<Reply> {
  return withAccount(turn, 'hunt_groups', slots, async (accountNumber) => {
    const result = await listHuntGroups(turn.ctx, turn.actor, { accountNumber });
    if (result.kind !== 'ok') return refuse(turn, result);
    if (result.value.length === 0) return { text: `Account ${accountNumber} has no hunt groups.` };
    return {
      text: `Account ${accountNumber} has ${result.value.length} hunt group${result.value.length === 1 ? '' : 's'}.`,
      cards: result.value.slice(0, 10).map((g) => ({
        title: `${g.name} · ${formatPhone(g.pilotNumber)}`,
        fields: [
          { label: 'Strategy', value: humanise(g.strategy) },
          { label: 'Members', value: g.members.map(formatPhone).join(', ') || 'none' },
        ],
      })),
    };
  });
}

export async function accountCodes(turn: Turn, slots: Slots): Promise<Reply> {
  return withAccount(turn, 'account_codes', slots, async (accountNumber) => {
    const result = await listAccountCodes(turn.ctx, turn.actor, { accountNumber });
    if (result.kind !== 'ok') return refuse(turn, result);
    if (result.value.length === 0) return { text: `Account ${accountNumber} has no account codes.` };
    return {
      text: `Account ${accountNumber} has ${result.value.length} account code${result.value.length === 1 ? '' : 's'}.`,
      cards: [{ title: `Account codes · ${accountNumber}`, table: { columns: ['Code', 'Description', 'Active'], rows: result.value.map((c) => [c.code, c.description, c.active ? 'Yes' : 'No']) } }],
    };
  });
}

/** Lists toll-free numbers; with a toll-free number and another number in the message, offers the ring-to change. */
export async function tollFree(turn: Turn, slots: Slots): Promise<Reply> {
  const phones = entitiesOf(turn, 'phone').map((p) => p.value);
  const merged: Slots = { ...slots };
  merged.tollFree ??= phones.find(isTollFreeNumber) ?? null;
  merged.ringTo ??= phones.find((p) => !isTollFreeNumber(p)) ?? null;
  const wantsChange = /\b(change|update|point|forward|redirect|set|ring to|ring-to|modifier)\b/i.test(turn.text) || typeof slots.ringTo === 'string';
  if (wantsChange) {
    const refused = await refusedBeforeAsking(turn, 'services.write');
    if (refused) return refused;
  }
  return withAccount(turn, 'toll_free', merged, async (accountNumber) => {
    const numbers = await listTollFreeNumbers(turn.ctx, turn.actor, { accountNumber });
    if (numbers.kind !== 'ok') return refuse(turn, numbers);
    if (numbers.value.length === 0) return { text: `Account ${accountNumber} has no toll-free numbers.` };
    if (!wantsChange) {
      return {
        text: numbers.value.map((n) => `${formatPhone(n.number)} rings to ${formatPhone(n.ringTo)}`).join('; '),
        cards: [{ title: `Toll-free numbers · ${accountNumber}`, table: { columns: ['Toll-free', 'Rings to', 'Changed'], rows: numbers.value.map((n) => [formatPhone(n.number), formatPhone(n.ringTo), formatDate(n.updatedAt)]) } }],
      };
    }
    const target = numbers.value.find((n) => n.number === merged.tollFree) ?? (numbers.value.length === 1 ? numbers.value[0] : undefined);
    if (!target) {
      return ask(turn, 'toll_free', { ...merged, account: accountNumber }, 'tollFree', 'Which toll-free number should ring somewhere else?', numbers.value.map((n) => ({ label: formatPhone(n.number), value: `${SLOT_PREFIX}tollFree:${n.number}` })));
    }
    if (typeof merged.ringTo !== 'string') {
      return ask(turn, 'toll_free', { ...merged, account: accountNumber, tollFree: target.number }, 'ringTo', `What number should ${formatPhone(target.number)} ring to? It rings to ${formatPhone(target.ringTo)} now.`);
    }
    return confirm(
      turn,
      'toll_free',
      { account: accountNumber, tollFree: target.number, ringTo: merged.ringTo },
      `Change ${formatPhone(target.number)} to ring to ${formatPhone(merged.ringTo)} instead of ${formatPhone(target.ringTo)}?`,
    );
  });
}

export async function executeTollFree(turn: Turn, params: Slots): Promise<Reply> {
  const result = await changeRingTo(turn.ctx, turn.actor, {
    accountNumber: String(params.account),
    tollFreeNumber: String(params.tollFree),
    ringTo: String(params.ringTo),
  });
  if (result.kind !== 'ok') return refuse(turn, result);
  return { text: `Done: ${formatPhone(result.value.number)} now rings to ${formatPhone(result.value.ringTo)}.` };
}

const formatAddress = (a: PostalAddress) => `${a.street}, ${a.city}, ${a.region} ${a.postalCode}`;

export async function e911(turn: Turn, slots: Slots): Promise<Reply> {
  const merged: Slots = { ...slots };
  merged.line ??= entitiesOf(turn, 'phone').find((p) => !isTollFreeNumber(p.value))?.value ?? null;
  merged.address ??= (firstEntity(turn, 'address')?.value as unknown as Slots[string]) ?? null;
  if (merged.address !== null || /\b(change|update|move|moved|set|correct|fix|modifier)\b/i.test(turn.text)) {
    const refused = await refusedBeforeAsking(turn, 'services.write');
    if (refused) return refused;
  }
  await accountFromPhone(turn, merged, typeof merged.line === 'string' ? merged.line : undefined);
  return withAccount(turn, 'e911', merged, async (accountNumber) => {
    const lines = await listE911Locations(turn.ctx, turn.actor, { accountNumber });
    if (lines.kind !== 'ok') return refuse(turn, lines);
    if (lines.value.length === 0) return { text: `Account ${accountNumber} has no lines with a 911 address.` };
    const wantsChange = merged.address !== null || /\b(change|update|move|moved|set|correct|fix|modifier)\b/i.test(turn.text);
    if (!wantsChange) {
      return {
        text: `911 addresses on ${accountNumber}: ${lines.value.map((l) => `${formatPhone(l.number)} at ${formatAddress(l)}`).join('; ')}.`,
        cards: [{ title: `911 locations · ${accountNumber}`, table: { columns: ['Line', 'Address', 'Updated'], rows: lines.value.map((l) => [formatPhone(l.number), formatAddress(l), formatDate(l.updatedAt)]) } }],
      };
    }
    const line = lines.value.find((l) => l.number === merged.line) ?? (lines.value.length === 1 ? lines.value[0] : undefined);
    if (!line) {
      return ask(turn, 'e911', { ...merged, account: accountNumber }, 'line', 'Which line’s 911 address should I update?', lines.value.slice(0, 8).map((l) => ({ label: formatPhone(l.number), value: `${SLOT_PREFIX}line:${l.number}` })));
    }
    if (merged.address === null || typeof merged.address !== 'object') {
      return ask(turn, 'e911', { ...merged, account: accountNumber, line: line.number }, 'address', `What is the new 911 address for ${formatPhone(line.number)}? Give the full civic address, e.g. 100 King St W, Toronto, ON M5X 1A9.`);
    }
    const address = merged.address as unknown as PostalAddress;
    return confirm(
      turn,
      'e911',
      { account: accountNumber, line: line.number, address: merged.address },
      `Update the 911 address of ${formatPhone(line.number)} from ${formatAddress(line)} to ${formatAddress(address)}? Emergency services will be sent there.`,
    );
  });
}

export async function executeE911(turn: Turn, params: Slots): Promise<Reply> {
  const result = await updateE911Location(turn.ctx, turn.actor, {
    accountNumber: String(params.account),
    number: String(params.line),
    address: params.address as unknown as PostalAddress,
  });
  if (result.kind !== 'ok') return refuse(turn, result);
  return { text: `Done: 911 calls from ${formatPhone(result.value.number)} will now report ${formatAddress(result.value)}.` };
}

export async function orders(turn: Turn, slots: Slots): Promise<Reply> {
  return withAccount(turn, 'orders', slots, async (accountNumber) => {
    const result = await listOpenOrders(turn.ctx, turn.actor, { accountNumber });
    if (result.kind !== 'ok') return refuse(turn, result);
    if (result.value.length === 0) return { text: `There are no open orders on ${accountNumber}.` };
    return {
      text: `${result.value.length} open order${result.value.length === 1 ? '' : 's'} on ${accountNumber}: ${result.value.map((o) => `${o.number} (${o.status.replace('_', ' ')}, due ${formatDate(o.dueDate)})`).join(', ')}.`,
      cards: [{ title: `Open orders · ${accountNumber}`, table: { columns: ['Order', 'Description', 'Status', 'Due'], rows: result.value.map((o) => [o.number, o.description, humanise(o.status), formatDate(o.dueDate)]) } }],
    };
  });
}
