// Services: subscribed services and features, the service map, voice configuration (DIDs, hunt groups,
// account codes, toll-free ring-to, 911 locations) and orders.
import type { OrderStatus, ServiceType } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import { authorizeAccount } from '../authorization.js';
import type { DomainContext } from '../context.js';
import { type Denied, invalid, type Invalid, notFound, type Ok, ok } from '../result.js';
import { isTollFreeNumber, normaliseNanpNumber, type PostalAddress, validateAddress } from '../validation.js';
import { writeAudited } from '../write.js';

export interface ServiceView {
  id: number;
  type: ServiceType;
  name: string;
  identifier: string;
  status: string;
  monthlyCents: number;
  location: string | null;
}

export async function listServices(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; type?: ServiceType },
): Promise<Ok<ServiceView[]> | Denied> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'services.read', 'list_services');
  if (account.kind !== 'ok') return account;
  let query = ctx.db
    .selectFrom('services')
    .leftJoin('locations', 'locations.id', 'services.location_id')
    .select([
      'services.id',
      'services.type',
      'services.name',
      'services.identifier',
      'services.status',
      'services.monthly_cents',
      'locations.name as location_name',
      'locations.city',
    ])
    .where('services.account_id', '=', account.value.id);
  if (input.type) query = query.where('services.type', '=', input.type);
  const rows = await query.orderBy('services.type').orderBy('services.id').execute();
  return ok(
    rows.map((r) => ({
      id: r.id,
      type: r.type,
      name: r.name,
      identifier: r.identifier,
      status: r.status,
      monthlyCents: r.monthly_cents,
      location: r.location_name ? `${r.location_name}, ${r.city}` : null,
    })),
  );
}

export interface ServiceDetail extends ServiceView {
  startedAt: string;
  features: { code: string; name: string; monthlyCents: number }[];
  address: PostalAddress | null;
}

/** One service of an account, named by its id or its identifier (phone number, circuit id). */
export async function getServiceDetails(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; service: string | number },
): Promise<Ok<ServiceDetail> | Denied> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'services.read', 'get_service_details');
  if (account.kind !== 'ok') return account;
  const service = await ctx.db
    .selectFrom('services')
    .selectAll()
    .where('account_id', '=', account.value.id)
    .where((eb) => (typeof input.service === 'number' ? eb('id', '=', input.service) : eb('identifier', '=', input.service.trim())))
    .executeTakeFirst();
  if (!service) return notFound(`service ${input.service}`);
  const [features, location] = await Promise.all([
    ctx.db.selectFrom('service_features').selectAll().where('service_id', '=', service.id).orderBy('id').execute(),
    service.location_id === null
      ? undefined
      : ctx.db.selectFrom('locations').selectAll().where('id', '=', service.location_id).executeTakeFirst(),
  ]);
  return ok({
    id: service.id,
    type: service.type,
    name: service.name,
    identifier: service.identifier,
    status: service.status,
    monthlyCents: service.monthly_cents,
    location: location ? `${location.name}, ${location.city}` : null,
    startedAt: service.started_at,
    features: features.map((f) => ({ code: f.code, name: f.name, monthlyCents: f.monthly_cents })),
    address: location
      ? { street: location.street, city: location.city, region: location.region, postalCode: location.postal_code, country: location.country }
      : null,
  });
}

/** The account's locations with their coordinates and the services at each. */
export async function getServiceMap(ctx: DomainContext, actor: Actor, input: { accountNumber: string }) {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'services.read', 'get_service_map');
  if (account.kind !== 'ok') return account;
  const [locations, services] = await Promise.all([
    ctx.db.selectFrom('locations').selectAll().where('account_id', '=', account.value.id).orderBy('id').execute(),
    ctx.db.selectFrom('services').selectAll().where('account_id', '=', account.value.id).orderBy('id').execute(),
  ]);
  return ok(
    locations.map((l) => ({
      name: l.name,
      address: { street: l.street, city: l.city, region: l.region, postalCode: l.postal_code, country: l.country },
      latitude: l.latitude,
      longitude: l.longitude,
      services: services.filter((s) => s.location_id === l.id).map((s) => ({ type: s.type, name: s.name, identifier: s.identifier })),
    })),
  );
}

export async function listDidNumbers(ctx: DomainContext, actor: Actor, input: { accountNumber: string }) {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'services.read', 'list_did_numbers');
  if (account.kind !== 'ok') return account;
  const rows = await ctx.db
    .selectFrom('did_numbers')
    .innerJoin('services', 'services.id', 'did_numbers.service_id')
    .select(['did_numbers.number', 'did_numbers.status', 'services.name as service_name'])
    .where('did_numbers.account_id', '=', account.value.id)
    .orderBy('did_numbers.number')
    .execute();
  return ok(rows.map((r) => ({ number: r.number, status: r.status, service: r.service_name })));
}

export async function listHuntGroups(ctx: DomainContext, actor: Actor, input: { accountNumber: string }) {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'services.read', 'list_hunt_groups');
  if (account.kind !== 'ok') return account;
  const groups = await ctx.db.selectFrom('hunt_groups').selectAll().where('account_id', '=', account.value.id).orderBy('id').execute();
  const members = groups.length
    ? await ctx.db
        .selectFrom('hunt_group_members')
        .selectAll()
        .where(
          'hunt_group_id',
          'in',
          groups.map((g) => g.id),
        )
        .orderBy('position')
        .execute()
    : [];
  return ok(
    groups.map((g) => ({
      name: g.name,
      pilotNumber: g.pilot_number,
      strategy: g.strategy,
      members: members.filter((m) => m.hunt_group_id === g.id).map((m) => m.number),
    })),
  );
}

export async function listAccountCodes(ctx: DomainContext, actor: Actor, input: { accountNumber: string }) {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'services.read', 'list_account_codes');
  if (account.kind !== 'ok') return account;
  const rows = await ctx.db.selectFrom('account_codes').selectAll().where('account_id', '=', account.value.id).orderBy('code').execute();
  return ok(rows.map((r) => ({ code: r.code, description: r.description, active: r.active === 1 })));
}

export interface TollFreeView {
  number: string;
  ringTo: string;
  updatedAt: string;
}

export async function listTollFreeNumbers(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string },
): Promise<Ok<TollFreeView[]> | Denied> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'services.read', 'list_toll_free_numbers');
  if (account.kind !== 'ok') return account;
  const rows = await ctx.db.selectFrom('toll_free_numbers').selectAll().where('account_id', '=', account.value.id).orderBy('number').execute();
  return ok(rows.map((r) => ({ number: r.number, ringTo: r.ring_to_number, updatedAt: r.updated_at })));
}

/** Points a toll-free number at a new ring-to number (a dialable, non-toll-free NANP number). */
export async function changeRingTo(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; tollFreeNumber: string; ringTo: string },
): Promise<Ok<TollFreeView & { previousRingTo: string }> | Denied | Invalid> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'services.write', 'change_ring_to');
  if (account.kind !== 'ok') return account;
  const tollFree = normaliseNanpNumber(input.tollFreeNumber);
  const row = tollFree
    ? await ctx.db
        .selectFrom('toll_free_numbers')
        .selectAll()
        .where('account_id', '=', account.value.id)
        .where('number', '=', tollFree)
        .executeTakeFirst()
    : undefined;
  if (!row) return notFound(`toll-free number ${input.tollFreeNumber}`);
  const ringTo = normaliseNanpNumber(input.ringTo);
  if (!ringTo) return invalid('ringTo', "The ring-to number must be a 10-digit North American number, like 416-555-0142.");
  if (isTollFreeNumber(ringTo)) return invalid('ringTo', 'A toll-free number cannot ring to another toll-free number.');
  const updatedAt = await writeAudited(
    ctx,
    actor,
    { action: 'change_ring_to', accountId: account.value.id, target: `toll_free:${row.number}`, details: { from: row.ring_to_number, to: ringTo } },
    async (db, now) => {
      await db.updateTable('toll_free_numbers').set({ ring_to_number: ringTo, updated_at: now }).where('id', '=', row.id).execute();
      return now;
    },
  );
  return ok({ number: row.number, ringTo, updatedAt, previousRingTo: row.ring_to_number });
}

export interface E911View extends PostalAddress {
  number: string;
  updatedAt: string;
}

export async function listE911Locations(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string },
): Promise<Ok<E911View[]> | Denied> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'services.read', 'list_e911_locations');
  if (account.kind !== 'ok') return account;
  const rows = await ctx.db.selectFrom('e911_locations').selectAll().where('account_id', '=', account.value.id).orderBy('number').execute();
  return ok(
    rows.map((r) => ({
      number: r.number,
      street: r.street,
      city: r.city,
      region: r.region,
      postalCode: r.postal_code,
      country: r.country,
      updatedAt: r.updated_at,
    })),
  );
}

/** Sets the emergency (911) address of one line; the address must be a valid civic address. */
export async function updateE911Location(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; number: string; address: PostalAddress },
): Promise<Ok<E911View> | Denied | Invalid> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'services.write', 'update_e911_location');
  if (account.kind !== 'ok') return account;
  const number = normaliseNanpNumber(input.number);
  const row = number
    ? await ctx.db
        .selectFrom('e911_locations')
        .selectAll()
        .where('account_id', '=', account.value.id)
        .where('number', '=', number)
        .executeTakeFirst()
    : undefined;
  if (!row) return notFound(`a 911 location for ${input.number}`);
  const valid = validateAddress(input.address);
  if (valid.kind !== 'ok') return valid;
  const a = valid.value;
  const updatedAt = await writeAudited(
    ctx,
    actor,
    { action: 'update_e911_location', accountId: account.value.id, target: `e911:${row.number}`, details: { city: a.city, region: a.region } },
    async (db, now) => {
      await db
        .updateTable('e911_locations')
        .set({ street: a.street, city: a.city, region: a.region, postal_code: a.postalCode, country: a.country, updated_at: now })
        .where('id', '=', row.id)
        .execute();
      return now;
    },
  );
  return ok({ number: row.number, ...a, updatedAt });
}

const OPEN_ORDER_STATUSES: readonly OrderStatus[] = ['received', 'in_progress', 'scheduled'];

export async function listOpenOrders(ctx: DomainContext, actor: Actor, input: { accountNumber: string; includeClosed?: boolean }) {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'services.read', 'list_open_orders');
  if (account.kind !== 'ok') return account;
  let query = ctx.db.selectFrom('orders').selectAll().where('account_id', '=', account.value.id);
  if (!input.includeClosed) query = query.where('status', 'in', [...OPEN_ORDER_STATUSES]);
  const rows = await query.orderBy('due_date').execute();
  return ok(rows.map((r) => ({ number: r.number, description: r.description, status: r.status, orderedAt: r.ordered_at, dueDate: r.due_date })));
}

/**
 * Which account in the actor's scope a phone number belongs to (a line, a DID, a 911 location or a service
 * identifier), so "no dial tone on 613-555-0100" lands on that line's account. Null when none of the
 * actor's accounts has it: the number of an account outside their scope is as unknown as any other.
 */
export async function findAccountOfNumber(ctx: DomainContext, actor: Actor, input: { number: string }): Promise<string | null> {
  if (actor.kind === 'anonymous') return null;
  const number = normaliseNanpNumber(input.number);
  if (!number) return null;
  const digits = number.replace(/\D/g, '').slice(-10);
  const ids = new Set<number>();
  // A customer's own accounts only, so the search is bounded by their scope and never touches anyone else's lines.
  const scope = actor.kind === 'staff' ? null : [...actor.accountIds];
  if (scope !== null && scope.length === 0) return null;
  let services = ctx.db.selectFrom('services').select(['account_id', 'identifier']).where('identifier', 'like', `%${digits.slice(-4)}`);
  if (scope) services = services.where('account_id', 'in', scope);
  for (const s of await services.limit(500).execute()) if (s.identifier.replace(/\D/g, '').endsWith(digits)) ids.add(s.account_id);
  for (const table of ['did_numbers', 'e911_locations'] as const) {
    let rows = ctx.db.selectFrom(table).select('account_id').where('number', '=', number);
    if (scope) rows = rows.where('account_id', 'in', scope);
    for (const r of await rows.limit(50).execute()) ids.add(r.account_id);
  }
  for (const id of ids) {
    if (actor.kind === 'staff' || actor.accountIds.has(id)) {
      const account = await ctx.db.selectFrom('accounts').select('number').where('id', '=', id).executeTakeFirst();
      if (account) return account.number;
    }
  }
  return null;
}
