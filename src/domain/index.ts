// The domain's public surface: every use case takes (context, actor, input) and returns an outcome value.
export * from './accounts/index.js';
export * from './accounts/users.js';
export * from './actor.js';
export * from './authorization.js';
export * from './billing/index.js';
export * from './context.js';
export * from './handoff/index.js';
export * from './handoff/request.js';
export * from './identity/index.js';
export * from './outages/index.js';
export * from './payments/index.js';
export * from './rate-limits.js';
export * from './result.js';
export * from './services/index.js';
export * from './staff/index.js';
export * from './tickets/index.js';
export { hashSecret, verifySecret } from './secrets.js';
