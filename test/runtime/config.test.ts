import { describe, expect, it } from 'vitest';
import { DEFAULT_ABUSE_LIMITS, parseConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';

function problemWith(env: Record<string, string>): AppError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('parseConfig', () => {
  it('runs on SQLite at data/support.db, port 3000, with demo data, when nothing is set', () => {
    expect(parseConfig({})).toEqual({
      port: 3000,
      host: '0.0.0.0',
      database: { engine: 'sqlite', path: 'data/support.db' },
      logLevel: 'info',
      seedCdrs: 20_000,
      demoData: true,
      webChat: {
        portalSessionSecret: null,
        fileUrlSecret: null,
        allowedOrigins: [],
        sessionIdleMinutes: 30,
        sessionMaxHours: 12,
        fileUrlMinutes: 15,
        fileRetentionDays: 30,
        rateLimitMessages: 20,
        rateLimitWindowSeconds: 10,
      },
      slack: null,
      teams: { appId: null, appPassword: null, appTenantId: null, appType: 'MultiTenant' },
      limits: {
        trustedProxyHeader: null,
        clientSessionsPerHour: 300,
        clientSignInsPerHour: 30,
        clientMessagesPerMinute: 120,
        socketsPerSession: 5,
        socketsPerClient: 100,
        handoffsPerConversationPerHour: 3,
        anonymousHandoffsPerClientPerHour: 5,
      },
    });
  });

  it('reads every variable it knows', () => {
    expect(
      parseConfig({
        PORT: '8080',
        HOST: '127.0.0.1',
        DATABASE_URL: 'postgres://app@db.internal:5432/support',
        LOG_LEVEL: 'debug',
        SEED_CDRS: '0',
        DEMO_DATA: 'false',
        NODE_ENV: 'production',
        PORTAL_SESSION_SECRET: 'p'.repeat(32),
        FILE_URL_SECRET: 'f'.repeat(40),
        WEBCHAT_ALLOWED_ORIGINS: 'https://portal.example.com, http://localhost:8080/',
        WEBCHAT_SESSION_IDLE_MINUTES: '10',
        WEBCHAT_SESSION_MAX_HOURS: '2',
        WEBCHAT_FILE_URL_MINUTES: '5',
        WEBCHAT_FILE_RETENTION_DAYS: '7',
        WEBCHAT_RATE_LIMIT_MESSAGES: '8',
        WEBCHAT_RATE_LIMIT_WINDOW_SECONDS: '4',
        RATE_LIMITS: 'on',
        TRUSTED_PROXY_HEADER: 'X-Forwarded-For',
        CLIENT_SESSIONS_PER_HOUR: '50',
        CLIENT_SIGN_INS_PER_HOUR: '6',
        CLIENT_MESSAGES_PER_MINUTE: '70',
        SOCKETS_PER_SESSION: '2',
        SOCKETS_PER_CLIENT: '40',
        HANDOFFS_PER_CONVERSATION_PER_HOUR: '1',
        ANONYMOUS_HANDOFFS_PER_CLIENT_PER_HOUR: '2',
        SLACK_SIGNING_SECRET: 'slack-signing-secret',
        SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
        SLACK_API_URL: 'http://127.0.0.1:9999/api/',
        MicrosoftAppId: '11111111-2222-3333-4444-555555555555',
        MicrosoftAppPassword: 'teams-client-secret',
        MicrosoftAppTenantId: '5a1e5a1e-0000-0000-0000-000000000001',
        MicrosoftAppType: 'SingleTenant',
      }),
    ).toEqual({
      port: 8080,
      host: '127.0.0.1',
      database: { engine: 'postgres', url: 'postgres://app@db.internal:5432/support' },
      logLevel: 'debug',
      seedCdrs: 0,
      demoData: false,
      webChat: {
        portalSessionSecret: 'p'.repeat(32),
        fileUrlSecret: 'f'.repeat(40),
        allowedOrigins: ['https://portal.example.com', 'http://localhost:8080'],
        sessionIdleMinutes: 10,
        sessionMaxHours: 2,
        fileUrlMinutes: 5,
        fileRetentionDays: 7,
        rateLimitMessages: 8,
        rateLimitWindowSeconds: 4,
      },
      slack: { signingSecret: 'slack-signing-secret', botToken: 'xoxb-1-2-abc', apiUrl: 'http://127.0.0.1:9999/api/' },
      teams: {
        appId: '11111111-2222-3333-4444-555555555555',
        appPassword: 'teams-client-secret',
        appTenantId: '5a1e5a1e-0000-0000-0000-000000000001',
        appType: 'SingleTenant',
      },
      limits: {
        trustedProxyHeader: 'x-forwarded-for',
        clientSessionsPerHour: 50,
        clientSignInsPerHour: 6,
        clientMessagesPerMinute: 70,
        socketsPerSession: 2,
        socketsPerClient: 40,
        handoffsPerConversationPerHour: 1,
        anonymousHandoffsPerClientPerHour: 2,
      },
    });
  });

  it('turns every abuse limit off together with RATE_LIMITS=off, but never in production', () => {
    expect(parseConfig({}).limits).toEqual(DEFAULT_ABUSE_LIMITS);
    expect(parseConfig({ RATE_LIMITS: 'off' }).limits).toBeNull();
    expect(parseConfig({ RATE_LIMITS: 'off', NODE_ENV: 'test' }).limits).toBeNull();
    expect(() => parseConfig({ RATE_LIMITS: 'off', NODE_ENV: 'production', PORTAL_SESSION_SECRET: 'p'.repeat(32) })).toThrow(
      'RATE_LIMITS: cannot be off when NODE_ENV=production',
    );
  });

  it('turns Slack on only with both its secret and its token', () => {
    expect(parseConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' }).slack).toEqual({
      signingSecret: 's',
      botToken: 'xoxb-1',
      apiUrl: 'https://slack.com/api/',
    });
    expect(() => parseConfig({ SLACK_SIGNING_SECRET: 's' })).toThrow(/SLACK_BOT_TOKEN: is required/);
    expect(() => parseConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET: is required/);
    expect(() => parseConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxp-user' })).toThrow(/SLACK_BOT_TOKEN: must be a bot token/);
    expect(() => parseConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_API_URL: 'not a url' })).toThrow(/SLACK_API_URL/);
  });

  it('runs Teams in local mode without an app id (never in production), and asks for the secret and tenant an app id needs', () => {
    expect(parseConfig({})?.teams?.appId).toBeNull();
    // Unauthenticated local mode is never on in production: there Teams needs its app id.
    expect(parseConfig({ NODE_ENV: 'production', PORTAL_SESSION_SECRET: 'p'.repeat(32) }).teams).toBeNull();
    expect(parseConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret' }).teams).toEqual({
      appId: 'app',
      appPassword: 'secret',
      appTenantId: null,
      appType: 'MultiTenant',
    });
    expect(() => parseConfig({ MicrosoftAppId: 'app' })).toThrow(/MicrosoftAppPassword: is required/);
    expect(() => parseConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 's', MicrosoftAppType: 'SingleTenant' })).toThrow(
      /MicrosoftAppTenantId: is required when MicrosoftAppType is SingleTenant/,
    );
    expect(() => parseConfig({ MicrosoftAppPassword: 's' })).toThrow(/MicrosoftAppId: is required/);
    expect(() => parseConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 's', MicrosoftAppType: 'Single' })).toThrow(/MicrosoftAppType: must be one of/);
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig({ PORT: '', DATABASE_URL: ' ' })).toMatchObject({ port: 3000, database: { engine: 'sqlite' } });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT: must be a whole number from 1 to 65535, got "abc"'],
    [{ PORT: '0' }, 'PORT: '],
    [{ PORT: '65536' }, 'PORT: '],
    [{ PORT: '80.5' }, 'PORT: '],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [{ SEED_CDRS: '-5' }, 'SEED_CDRS: must be a whole number 0 or more, got "-5"'],
    [{ SEED_CDRS: 'many' }, 'SEED_CDRS: '],
    [{ DEMO_DATA: 'yes' }, 'DEMO_DATA: must be true or false, got "yes"'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL "mysql://x" is not supported'],
    [{ DATABASE_URL: 'postgres://' }, 'DATABASE_URL "postgres://" names no PostgreSQL host'],
    [{ NODE_ENV: 'production' }, 'PORTAL_SESSION_SECRET: is required when NODE_ENV=production'],
    [{ PORTAL_SESSION_SECRET: 'short' }, 'PORTAL_SESSION_SECRET: must be at least 32 characters'],
    [{ FILE_URL_SECRET: 'short' }, 'FILE_URL_SECRET: must be at least 32 characters'],
    [{ WEBCHAT_ALLOWED_ORIGINS: 'https://portal.example.com/chat' }, 'WEBCHAT_ALLOWED_ORIGINS: must be a comma-separated list of origins'],
    [{ WEBCHAT_ALLOWED_ORIGINS: 'portal.example.com' }, 'WEBCHAT_ALLOWED_ORIGINS: '],
    [{ WEBCHAT_SESSION_IDLE_MINUTES: '0' }, 'WEBCHAT_SESSION_IDLE_MINUTES: must be a whole number from 1 to 1440'],
    [{ WEBCHAT_RATE_LIMIT_MESSAGES: 'lots' }, 'WEBCHAT_RATE_LIMIT_MESSAGES: '],
    [{ RATE_LIMITS: 'false' }, 'RATE_LIMITS: must be on or off, got "false"'],
    [{ TRUSTED_PROXY_HEADER: 'x forwarded for' }, 'TRUSTED_PROXY_HEADER: must be a header name'],
    [{ CLIENT_SESSIONS_PER_HOUR: '0' }, 'CLIENT_SESSIONS_PER_HOUR: must be a whole number'],
    [{ CLIENT_MESSAGES_PER_MINUTE: 'many' }, 'CLIENT_MESSAGES_PER_MINUTE: '],
    [{ SOCKETS_PER_SESSION: '-1' }, 'SOCKETS_PER_SESSION: '],
    [{ ANONYMOUS_HANDOFFS_PER_CLIENT_PER_HOUR: '1.5' }, 'ANONYMOUS_HANDOFFS_PER_CLIENT_PER_HOUR: '],
  ])('refuses %j in one line naming the variable', (env, expected) => {
    const error = problemWith(env);
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain('\n');
  });

  it('never repeats a secret in its complaint', () => {
    const error = problemWith({ PORTAL_SESSION_SECRET: 'tooShortSecretValue' });
    expect(error.message).not.toContain('tooShortSecretValue');
  });

  it('never repeats a database password in its complaint', () => {
    const error = problemWith({ DATABASE_URL: 'mysql://admin:s3cret@db/x' });
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).not.toContain('s3cret');
  });
});
