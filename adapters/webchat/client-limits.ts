// The web chat's abuse limits: who a request comes from, events counted against allowances in the database
// (shared by every instance), and open sockets and streams per session and client (per instance).
import type { Context } from 'hono';
import type { AbuseLimits } from '../../src/config.js';
import type { DomainContext } from '../../src/domain/context.js';
import { type Allowance, type AllowanceOutcome, takeAllowances } from '../../src/domain/rate-limits.js';
import { type ConnectionAddress, clientAddressOf } from '../http/client-address.js';

export type StreamPlace = 'ok' | 'session_full' | 'client_full';

export interface ClientLimits {
  /** The client address a request counts against. */
  clientOf(c: Context): string;
  /** Counts an event against the allowances; always ok when limits are off. */
  allow(allowances: readonly Allowance[]): Promise<AllowanceOutcome>;
  /** Takes a place for a socket or stream, unless the session or the client already has its share open. */
  openStream(sessionId: string | null, client: string): StreamPlace;
  closeStream(sessionId: string | null, client: string): void;
  /** Whether the client has all its places taken (checked before a WebSocket upgrade). */
  socketsFull(client: string): boolean;
}

export function createClientLimits(ctx: DomainContext, limits: AbuseLimits | null, connectionAddress?: ConnectionAddress): ClientLimits {
  const bySession = new Map<string, number>();
  const byClient = new Map<string, number>();
  const socketsFull = (client: string) => limits !== null && (byClient.get(client) ?? 0) >= limits.socketsPerClient;

  return {
    clientOf: (c) => clientAddressOf(c, { trustedProxyHeader: limits?.trustedProxyHeader ?? null, connectionAddress }),
    allow: async (allowances) => (limits ? takeAllowances(ctx, allowances) : { ok: true }),
    socketsFull,
    openStream(sessionId, client) {
      if (limits) {
        if (socketsFull(client)) return 'client_full';
        if (sessionId && (bySession.get(sessionId) ?? 0) >= limits.socketsPerSession) return 'session_full';
      }
      byClient.set(client, (byClient.get(client) ?? 0) + 1);
      if (sessionId) bySession.set(sessionId, (bySession.get(sessionId) ?? 0) + 1);
      return 'ok';
    },
    closeStream(sessionId, client) {
      for (const [map, key] of [
        [byClient, client],
        [bySession, sessionId],
      ] as const) {
        if (key === null) continue;
        const left = (map.get(key) ?? 1) - 1;
        if (left <= 0) map.delete(key);
        else map.set(key, left);
      }
    },
  };
}
