// A sliding-window limit per key (a chat session): at most `limit` events in any `windowMs`. In memory,
// per process: enough to stop one session flooding the assistant; it does not slow anyone else.

export interface RateLimiter {
  /** Counts an event for the key; refused (and not counted) when the key is over its limit. */
  take(key: string): { ok: true } | { ok: false; retryAfterMs: number };
  forget(key: string): void;
}

export function createRateLimiter(options: { limit: number; windowMs: number; now?: () => number }): RateLimiter {
  const { limit, windowMs } = options;
  const now = options.now ?? Date.now;
  const events = new Map<string, number[]>();
  let lastSweep = now();

  function sweep(at: number): void {
    // Keys whose window has passed are dropped, so idle sessions cost nothing.
    for (const [key, times] of events) {
      if ((times.at(-1) ?? 0) <= at - windowMs) events.delete(key);
    }
    lastSweep = at;
  }

  return {
    take(key) {
      const at = now();
      if (at - lastSweep > windowMs * 6) sweep(at);
      const times = (events.get(key) ?? []).filter((t) => t > at - windowMs);
      if (times.length >= limit) {
        events.set(key, times);
        return { ok: false, retryAfterMs: Math.max(1, (times[0] ?? at) + windowMs - at) };
      }
      times.push(at);
      events.set(key, times);
      return { ok: true };
    },
    forget(key) {
      events.delete(key);
    },
  };
}
