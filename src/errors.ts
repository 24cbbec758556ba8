// One error type for bugs and outages, with a closed list of codes, and the one place that maps
// codes to HTTP statuses and to calm chat text. Expected outcomes are values, not AppErrors.

export type ErrorCode =
  | 'config_invalid'
  | 'database_unreachable'
  | 'schema_too_new'
  | 'bad_request'
  | 'unauthorized'
  | 'payload_too_large'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'rate_limited'
  | 'internal';

export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  config_invalid: 500,
  database_unreachable: 503,
  schema_too_new: 503,
  bad_request: 400,
  unauthorized: 401,
  payload_too_large: 413,
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
};

export const CHAT_TEXT_BY_CODE: Record<ErrorCode, string> = {
  config_invalid: 'Sorry, the assistant is not set up correctly right now. Please try again later.',
  database_unreachable: 'Sorry, I cannot reach our records right now. Please try again in a few minutes.',
  schema_too_new: 'Sorry, the assistant is being updated. Please try again in a few minutes.',
  bad_request: "Sorry, I couldn't understand that request.",
  unauthorized: 'Your chat session has ended. Please start again.',
  payload_too_large: 'That message is too long. Please keep messages under 4 KB.',
  not_found: "I couldn't find that.",
  forbidden: "Sorry, you don't have permission to do that.",
  conflict: 'That has changed since you last looked. Please try again.',
  rate_limited: "You're sending messages faster than I can answer. Please wait a moment.",
  internal: 'Sorry, something went wrong on our side. Please try again.',
};

/**
 * Strips the password from a database URL, or from every URL in a message, so it can be named in
 * an error or a log line. Everything up to the last "@" goes, as a malformed URL's password may
 * itself hold "@" or "/".
 */
export function redactUrl(text: string): string {
  return text.replace(/\/\/([^:@/\s]*):\S*@/g, '//$1:***@');
}
