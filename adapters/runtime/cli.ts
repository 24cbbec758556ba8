// The operator CLI (`npm run cli -- <command>`): migrate, seed demo data, list accounts. Runs where the database is.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import type { Command } from './cli-commands.js';
import { failureLine } from './startup.js';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate [--down]              apply every migration (--down: revert them all); prints the schema version
  seed [--cdrs N] [--seed N] [--as-of YYYY-MM-DD]
                                migrate, then load the demo data into an empty database
  accounts [--json] [--org NAME]
                                list accounts (number, name, organisation, parent, status, time zone);
                                --org takes an organisation's exact name, in any case
  chat --as EMAIL [--json] [--files-dir DIR]
                                talk to the assistant as a portal user or staff member; without a
                                terminal, one message per input line and one JSON reply per line
                                ("/press LABEL" presses a button)
  nlu classify|train|eval [...]  the intent classifier's tools (npm run cli -- nlu help)
  link-chat-user --channel slack|teams --tenant ID --user ID --staff EMAIL
                                link a Slack user (workspace T…, user U…) or a Teams user (tenant id,
                                user id) to a staff member, so the app answers them as that staff member
  report list [--json]          the report catalogue (id, title, category, filters)
  report NAME --account N [--children] --from DATE --to DATE [--tz ZONE] --format pdf|csv --out FILE [--as EMAIL]
                                one report as a PDF or CSV file (npm run cli -- report help)
  help                          show this text

The database comes from DATABASE_URL (default: SQLite at data/support.db).`;

/** A mistake in the command line: reported in one line, exit code 2, before anything is opened. */
class UsageError extends Error {}

const OPTIONS = {
  migrate: { down: { type: 'boolean' } },
  seed: { cdrs: { type: 'string' }, seed: { type: 'string' }, 'as-of': { type: 'string' } },
  accounts: { json: { type: 'boolean' }, org: { type: 'string' } },
  'link-chat-user': {
    channel: { type: 'string' },
    tenant: { type: 'string' },
    user: { type: 'string' },
    staff: { type: 'string' },
  },
  help: {},
} as const satisfies Record<string, NonNullable<ParseArgsConfig['options']>>;

type CommandName = keyof typeof OPTIONS;

function parseCommandLine(argv: readonly string[]): Command | { name: 'help' } {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || rest.includes('--help') || rest.includes('-h')) {
    return { name: 'help' };
  }
  if (!Object.hasOwn(OPTIONS, first)) {
    const commands = Object.keys(OPTIONS).join(', ');
    throw new UsageError(
      first.startsWith('-')
        ? `expected a command before ${JSON.stringify(first)}; commands: ${commands}`
        : `unknown command ${JSON.stringify(first)}; commands: ${commands}`,
    );
  }
  const name = first as CommandName;
  switch (name) {
    case 'help':
      parseOptions(name, rest);
      return { name };
    case 'migrate': {
      const values = parseOptions(name, rest);
      return { name, down: values.down === true };
    }
    case 'seed': {
      const values = parseOptions(name, rest);
      return {
        name,
        cdrs: wholeNumber('--cdrs', values.cdrs),
        seed: wholeNumber('--seed', values.seed),
        asOf: calendarDate('--as-of', values['as-of']),
      };
    }
    case 'accounts': {
      const values = parseOptions(name, rest);
      if (values.org !== undefined && values.org.trim() === '')
        throw new UsageError('--org needs an organisation name');
      return { name, json: values.json === true, org: values.org?.trim() };
    }
    case 'link-chat-user': {
      const values = parseOptions(name, rest);
      if (values.channel !== 'slack' && values.channel !== 'teams')
        throw new UsageError('--channel must be slack or teams');
      for (const option of ['tenant', 'user', 'staff'] as const) {
        if (!values[option]?.trim()) throw new UsageError(`--${option} is required`);
      }
      return {
        name,
        channel: values.channel,
        tenant: values.tenant?.trim() ?? '',
        user: values.user?.trim() ?? '',
        staff: values.staff?.trim() ?? '',
      };
    }
  }
}

function parseOptions<N extends CommandName>(name: N, args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: OPTIONS[name], strict: true, allowPositionals: false }).values as {
      [K in keyof (typeof OPTIONS)[N]]?: (typeof OPTIONS)[N][K] extends { type: 'boolean' } ? boolean : string;
    };
  } catch (error) {
    throw new UsageError(describeParseArgsError(name, args, error));
  }
}

// node:util's messages are long and suggest `--` tricks; say the same thing in a few words.
function describeParseArgsError(command: string, args: readonly string[], error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? message} for "${command}" (see: npm run cli -- help)`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(/'([^']*)'/.exec(message)?.[1] ?? '')} for "${command}"`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      if (option === undefined) return message.split('. ')[0] ?? message;
      const index = args.findIndex((arg) => arg === option || arg.startsWith(`${option}=`));
      const next = index >= 0 ? args[index + 1] : undefined;
      if (/argument missing|ambiguous/.test(message)) {
        if (next === undefined) return `${option} needs a value`;
        // `--cdrs -5` reaches here, as parseArgs takes "-5" for an option: give the value's own complaint.
        if (NUMERIC_FLAGS.has(option) && /^-\d/.test(next)) return wholeNumberProblem(option, next);
        return `${option} needs a value, got ${JSON.stringify(next)} (write ${option}=VALUE for a value starting with "-")`;
      }
      return `${option} does not take a value`;
    }
    default:
      return message.split('. ')[0] ?? message;
  }
}

const NUMERIC_FLAGS = new Set(['--cdrs', '--seed']);

function wholeNumberProblem(flag: string, value: string): string {
  return `${flag} must be a whole number 0 or more, got ${JSON.stringify(value)}`;
}

function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number)) throw new UsageError(wholeNumberProblem(flag, value));
  return number;
}

function calendarDate(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`${flag} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  return value;
}

async function main(): Promise<void> {
  // The NLU tools need no database; they parse their own options (see cli-nlu.ts).
  if (process.argv[2] === 'nlu')
    process.exit(await (await import('./cli-nlu.js')).runNluCommand(process.argv.slice(3), process));
  if (process.argv[2] === 'report') {
    const io = {
      stdout: (t: string) => process.stdout.write(t),
      stderr: (t: string) => process.stderr.write(t),
      env: process.env,
    };
    process.exit(await (await import('./cli-report.js')).runReportCommand(process.argv.slice(3), io));
  }
  if (process.argv[2] === 'chat') {
    try {
      const target = parseDatabaseUrl(process.env.DATABASE_URL);
      process.exit(await (await import('./cli-chat.js')).runChatCommand(process.argv.slice(3), target, process));
    } catch (error) {
      process.stderr.write(`${failureLine(error)}\n`);
      process.exit(1);
    }
  }
  let command: Command | { name: 'help' };
  try {
    command = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  }
  if (command.name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  try {
    // Parsed before anything is opened, so a bad URL creates no file. The database layer loads
    // only now: a mistyped command line is answered without paying for drivers.
    const target = parseDatabaseUrl(process.env.DATABASE_URL);
    const { runCommand } = await import('./cli-commands.js');
    await runCommand(command, target);
  } catch (error) {
    process.stderr.write(`${failureLine(error)}\n`);
    process.exit(1);
  }
}

await main();
