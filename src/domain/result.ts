// Expected outcomes of use cases, as values: callers (chat, HTTP, CLI) switch on `kind`.

export interface Ok<T> {
  readonly kind: 'ok';
  readonly value: T;
}
/** Also what an actor gets for something outside their scope, so existence never leaks. */
export interface NotFound {
  readonly kind: 'not_found';
  readonly what: string;
}
export interface Forbidden {
  readonly kind: 'forbidden';
  readonly reason: string;
}
export interface SignInRequired {
  readonly kind: 'sign_in_required';
}
export interface Invalid {
  readonly kind: 'invalid';
  readonly field: string;
  readonly message: string;
}
export interface Conflict {
  readonly kind: 'conflict';
  readonly message: string;
}

export type Denied = NotFound | Forbidden | SignInRequired;
/** The usual shape: a value, or a refusal, or bad input, or a state that no longer allows it. */
export type Outcome<T> = Ok<T> | Denied | Invalid | Conflict;

export const ok = <T>(value: T): Ok<T> => ({ kind: 'ok', value });
export const notFound = (what: string): NotFound => ({ kind: 'not_found', what });
export const forbidden = (reason: string): Forbidden => ({ kind: 'forbidden', reason });
export const signInRequired = (): SignInRequired => ({ kind: 'sign_in_required' });
export const invalid = (field: string, message: string): Invalid => ({ kind: 'invalid', field, message });
export const conflict = (message: string): Conflict => ({ kind: 'conflict', message });

export function isOk<T>(outcome: Outcome<T>): outcome is Ok<T> {
  return outcome.kind === 'ok';
}
