// Pieces the Node server and the CLI share: one-line failure text, database descriptions, demo-data helpers.
import type { DEMO_IDENTITIES } from '../../fixtures/demo-data/index.js';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import { AppError, redactUrl } from '../../src/errors.js';
import type { DemoIdentityListing } from '../http/app.js';

type DemoIdentities = typeof DEMO_IDENTITIES;

/**
 * The one line an operator sees when start-up or a command fails: the message only, never a stack,
 * with any URL password masked, folded onto one line.
 */
export function failureLine(error: unknown): string {
  const message =
    error instanceof AppError
      ? error.message
      : error instanceof Error
        ? `unexpected ${error.name}: ${error.message}`
        : `unexpected failure: ${String(error)}`;
  return `error: ${redactUrl(message)
    .replace(/\s*\n\s*/g, ' ')
    .trim()}`;
}

/** Where the data lives, safe to print: the SQLite path, or the PostgreSQL URL without its password. */
export function describeTarget(target: DatabaseTarget): string {
  return target.engine === 'sqlite' ? `SQLite ${target.path}` : `PostgreSQL ${redactUrl(target.url)}`;
}

export async function hasAccounts(handle: DatabaseHandle): Promise<boolean> {
  const row = await handle.db.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function hasPortalUser(handle: DatabaseHandle, email: string): Promise<boolean> {
  const row = await handle.db.selectFrom('portal_users').select('id').where('email', '=', email).executeTakeFirst();
  return row !== undefined;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The demo sign-ins worth showing a person trying the demo, as plain headings and lines for the banner
 * and the landing page. Picked field by field: the fixture also holds security answers, which are
 * never shown; the PINs shown are the documented demo ones.
 */
export function describeDemoIdentities(identities: DemoIdentities): DemoIdentityListing[] {
  const { customerAdmin, customerBilling, otherOrganisationAdmin, staff, supportAgent } = identities;
  return [
    {
      title: `Customer admin — ${customerAdmin.organisation}`,
      lines: [
        `${customerAdmin.name} <${customerAdmin.email}>`,
        `root account ${customerAdmin.rootAccount}, PIN ${customerAdmin.pin}`,
      ],
    },
    {
      title: `Billing user — ${customerAdmin.organisation}`,
      lines: [
        `${customerBilling.name} <${customerBilling.email}>, may see: ${customerBilling.permissions.join(', ')}`,
        `account ${customerBilling.account}, PIN ${customerBilling.pin}`,
      ],
    },
    {
      title: `Another organisation — ${otherOrganisationAdmin.organisation}`,
      lines: [
        `${otherOrganisationAdmin.name} <${otherOrganisationAdmin.email}>`,
        `root account ${otherOrganisationAdmin.rootAccount}, PIN ${otherOrganisationAdmin.pin}`,
      ],
    },
    {
      title: `Staff — ${staff.role.replaceAll('_', ' ')}`,
      lines: [`${staff.name} <${staff.email}>`, `Slack team ${staff.slack.teamId}, user ${staff.slack.userId}`],
    },
    {
      title: `Staff — ${supportAgent.role.replaceAll('_', ' ')}`,
      lines: [
        `${supportAgent.name} <${supportAgent.email}>`,
        `Slack team ${supportAgent.slack.teamId}, user ${supportAgent.slack.userId}`,
      ],
    },
  ];
}
