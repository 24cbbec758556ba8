// What the staff-facing surfaces (the Slack app, the agent console) need beyond the per-topic use cases.
export * from './channel-events.js';
export * from './dashboard.js';
