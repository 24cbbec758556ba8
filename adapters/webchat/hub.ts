// Real-time fan-out: every open socket or event stream follows one conversation from a cursor (the last
// seq it was sent) and is sent what the messages table holds after it, in order, each message once.
import { MAX_MESSAGES_PER_READ, type WireMessage } from './messages.js';

/** What the server sends on a socket or event stream. */
export type WireEvent =
  | { type: 'ready'; session: unknown }
  | { type: 'message'; message: WireMessage }
  | { type: 'typing'; on: boolean }
  | { type: 'error'; code: string; message: string; retryAfterMs?: number }
  | { type: 'session_ended'; reason: string };

export interface Subscriber {
  readonly sessionId: string;
  readonly conversationId: string;
  /** The last seq this subscriber was sent (or that its client said it saw). */
  cursor: number;
  send(event: WireEvent): void | Promise<void>;
  close(code: number, reason: string): void;
}

export interface Hub {
  /** Starts following; what is already stored after the cursor is sent at once. Returns the way to stop. */
  subscribe(subscriber: Subscriber): () => void;
  /** Something was stored in the conversation: each follower is sent what it has not seen. */
  notify(conversationId: string): void;
  typing(conversationId: string, on: boolean): void;
  /** Closes every socket and stream of a session (it was replaced at sign-in, or ended). */
  endSession(sessionId: string, code: number, reason: string): void;
  /** Resolves once every follower of the conversation has been sent what is stored now. */
  settled(conversationId: string): Promise<void>;
  close(): void;
  readonly size: number;
}

export interface HubOptions {
  /** Messages of a conversation after a seq, oldest first. */
  load(conversationId: string, after: number): Promise<WireMessage[]>;
  /** Whether a session still stands; checked on each poll so a timed-out session's socket closes. */
  isLive(sessionId: string): Promise<boolean>;
  /** How often followers also look for messages written elsewhere (an agent console, another process). */
  pollMs: number;
  onError?: (error: unknown) => void;
}

export function createHub(options: HubOptions): Hub {
  const byConversation = new Map<string, Set<Follower>>();
  let closed = false;

  interface Follower {
    readonly subscriber: Subscriber;
    chain: Promise<void>;
    alive: boolean;
  }

  function pull(follower: Follower): Promise<void> {
    // One pull at a time per follower: a second waits for the first, then starts from the moved cursor.
    follower.chain = follower.chain.then(async () => {
      const sub = follower.subscriber;
      while (follower.alive) {
        const messages = await options.load(sub.conversationId, sub.cursor);
        for (const message of messages) {
          if (!follower.alive || message.seq <= sub.cursor) continue;
          await sub.send({ type: 'message', message });
          sub.cursor = message.seq;
        }
        // A full page means there may be more.
        if (messages.length < MAX_MESSAGES_PER_READ) break;
      }
    }).catch((error) => options.onError?.(error));
    return follower.chain;
  }

  const timer = setInterval(() => {
    for (const followers of byConversation.values()) {
      for (const follower of followers) {
        void options
          .isLive(follower.subscriber.sessionId)
          .then((live) => {
            if (!follower.alive) return;
            if (live) return pull(follower);
            void follower.subscriber.send({ type: 'session_ended', reason: 'expired' });
            follower.subscriber.close(4001, 'session expired');
            remove(follower);
          })
          .catch((error) => options.onError?.(error));
      }
    }
  }, options.pollMs);
  timer.unref?.();

  function remove(follower: Follower): void {
    follower.alive = false;
    const set = byConversation.get(follower.subscriber.conversationId);
    set?.delete(follower);
    if (set && set.size === 0) byConversation.delete(follower.subscriber.conversationId);
  }

  return {
    subscribe(subscriber) {
      if (closed) {
        subscriber.close(1001, 'server stopping');
        return () => {};
      }
      const follower: Follower = { subscriber, chain: Promise.resolve(), alive: true };
      const set = byConversation.get(subscriber.conversationId) ?? new Set<Follower>();
      byConversation.set(subscriber.conversationId, set);
      set.add(follower);
      void pull(follower);
      return () => remove(follower);
    },
    notify(conversationId) {
      for (const follower of byConversation.get(conversationId) ?? []) void pull(follower);
    },
    typing(conversationId, on) {
      for (const follower of byConversation.get(conversationId) ?? []) {
        // Behind the messages already on their way, so "typing" never overtakes the answer it announces.
        follower.chain = follower.chain
          .then(() => (follower.alive ? follower.subscriber.send({ type: 'typing', on }) : undefined))
          .catch((error) => options.onError?.(error));
      }
    },
    endSession(sessionId, code, reason) {
      for (const followers of byConversation.values()) {
        for (const follower of [...followers]) {
          if (follower.subscriber.sessionId !== sessionId) continue;
          remove(follower);
          follower.subscriber.close(code, reason);
        }
      }
    },
    async settled(conversationId) {
      await Promise.all([...(byConversation.get(conversationId) ?? [])].map((f) => f.chain));
    },
    close() {
      closed = true;
      clearInterval(timer);
      for (const followers of byConversation.values()) {
        for (const follower of [...followers]) {
          remove(follower);
          follower.subscriber.close(1001, 'server stopping');
        }
      }
    },
    get size() {
      let n = 0;
      for (const followers of byConversation.values()) n += followers.size;
      return n;
    },
  };
}
