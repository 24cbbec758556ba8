// Scores an intent model on labelled data: in-scope accuracy, out-of-scope recall/precision, macro F1, confusions, latency.
import { classifyIntent, type IntentModel, OUT_OF_SCOPE, type TrainingData } from './intent-model.js';

export interface ConfusedPair {
  readonly expected: string;
  readonly predicted: string;
  readonly count: number;
}

export interface EvaluationReport {
  readonly examples: number;
  readonly in_scope_examples: number;
  readonly oos_examples: number;
  /** Share of in-scope utterances given their own intent (an out-of-scope answer counts as wrong). */
  readonly in_scope_accuracy: number;
  /** Share of out-of-scope utterances answered 'out_of_scope'. */
  readonly oos_recall: number;
  /** Share of 'out_of_scope' answers that were right (0 when the model never answered it). */
  readonly oos_precision: number;
  /** Mean F1 over every label of the data, 'out_of_scope' included when the data has it. */
  readonly macro_f1: number;
  readonly confused: readonly ConfusedPair[];
  readonly latency_ms: { readonly p50: number; readonly p99: number };
  readonly errors: readonly { readonly text: string; readonly expected: string; readonly predicted: string }[];
}

export interface LabelledUtterance {
  readonly text: string;
  readonly label: string;
}

export function labelledUtterances(data: TrainingData): LabelledUtterance[] {
  const out: LabelledUtterance[] = [];
  for (const [label, texts] of Object.entries(data.intents)) for (const text of texts) out.push({ text, label });
  for (const text of data.out_of_scope ?? []) out.push({ text, label: OUT_OF_SCOPE });
  return out;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

export function evaluateIntentModel(
  model: IntentModel,
  data: TrainingData,
  options: {
    now?: () => number;
    confusedPairs?: number;
    /** How an utterance is classified; default the model alone (the engine adds spelling and keyword rules). */
    classify?: (text: string) => { intent: string };
  } = {},
): EvaluationReport {
  const now = options.now ?? (() => performance.now());
  const classify = options.classify ?? ((text: string) => classifyIntent(model, text));
  const utterances = labelledUtterances(data);
  // Unpack the model and let the JIT settle before timing: a running assistant answers warm.
  for (const { text } of utterances.slice(0, 200)) classify(text);
  const timings: number[] = [];
  const predictions = utterances.map(({ text }) => {
    const started = now();
    const { intent } = classify(text);
    timings.push(now() - started);
    return intent;
  });
  const labels = [...new Set(utterances.map((u) => u.label))].sort();
  const truePositive = new Map<string, number>();
  const predictedCount = new Map<string, number>();
  const goldCount = new Map<string, number>();
  const confusions = new Map<string, number>();
  const errors: { text: string; expected: string; predicted: string }[] = [];
  let inScope = 0;
  let inScopeRight = 0;
  let oos = 0;
  let oosRight = 0;
  let oosPredicted = 0;
  utterances.forEach(({ text, label }, i) => {
    const predicted = predictions[i]!;
    goldCount.set(label, (goldCount.get(label) ?? 0) + 1);
    predictedCount.set(predicted, (predictedCount.get(predicted) ?? 0) + 1);
    if (predicted === label) truePositive.set(label, (truePositive.get(label) ?? 0) + 1);
    else {
      const key = `${label}\u0000${predicted}`;
      confusions.set(key, (confusions.get(key) ?? 0) + 1);
      errors.push({ text, expected: label, predicted });
    }
    if (predicted === OUT_OF_SCOPE) oosPredicted += 1;
    if (label === OUT_OF_SCOPE) {
      oos += 1;
      if (predicted === OUT_OF_SCOPE) oosRight += 1;
    } else {
      inScope += 1;
      if (predicted === label) inScopeRight += 1;
    }
  });
  const f1s = labels.map((label) => {
    const tp = truePositive.get(label) ?? 0;
    const precision = tp / Math.max(1, predictedCount.get(label) ?? 0);
    const recall = tp / Math.max(1, goldCount.get(label) ?? 0);
    return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  });
  const confused = [...confusions.entries()]
    .map(([key, count]) => {
      const [expected, predicted] = key.split('\u0000') as [string, string];
      return { expected, predicted, count };
    })
    .sort((a, b) => b.count - a.count || a.expected.localeCompare(b.expected) || a.predicted.localeCompare(b.predicted))
    .slice(0, options.confusedPairs ?? 10);
  const sorted = [...timings].sort((a, b) => a - b);
  return {
    examples: utterances.length,
    in_scope_examples: inScope,
    oos_examples: oos,
    in_scope_accuracy: round(inScope > 0 ? inScopeRight / inScope : 0),
    oos_recall: round(oos > 0 ? oosRight / oos : 0),
    oos_precision: round(oosPredicted > 0 ? oosRight / oosPredicted : 0),
    macro_f1: round(f1s.length > 0 ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0),
    confused,
    latency_ms: { p50: round(percentile(sorted, 50), 4), p99: round(percentile(sorted, 99), 4) },
    errors,
  };
}
