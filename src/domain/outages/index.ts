// Outages and maintenance: the public lists anyone may see, and the ones that touch an account's own
// services (an area where the account has a location, and a service type it has there).
import type { Kysely } from 'kysely';
import type { Database, ServiceType } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import { authorizeAccount } from '../authorization.js';
import type { DomainContext } from '../context.js';
import { type Denied, type Ok, ok } from '../result.js';

interface Area {
  city: string;
  region: string;
  country: string;
}

export interface OutageView {
  reference: string;
  title: string;
  description: string;
  status: string;
  startedAt: string;
  resolvedAt: string | null;
  areas: Area[];
  serviceTypes: ServiceType[];
}

export interface MaintenanceView {
  reference: string;
  title: string;
  description: string;
  status: string;
  startsAt: string;
  endsAt: string;
  areas: Area[];
  serviceTypes: ServiceType[];
}

const sameCity = (a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'base' }) === 0;

async function loadOutages(db: Kysely<Database>, includeResolved: boolean): Promise<OutageView[]> {
  let query = db.selectFrom('outages').selectAll();
  if (!includeResolved) query = query.where('status', '!=', 'resolved');
  const outages = await query.orderBy('started_at', 'desc').limit(200).execute();
  if (outages.length === 0) return [];
  const ids = outages.map((o) => o.id);
  const [areas, services] = await Promise.all([
    db.selectFrom('outage_areas').selectAll().where('outage_id', 'in', ids).execute(),
    db.selectFrom('outage_services').selectAll().where('outage_id', 'in', ids).execute(),
  ]);
  return outages.map((o) => ({
    reference: o.reference,
    title: o.title,
    description: o.description,
    status: o.status,
    startedAt: o.started_at,
    resolvedAt: o.resolved_at,
    areas: areas.filter((a) => a.outage_id === o.id).map(({ city, region, country }) => ({ city, region, country })),
    serviceTypes: services.filter((s) => s.outage_id === o.id).map((s) => s.service_type),
  }));
}

async function loadMaintenance(db: Kysely<Database>, nowIso: string, includePast: boolean): Promise<MaintenanceView[]> {
  let query = db.selectFrom('maintenance_windows').selectAll().where('status', '!=', 'cancelled');
  if (!includePast) query = query.where('ends_at', '>=', nowIso);
  const windows = await query.orderBy('starts_at').limit(200).execute();
  if (windows.length === 0) return [];
  const ids = windows.map((w) => w.id);
  const [areas, services] = await Promise.all([
    db.selectFrom('maintenance_areas').selectAll().where('maintenance_id', 'in', ids).execute(),
    db.selectFrom('maintenance_services').selectAll().where('maintenance_id', 'in', ids).execute(),
  ]);
  return windows.map((w) => ({
    reference: w.reference,
    title: w.title,
    description: w.description,
    status: w.status,
    startsAt: w.starts_at,
    endsAt: w.ends_at,
    areas: areas.filter((a) => a.maintenance_id === w.id).map(({ city, region, country }) => ({ city, region, country })),
    serviceTypes: services.filter((s) => s.maintenance_id === w.id).map((s) => s.service_type),
  }));
}

function matchesFilter(item: { areas: Area[]; serviceTypes: ServiceType[] }, filter: { city?: string; serviceType?: ServiceType }): boolean {
  if (filter.city && !item.areas.some((a) => sameCity(a.city, filter.city as string))) return false;
  if (filter.serviceType && item.serviceTypes.length > 0 && !item.serviceTypes.includes(filter.serviceType)) return false;
  return true;
}

/** Current outages (anyone may ask), optionally in a city or for a service type. */
export async function listPublicOutages(
  ctx: DomainContext,
  _actor: Actor,
  input: { city?: string; serviceType?: ServiceType; includeResolved?: boolean } = {},
): Promise<Ok<OutageView[]>> {
  return ok((await loadOutages(ctx.db, input.includeResolved ?? false)).filter((o) => matchesFilter(o, input)));
}

/** Upcoming and in-progress maintenance (anyone may ask), optionally in a city or for a service type. */
export async function listPublicMaintenance(
  ctx: DomainContext,
  _actor: Actor,
  input: { city?: string; serviceType?: ServiceType; includePast?: boolean } = {},
): Promise<Ok<MaintenanceView[]>> {
  const windows = await loadMaintenance(ctx.db, ctx.now().toISOString(), input.includePast ?? false);
  return ok(windows.filter((w) => matchesFilter(w, input)));
}

/** Where an account has which services: (city, region, type) triples. */
async function accountFootprint(db: Kysely<Database>, accountId: number) {
  return db
    .selectFrom('services')
    .innerJoin('locations', 'locations.id', 'services.location_id')
    .select(['locations.city', 'locations.region', 'services.type'])
    .where('services.account_id', '=', accountId)
    .where('services.status', '=', 'active')
    .execute();
}

function touches(item: { areas: Area[]; serviceTypes: ServiceType[] }, footprint: { city: string; region: string; type: ServiceType }[]) {
  return footprint.some(
    (f) =>
      item.areas.some((a) => sameCity(a.city, f.city) && a.region === f.region) &&
      (item.serviceTypes.length === 0 || item.serviceTypes.includes(f.type)),
  );
}

/** Current outages affecting the account's own services. */
export async function listOutagesForAccount(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string },
): Promise<Ok<OutageView[]> | Denied> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'services.read', 'list_outages_for_account');
  if (account.kind !== 'ok') return account;
  const footprint = await accountFootprint(ctx.db, account.value.id);
  return ok((await loadOutages(ctx.db, false)).filter((o) => touches(o, footprint)));
}

/** Upcoming and in-progress maintenance affecting the account's own services. */
export async function listMaintenanceForAccount(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string },
): Promise<Ok<MaintenanceView[]> | Denied> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'services.read', 'list_maintenance_for_account');
  if (account.kind !== 'ok') return account;
  const footprint = await accountFootprint(ctx.db, account.value.id);
  return ok((await loadMaintenance(ctx.db, ctx.now().toISOString(), false)).filter((w) => touches(w, footprint)));
}
