// Parses the runtime's environment once, at the edge, into a typed Config; the core itself reads no env.
import { z } from 'zod';
import { type DatabaseTarget, parseDatabaseUrl } from './db/database-url.js';
import { AppError } from './errors.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseTarget;
  readonly logLevel: LogLevel;
  /** How many call detail records the first-start demo seed generates. */
  readonly seedCdrs: number;
  /** Whether to load the demo data on first start, when the database has no accounts. */
  readonly demoData: boolean;
  readonly webChat: WebChatConfig;
  /** The Slack app; null (Slack routes off) unless both the signing secret and the bot token are set. */
  readonly slack: SlackConfig | null;
  /**
   * The Microsoft Teams bot. With no app id it runs in local mode (no token checked: the Bot Framework Emulator,
   * tests), which production never does: there, no app id means Teams is off (null).
   */
  readonly teams: TeamsConfig | null;
  /** Abuse limits per client, socket and handoff; null when RATE_LIMITS=off (a loopback load benchmark). */
  readonly limits: AbuseLimits | null;
}

/** Limits that hold against one client flooding the service, counted in the database across instances. */
export interface AbuseLimits {
  /**
   * The header a trusted reverse proxy sets to the client's address (e.g. x-forwarded-for,
   * cf-connecting-ip); its last value is taken. Null: the connection's own address, headers ignored.
   */
  readonly trustedProxyHeader: string | null;
  /** Chat sessions one client address may start per hour. */
  readonly clientSessionsPerHour: number;
  /** Sign-in attempts (PIN or portal token) from one client address per hour, whatever the session. */
  readonly clientSignInsPerHour: number;
  /** Chat messages from one client address per minute, across all its sessions. */
  readonly clientMessagesPerMinute: number;
  /** Open WebSockets and event streams per chat session… */
  readonly socketsPerSession: number;
  /** …and per client address (per instance: a socket lives on one). */
  readonly socketsPerClient: number;
  /** New requests for a person per conversation per hour. */
  readonly handoffsPerConversationPerHour: number;
  /** New requests for a person from visitors who have not signed in, per client address per hour. */
  readonly anonymousHandoffsPerClientPerHour: number;
}

export const DEFAULT_ABUSE_LIMITS: AbuseLimits = {
  trustedProxyHeader: null,
  clientSessionsPerHour: 300,
  clientSignInsPerHour: 30,
  clientMessagesPerMinute: 120,
  socketsPerSession: 5,
  socketsPerClient: 100,
  handoffsPerConversationPerHour: 3,
  anonymousHandoffsPerClientPerHour: 5,
};

export interface SlackConfig {
  readonly signingSecret: string;
  readonly botToken: string;
  /** Base URL of the Slack Web API (tests point it at a stand-in). */
  readonly apiUrl: string;
  /** An answer slower than this shows "Working on it…" first (default 1,000 ms; tests set 0). */
  readonly progressAfterMs?: number;
}

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export const TEAMS_APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

export interface TeamsConfig {
  /** The bot's Microsoft App ID; null is local mode: no token is checked or sent (Bot Framework Emulator, tests). */
  readonly appId: string | null;
  readonly appPassword: string | null;
  /** The Entra tenant of a SingleTenant (or managed identity) bot. */
  readonly appTenantId: string | null;
  readonly appType: (typeof TEAMS_APP_TYPES)[number];
}

/** The web chat's secrets, origins, session lifetimes and flood limit. */
export interface WebChatConfig {
  /**
   * HMAC-SHA256 key for the session tokens a portal hands the widget. Null when unset, which only a
   * non-production run allows: the Node root then makes a random one per start and warns.
   */
  readonly portalSessionSecret: string | null;
  /** HMAC key for file download URLs; null derives one from the portal session secret. */
  readonly fileUrlSecret: string | null;
  /** Page origins allowed to open the chat socket and call the chat API, besides the service's own. */
  readonly allowedOrigins: readonly string[];
  /** A session ends after this long without activity… */
  readonly sessionIdleMinutes: number;
  /** …and this long after it began (or after its last sign-in), whatever the activity. */
  readonly sessionMaxHours: number;
  /** How long a file download link stays valid. */
  readonly fileUrlMinutes: number;
  /** Files sent in chats (reports, invoices) are deleted this many days after they were sent (default 30). */
  readonly fileRetentionDays?: number;
  /** At most this many messages (and sign-in attempts) per session… */
  readonly rateLimitMessages: number;
  /** …in any window of this many seconds. */
  readonly rateLimitWindowSeconds: number;
}

export const DEFAULT_SEED_CDRS = 20_000;

const seen = (value: unknown) => `got ${JSON.stringify(value)}`;

function wholeNumber(min: number, max: number) {
  const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
  return z
    .string()
    .refine((v) => /^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max, {
      error: (issue) => `must be a whole number ${range}, ${seen(issue.input)}`,
    })
    .transform((v) => Number(v));
}

const EnvSchema = z.object({
  PORT: wholeNumber(1, 65_535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().optional(),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: (issue) => `must be one of ${LOG_LEVELS.join(', ')}, ${seen(issue.input)}` })
    .default('info'),
  SEED_CDRS: wholeNumber(0, Number.MAX_SAFE_INTEGER).default(DEFAULT_SEED_CDRS),
  DEMO_DATA: z
    .enum(['true', 'false'], { error: (issue) => `must be true or false, ${seen(issue.input)}` })
    .default('true'),
  NODE_ENV: z.string().optional(),
  PORTAL_SESSION_SECRET: secret().optional(),
  FILE_URL_SECRET: secret().optional(),
  WEBCHAT_ALLOWED_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .refine((origins) => origins.every(isOrigin), {
      error: (issue) =>
        `must be a comma-separated list of origins like https://portal.example.com (scheme, host, optional port; no path), ${seen(issue.input)}`,
    })
    .optional(),
  WEBCHAT_SESSION_IDLE_MINUTES: wholeNumber(1, 24 * 60).default(30),
  WEBCHAT_SESSION_MAX_HOURS: wholeNumber(1, 24 * 30).default(12),
  WEBCHAT_FILE_URL_MINUTES: wholeNumber(1, 24 * 60).default(15),
  WEBCHAT_FILE_RETENTION_DAYS: wholeNumber(1, 3650).default(30),
  WEBCHAT_RATE_LIMIT_MESSAGES: wholeNumber(1, 10_000).default(20),
  WEBCHAT_RATE_LIMIT_WINDOW_SECONDS: wholeNumber(1, 3600).default(10),
  RATE_LIMITS: z.enum(['on', 'off'], { error: (issue) => `must be on or off, ${seen(issue.input)}` }).default('on'),
  TRUSTED_PROXY_HEADER: z
    .string()
    .refine((v) => /^[A-Za-z0-9-]{1,64}$/.test(v), { error: (issue) => `must be a header name like x-forwarded-for, ${seen(issue.input)}` })
    .transform((v) => v.toLowerCase())
    .optional(),
  CLIENT_SESSIONS_PER_HOUR: wholeNumber(1, 1_000_000).default(DEFAULT_ABUSE_LIMITS.clientSessionsPerHour),
  CLIENT_SIGN_INS_PER_HOUR: wholeNumber(1, 1_000_000).default(DEFAULT_ABUSE_LIMITS.clientSignInsPerHour),
  CLIENT_MESSAGES_PER_MINUTE: wholeNumber(1, 1_000_000).default(DEFAULT_ABUSE_LIMITS.clientMessagesPerMinute),
  SOCKETS_PER_SESSION: wholeNumber(1, 1000).default(DEFAULT_ABUSE_LIMITS.socketsPerSession),
  SOCKETS_PER_CLIENT: wholeNumber(1, 1_000_000).default(DEFAULT_ABUSE_LIMITS.socketsPerClient),
  HANDOFFS_PER_CONVERSATION_PER_HOUR: wholeNumber(1, 1000).default(DEFAULT_ABUSE_LIMITS.handoffsPerConversationPerHour),
  ANONYMOUS_HANDOFFS_PER_CLIENT_PER_HOUR: wholeNumber(1, 1_000_000).default(DEFAULT_ABUSE_LIMITS.anonymousHandoffsPerClientPerHour),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_BOT_TOKEN: z
    .string()
    .refine((v) => v.startsWith('xoxb-'), { error: () => 'must be a bot token (starts with xoxb-)' })
    .optional(),
  SLACK_API_URL: z
    .string()
    .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), {
      error: (issue) => `must be an http(s) URL, ${seen(issue.input)}`,
    })
    .optional(),
  MicrosoftAppId: z.string().optional(),
  MicrosoftAppPassword: z.string().optional(),
  MicrosoftAppTenantId: z.string().optional(),
  MicrosoftAppType: z
    .enum(TEAMS_APP_TYPES, { error: (issue) => `must be one of ${TEAMS_APP_TYPES.join(', ')}, ${seen(issue.input)}` })
    .default('MultiTenant'),
});

function secret() {
  return z.string().refine((v) => v.length >= 32, {
    error: () => 'must be at least 32 characters (for example the output of `openssl rand -base64 32`)',
  });
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** Reads the variables the Node runtime understands; a bad one throws AppError('config_invalid', "NAME: what is wrong"). */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // An empty variable (`PORT=`) means "use the default", as most shells and .env files intend.
  const present: Record<string, string> = {};
  for (const name of Object.keys(EnvSchema.shape)) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') present[name] = value.trim();
  }
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new AppError('config_invalid', `${name}: ${issue?.message ?? 'is invalid'}`);
  }
  const values = parsed.data;
  if (values.NODE_ENV === 'production' && !values.PORTAL_SESSION_SECRET) {
    // A generated key would change on every restart and differ between instances, ending every session.
    throw new AppError(
      'config_invalid',
      'PORTAL_SESSION_SECRET: is required when NODE_ENV=production (at least 32 characters)',
    );
  }
  if (values.NODE_ENV === 'production' && values.RATE_LIMITS === 'off') {
    // Off is for a load benchmark on loopback; a production service without limits is open to any flood.
    throw new AppError('config_invalid', 'RATE_LIMITS: cannot be off when NODE_ENV=production');
  }
  if (Boolean(values.SLACK_SIGNING_SECRET) !== Boolean(values.SLACK_BOT_TOKEN)) {
    const missing = values.SLACK_SIGNING_SECRET ? 'SLACK_BOT_TOKEN' : 'SLACK_SIGNING_SECRET';
    throw new AppError(
      'config_invalid',
      `${missing}: is required when the other Slack setting is set (set both, or neither to keep Slack off)`,
    );
  }
  if (values.MicrosoftAppId && values.MicrosoftAppType !== 'UserAssignedMSI' && !values.MicrosoftAppPassword) {
    throw new AppError('config_invalid', 'MicrosoftAppPassword: is required when MicrosoftAppId is set (the bot\'s client secret)');
  }
  if (values.MicrosoftAppId && values.MicrosoftAppType !== 'MultiTenant' && !values.MicrosoftAppTenantId) {
    throw new AppError('config_invalid', `MicrosoftAppTenantId: is required when MicrosoftAppType is ${values.MicrosoftAppType}`);
  }
  if (!values.MicrosoftAppId && (values.MicrosoftAppPassword || values.MicrosoftAppTenantId)) {
    throw new AppError('config_invalid', 'MicrosoftAppId: is required when MicrosoftAppPassword or MicrosoftAppTenantId is set');
  }
  return {
    port: values.PORT,
    host: values.HOST,
    // parseDatabaseUrl's messages already name DATABASE_URL and never show a password.
    database: parseDatabaseUrl(values.DATABASE_URL),
    logLevel: values.LOG_LEVEL,
    seedCdrs: values.SEED_CDRS,
    demoData: values.DEMO_DATA === 'true',
    webChat: {
      portalSessionSecret: values.PORTAL_SESSION_SECRET ?? null,
      fileUrlSecret: values.FILE_URL_SECRET ?? null,
      allowedOrigins: (values.WEBCHAT_ALLOWED_ORIGINS ?? []).map((o) => o.replace(/\/$/, '')),
      sessionIdleMinutes: values.WEBCHAT_SESSION_IDLE_MINUTES,
      sessionMaxHours: values.WEBCHAT_SESSION_MAX_HOURS,
      fileUrlMinutes: values.WEBCHAT_FILE_URL_MINUTES,
      fileRetentionDays: values.WEBCHAT_FILE_RETENTION_DAYS,
      rateLimitMessages: values.WEBCHAT_RATE_LIMIT_MESSAGES,
      rateLimitWindowSeconds: values.WEBCHAT_RATE_LIMIT_WINDOW_SECONDS,
    },
    slack:
      values.SLACK_SIGNING_SECRET && values.SLACK_BOT_TOKEN
        ? {
            signingSecret: values.SLACK_SIGNING_SECRET,
            botToken: values.SLACK_BOT_TOKEN,
            apiUrl: values.SLACK_API_URL ?? DEFAULT_SLACK_API_URL,
          }
        : null,
    teams:
      values.MicrosoftAppId || values.NODE_ENV !== 'production'
        ? {
            appId: values.MicrosoftAppId ?? null,
            appPassword: values.MicrosoftAppPassword ?? null,
            appTenantId: values.MicrosoftAppTenantId ?? null,
            appType: values.MicrosoftAppType,
          }
        : null,
    limits:
      values.RATE_LIMITS === 'off'
        ? null
        : {
            trustedProxyHeader: values.TRUSTED_PROXY_HEADER ?? null,
            clientSessionsPerHour: values.CLIENT_SESSIONS_PER_HOUR,
            clientSignInsPerHour: values.CLIENT_SIGN_INS_PER_HOUR,
            clientMessagesPerMinute: values.CLIENT_MESSAGES_PER_MINUTE,
            socketsPerSession: values.SOCKETS_PER_SESSION,
            socketsPerClient: values.SOCKETS_PER_CLIENT,
            handoffsPerConversationPerHour: values.HANDOFFS_PER_CONVERSATION_PER_HOUR,
            anonymousHandoffsPerClientPerHour: values.ANONYMOUS_HANDOFFS_PER_CLIENT_PER_HOUR,
          },
  };
}
