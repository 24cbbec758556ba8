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
});

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
  return {
    port: values.PORT,
    host: values.HOST,
    // parseDatabaseUrl's messages already name DATABASE_URL and never show a password.
    database: parseDatabaseUrl(values.DATABASE_URL),
    logLevel: values.LOG_LEVEL,
    seedCdrs: values.SEED_CDRS,
    demoData: values.DEMO_DATA === 'true',
  };
}
