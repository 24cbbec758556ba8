// Who is asking: every use case decides what this actor may see and do.
import type { Channel, Permission, PortalUserRole, StaffRole } from '../db/schema.js';

/** The chat identity an actor was recognised by (a Slack user in a workspace, a Teams user in a tenant), kept for the audit log. */
export interface ChannelIdentity {
  readonly channel: Channel;
  readonly tenantId: string;
  readonly userId: string;
}

/**
 * A customer: a signed-in portal user of a customer organisation, or someone who proved who they are in
 * chat with an account number and PIN (then `userId` is null and `via` is 'pin'), with the accounts they may see.
 */
export interface CustomerActor {
  readonly kind: 'customer';
  /** The portal user; null for a PIN sign-in, which belongs to an account rather than a person. */
  readonly userId: number | null;
  /** How they signed in: as a portal user (the default when absent) or with an account's PIN. */
  readonly via?: 'portal' | 'pin';
  /** For a PIN sign-in: the account whose PIN was given (it and its descendants are `accountIds`). */
  readonly pinAccount?: { readonly id: number; readonly number: string };
  /** The portal user's email; empty for a PIN sign-in. */
  readonly email: string;
  readonly organisationId: number;
  readonly role: PortalUserRole;
  readonly permissions: readonly Permission[];
  /** Every account id the user may see (their scope grants, expanded through the hierarchy). */
  readonly accountIds: ReadonlySet<number>;
  /** Set when recognised through a linked chat identity rather than a portal sign-in. */
  readonly channelIdentity?: ChannelIdentity;
}

/** A member of the provider's staff (care, billing, network operations) looking up any customer. */
export interface StaffActor {
  readonly kind: 'staff';
  readonly staffId: number;
  readonly email: string;
  readonly role: StaffRole;
  /** Set when recognised through a linked chat identity (e.g. their Slack user): every audit entry names it. */
  readonly channelIdentity?: ChannelIdentity;
}

/** A support agent who took over a conversation: acts for that conversation's customer, within their accounts. */
export interface AgentActor {
  readonly kind: 'agent';
  readonly staffId: number;
  readonly email: string;
  readonly servingConversationId: string;
  /** The accounts of the customer being served; the agent sees nothing else. */
  readonly accountIds: ReadonlySet<number>;
}

/** Someone not signed in: public information only (outages, maintenance). */
export interface AnonymousActor {
  readonly kind: 'anonymous';
}

export type Actor = CustomerActor | StaffActor | AgentActor | AnonymousActor;

export const ANONYMOUS: AnonymousActor = { kind: 'anonymous' };

/** A short, non-secret label for the audit log and ticket history. */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'customer':
      return actor.pinAccount ? `account ${actor.pinAccount.number} (PIN)` : actor.email;
    case 'staff':
      return `${actor.email} (${actor.role})`;
    case 'agent':
      return `${actor.email} (agent)`;
    case 'anonymous':
      return 'anonymous';
  }
}

export function actorId(actor: Actor): string | null {
  switch (actor.kind) {
    case 'customer':
      return actor.userId === null ? `pin:${actor.pinAccount?.id ?? 'unknown'}` : `user:${actor.userId}`;
    case 'staff':
    case 'agent':
      return `staff:${actor.staffId}`;
    case 'anonymous':
      return null;
  }
}
