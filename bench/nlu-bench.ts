// `npm run bench:nlu`: training time, classification latency and accuracy of the intent classifier, on the
// project's data and on a synthetic CLINC150-sized set (150 intents × 100 utterances + out-of-scope).
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { PRODUCT_TRAINING_OPTIONS, TEST_DATA_PATH, TRAINING_DATA_PATH } from '../fixtures/nlu/build-model.js';
import { evaluateIntentModel } from '../src/conversation/nlu/evaluate-model.js';
import {
  classifyIntent,
  type IntentModel,
  type IntentTrainingOptions,
  type TrainingData,
  trainIntentModel,
} from '../src/conversation/nlu/intent-model.js';
import { loadProductModel } from '../src/conversation/nlu/product-model.js';
import { createProductUnderstanding } from '../src/conversation/index.js';
import { serialiseIntentModel } from '../src/conversation/nlu/training-data.js';
import { syntheticIntentData } from './nlu-synthetic.js';

interface Row {
  readonly set: string;
  readonly intents: number;
  readonly trainUtterances: number;
  readonly trainSeconds: number;
  readonly modelKiB: number;
  readonly inScopeAccuracy: number;
  readonly oosRecall: number;
  readonly oosPrecision: number;
  readonly macroF1: number;
  readonly p50: number;
  readonly p99: number;
}

const count = (data: TrainingData) =>
  Object.values(data.intents).reduce((sum, list) => sum + list.length, 0) + (data.out_of_scope?.length ?? 0);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** Latency over many calls (the test set repeated, plus long, empty and emoji input), after a warm-up pass. */
function latency(model: IntentModel, data: TrainingData, rounds: number): { p50: number; p99: number } {
  const texts = [
    ...Object.values(data.intents).flat(),
    ...(data.out_of_scope ?? []),
    'x'.repeat(10_000),
    `${'please check my balance and '.repeat(400)}`,
    '',
    '😂😂😂',
  ];
  for (const text of texts) classifyIntent(model, text);
  const timings: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const text of texts) {
      const started = performance.now();
      classifyIntent(model, text);
      timings.push(performance.now() - started);
    }
  }
  timings.sort((a, b) => a - b);
  return { p50: percentile(timings, 50), p99: percentile(timings, 99) };
}

function measure(set: string, train: TrainingData, test: TrainingData, rounds: number, options: IntentTrainingOptions = {}): Row {
  const started = performance.now();
  const model = trainIntentModel(train, options);
  const trainSeconds = (performance.now() - started) / 1000;
  const report = evaluateIntentModel(model, test);
  const timing = latency(model, test, rounds);
  return {
    set,
    intents: Object.keys(train.intents).length,
    trainUtterances: count(train),
    trainSeconds,
    modelKiB: serialiseIntentModel(model).length / 1024,
    inScopeAccuracy: report.in_scope_accuracy,
    oosRecall: report.oos_recall,
    oosPrecision: report.oos_precision,
    macroF1: report.macro_f1,
    ...timing,
  };
}

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as TrainingData;
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

const projectTrain = read(TRAINING_DATA_PATH);
const projectTest = read(TEST_DATA_PATH);
const synthetic = syntheticIntentData();
const rows = [
  measure('project, as built (train.json + typo copies, features seen twice → test.json)', projectTrain, projectTest, 20, PRODUCT_TRAINING_OPTIONS),
  measure('project without typo copies', projectTrain, projectTest, 20),
  measure('synthetic 150 intents', synthetic.train, synthetic.test, 3),
];
// The committed model must score as the freshly built one does (it is the same bytes; this is a cheap check).
const committed = evaluateIntentModel(loadProductModel(), projectTest);
// As the engine runs it: spelling and shorthand put right, then the model, then the keyword rules.
const product = createProductUnderstanding();
const pipeline = evaluateIntentModel(loadProductModel(), projectTest, { classify: (text) => product.classify(product.normalise?.(text) ?? text) });

process.stdout.write(
  `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ` +
    `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n\n`,
);
process.stdout.write(
  '| data | intents | train utterances | train time | model | in-scope acc. | OOS recall | OOS precision | macro F1 | p50 | p99 |\n' +
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n',
);
for (const row of rows) {
  process.stdout.write(
    `| ${row.set} | ${row.intents} | ${row.trainUtterances} | ${row.trainSeconds.toFixed(1)} s | ` +
      `${row.modelKiB.toFixed(0)} KiB | ${pct(row.inScopeAccuracy)} | ${pct(row.oosRecall)} | ${pct(row.oosPrecision)} | ` +
      `${row.macroF1.toFixed(3)} | ${row.p50.toFixed(3)} ms | ${row.p99.toFixed(3)} ms |\n`,
  );
}
process.stdout.write(
  `\ncommitted model.json on test.json: in-scope ${pct(committed.in_scope_accuracy)}, ` +
    `OOS recall ${pct(committed.oos_recall)}, OOS precision ${pct(committed.oos_precision)}\n` +
    `with spelling and keyword rules, as the engine runs it: in-scope ${pct(pipeline.in_scope_accuracy)}, ` +
    `OOS recall ${pct(pipeline.oos_recall)}, OOS precision ${pct(pipeline.oos_precision)}, ` +
    `p50 ${pipeline.latency_ms.p50.toFixed(3)} ms, p99 ${pipeline.latency_ms.p99.toFixed(3)} ms\n`,
);
