// `npm run cli -- nlu classify|train|eval`: the intent classifier's tools, on the product model or on any data set in the generic format.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { type Entity, extractEntities } from '../../src/conversation/nlu/entities.js';
import { type EvaluationReport, evaluateIntentModel } from '../../src/conversation/nlu/evaluate-model.js';
import {
  classifyIntent,
  type IntentModel,
  type TrainingData,
  trainIntentModel,
} from '../../src/conversation/nlu/intent-model.js';
import { loadProductModel } from '../../src/conversation/nlu/product-model.js';
import { parseTrainingData, serialiseIntentModel } from '../../src/conversation/nlu/training-data.js';

export interface NluIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export const NLU_USAGE = `Usage: npm run cli -- nlu <subcommand> [options]

  classify [--model DIR]        one utterance per stdin line → one JSON line {"text","intent","confidence","entities"}
  train --data FILE --out DIR [--json]
                                train on FILE ({"intents": {name: [utterance…]}, "out_of_scope": […]}),
                                write DIR/model.json
  eval --data FILE [--model DIR | --train FILE] [--json]
                                in-scope accuracy, out-of-scope recall and precision, macro F1, most confused
                                pairs, latency p50/p99; --train trains in this process first and reports
                                train_seconds; --json prints one JSON object

Without --model (and --train) the product model (src/conversation/nlu/model.json) is used.
--model takes a directory holding model.json, or the model file itself.`;

/** A mistake in the command line: one line on stderr, exit code 2. */
class UsageError extends Error {}
/** A file that cannot be used (missing, not JSON, wrong shape): one line on stderr, exit code 1. */
class InputError extends Error {}

const OPTIONS = {
  classify: { model: { type: 'string' } },
  train: { data: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
  eval: { data: { type: 'string' }, model: { type: 'string' }, train: { type: 'string' }, json: { type: 'boolean' } },
} as const;

type Subcommand = keyof typeof OPTIONS;

export async function runNluCommand(args: readonly string[], io: NluIo): Promise<number> {
  try {
    const [subcommand, ...rest] = args;
    if (subcommand === undefined) throw new UsageError('"nlu" needs a subcommand: classify, train, eval');
    if (subcommand === 'help' || args.includes('--help') || args.includes('-h')) {
      io.stdout.write(`${NLU_USAGE}\n`);
      return 0;
    }
    if (!Object.hasOwn(OPTIONS, subcommand)) {
      throw new UsageError(`unknown nlu subcommand ${JSON.stringify(subcommand)}; subcommands: classify, train, eval`);
    }
    const name = subcommand as Subcommand;
    const values = parseOptions(name, rest);
    let code: number;
    switch (name) {
      case 'classify':
        code = await classifyLines(values.model === undefined ? loadProductModel() : readModel(values.model), io);
        break;
      case 'train':
        code = train(required(values.data, '--data'), required(values.out, '--out'), values.json === true, io);
        break;
      case 'eval':
        if (values.model !== undefined && values.train !== undefined) {
          throw new UsageError('give either --model or --train, not both');
        }
        code = evaluate(required(values.data, '--data'), values, io);
        break;
    }
    // cli.ts exits the process next; a pipe may still hold output until it has drained.
    await new Promise<void>((resolve) => io.stdout.write('', () => resolve()));
    return code;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof InputError) {
      io.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function parseOptions(name: Subcommand, args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: OPTIONS[name], strict: true, allowPositionals: false }).values as {
      data?: string;
      out?: string;
      model?: string;
      train?: string;
      json?: boolean;
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${option} for "nlu ${name}"`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(
        `unexpected argument ${JSON.stringify(/'([^']*)'/.exec(message)?.[1] ?? '')} for "nlu ${name}"`,
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
      throw new UsageError(
        /argument missing|ambiguous/.test(message) ? `${option} needs a value` : `${option} takes no value`,
      );
    }
    throw new UsageError(message.split('. ')[0] ?? message);
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} is required`);
  return value;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new InputError(`cannot read ${what} ${path}${code ? ` (${code})` : ''}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${what} ${path} is not valid JSON`);
  }
}

function readData(path: string): TrainingData {
  const parsed = parseTrainingData(readJson(path, 'data file'));
  if (!parsed.ok) throw new InputError(`data file ${path}: ${parsed.problem}`);
  return parsed.data;
}

function readModel(location: string): IntentModel {
  const path = location.endsWith('.json') ? location : join(location, 'model.json');
  const model = readJson(path, 'model') as Partial<IntentModel> | null;
  if (model === null || typeof model !== 'object' || model.format !== 'intent-model' || model.version !== 1) {
    throw new InputError(`${path} is not an intent model written by "nlu train"`);
  }
  return model as IntentModel;
}

/** Entities for the classify output, in this machine's time zone, with no account or city candidates. */
function entitiesOf(text: string): Entity[] {
  try {
    return extractEntities(text, { now: new Date(), timeZone: MACHINE_TIME_ZONE });
  } catch {
    // The classifier's answer is still worth printing if the extractor trips on odd text.
    return [];
  }
}

const MACHINE_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

async function classifyLines(model: IntentModel, io: NluIo): Promise<number> {
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const { intent, confidence } = classifyIntent(model, line);
    const entities = entitiesOf(line);
    const written = io.stdout.write(
      `${JSON.stringify({ text: line, intent, confidence: round(confidence), entities })}\n`,
    );
    if (!written) await new Promise<void>((resolve) => io.stdout.once('drain', () => resolve()));
  }
  return 0;
}

function train(dataPath: string, outDir: string, json: boolean, io: NluIo): number {
  const data = readData(dataPath);
  const started = performance.now();
  const model = trainIntentModel(data);
  const seconds = (performance.now() - started) / 1000;
  const path = join(outDir, 'model.json');
  try {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path, serialiseIntentModel(model));
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new InputError(`cannot write ${path}${code ? ` (${code})` : ''}`);
  }
  const summary = {
    model: path,
    intents: model.labels.filter((label) => label !== 'out_of_scope').length,
    examples: countExamples(data),
    threshold: model.threshold,
    train_seconds: round(seconds, 3),
  };
  io.stdout.write(
    json
      ? `${JSON.stringify(summary)}\n`
      : `trained ${summary.intents} intents on ${summary.examples} utterances in ${seconds.toFixed(1)} s → ${path}\n`,
  );
  return 0;
}

function countExamples(data: TrainingData): number {
  return Object.values(data.intents).reduce((sum, list) => sum + list.length, 0) + (data.out_of_scope?.length ?? 0);
}

function evaluate(dataPath: string, values: { model?: string; train?: string; json?: boolean }, io: NluIo): number {
  const test = readData(dataPath);
  let model: IntentModel;
  let trainSeconds: number | null = null;
  if (values.train !== undefined) {
    const trainingData = readData(values.train);
    const started = performance.now();
    model = trainIntentModel(trainingData);
    trainSeconds = round((performance.now() - started) / 1000, 3);
  } else {
    model = values.model === undefined ? loadProductModel() : readModel(values.model);
  }
  const report = evaluateIntentModel(model, test);
  if (values.json === true) {
    const { errors: _errors, ...rest } = report;
    io.stdout.write(`${JSON.stringify({ ...rest, train_seconds: trainSeconds })}\n`);
  } else {
    io.stdout.write(describeReport(report, trainSeconds));
  }
  return 0;
}

const percent = (value: number) => `${(value * 100).toFixed(2)}%`;

function describeReport(report: EvaluationReport, trainSeconds: number | null): string {
  const lines = [
    `examples:            ${report.examples} (${report.in_scope_examples} in scope, ${report.oos_examples} out of scope)`,
    `in-scope accuracy:   ${percent(report.in_scope_accuracy)}`,
    `out-of-scope recall: ${percent(report.oos_recall)}`,
    `out-of-scope prec.:  ${percent(report.oos_precision)}`,
    `macro F1:            ${report.macro_f1.toFixed(4)}`,
    `latency:             p50 ${report.latency_ms.p50.toFixed(3)} ms, p99 ${report.latency_ms.p99.toFixed(3)} ms`,
  ];
  if (trainSeconds !== null) lines.push(`training:            ${trainSeconds.toFixed(2)} s`);
  if (report.confused.length > 0) {
    lines.push('most confused (expected → predicted):');
    for (const pair of report.confused)
      lines.push(`  ${String(pair.count).padStart(4)}  ${pair.expected} → ${pair.predicted}`);
  }
  return `${lines.join('\n')}\n`;
}

function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
