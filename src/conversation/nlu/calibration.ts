// Calibrating the intent classifier on held-out predictions: cross-validation (augmented copies only train
// where their original trains), the softmax temperature, and the out-of-scope confidence threshold.
import { type LabelledRow, type LinearTrainingOptions, scoreRow, seededRandom, shuffleInPlace, trainLinear } from './linear-classifier.js';

/** An augmented row: it trains wherever the row it was made from (`origin`) trains. */
export interface AugmentedRow extends LabelledRow {
  readonly origin: number;
}

/** Scores of every row from a model that did not see it, nor any copy made from it (stratified folds, seeded). */
export function crossValidate(
  rows: readonly LabelledRow[],
  extra: readonly AugmentedRow[],
  folds: number,
  featureCount: number,
  classCount: number,
  linear: LinearTrainingOptions,
): Float64Array[] {
  const random = seededRandom(linear.seed ^ 0x5bd1e995);
  const foldOf = new Int32Array(rows.length);
  const byClass = new Map<number, number[]>();
  rows.forEach((row, i) => {
    const list = byClass.get(row.label) ?? [];
    list.push(i);
    byClass.set(row.label, list);
  });
  let next = 0;
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    for (const i of shuffleInPlace(byClass.get(label)!, random)) foldOf[i] = next++ % folds;
  }
  const scores: Float64Array[] = rows.map(() => new Float64Array(classCount));
  for (let fold = 0; fold < folds; fold++) {
    const training = rows.filter((_, i) => foldOf[i] !== fold);
    for (const row of extra) if (foldOf[row.origin] !== fold) training.push(row);
    const model = trainLinear(training, featureCount, classCount, linear);
    rows.forEach((row, i) => {
      if (foldOf[i] === fold) scoreRow(model, row.vector, scores[i]!);
    });
  }
  return scores;
}

export function softmax(scores: ArrayLike<number>, temperature: number): Float64Array {
  const out = new Float64Array(scores.length);
  let max = -Infinity;
  for (let c = 0; c < scores.length; c++) max = Math.max(max, scores[c]!);
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    out[c] = Math.exp((scores[c]! - max) / temperature);
    sum += out[c]!;
  }
  for (let c = 0; c < scores.length; c++) out[c]! /= sum;
  return out;
}

/** The temperature that makes held-out confidences most honest (lowest log loss), from a fixed grid. */
export function fitTemperature(heldOut: readonly Float64Array[], rows: readonly LabelledRow[]): number {
  let best = 1;
  let bestLoss = Infinity;
  for (let t = 0.02; t <= 2.0001; t *= 1.1) {
    let loss = 0;
    heldOut.forEach((scores, i) => {
      loss -= Math.log(Math.max(softmax(scores, t)[rows[i]!.label]!, 1e-12));
    });
    if (loss < bestLoss) {
      bestLoss = loss;
      best = t;
    }
  }
  return best;
}

export interface Decision {
  readonly top: number;
  readonly confidence: number;
  readonly truth: number;
  readonly oosLabel: number;
}

export function decide(probabilities: Float64Array, oosLabel: number, truth: number): Decision {
  let top = 0;
  for (let c = 1; c < probabilities.length; c++) if (probabilities[c]! > probabilities[top]!) top = c;
  return { top, confidence: probabilities[top]!, truth, oosLabel };
}

export function chooseThreshold(
  decisions: readonly Decision[],
  oosWeight: number,
  tolerance: number,
): { threshold: number; inScopeAccuracy: number; oosRecall: number } {
  const inScope = decisions.filter((d) => d.truth !== d.oosLabel);
  const outOfScope = decisions.filter((d) => d.truth === d.oosLabel);
  const steps = 100;
  const points = Array.from({ length: steps + 1 }, (_, k) => {
    const threshold = k / steps;
    const rejected = (d: Decision) => d.top === d.oosLabel || d.confidence < threshold;
    const inScopeAccuracy = inScope.filter((d) => !rejected(d) && d.top === d.truth).length / inScope.length;
    const oosRecall = outOfScope.filter(rejected).length / Math.max(1, outOfScope.length);
    return { threshold, inScopeAccuracy, oosRecall, objective: inScopeAccuracy + oosWeight * oosRecall };
  });
  // The objective is flat near its top and noisy on a few hundred held-out rows: average it over
  // neighbouring thresholds, then take the lowest threshold that comes within a hair of the best, so
  // that a plateau resolves towards answering rather than towards a threshold one lucky row picked.
  const window = 4;
  const smoothed = points.map((_, k) => {
    const near = points.slice(Math.max(0, k - window), k + window + 1);
    return near.reduce((sum, p) => sum + p.objective, 0) / near.length;
  });
  const top = Math.max(...smoothed);
  const best = points[smoothed.findIndex((value) => value >= top - tolerance)]!;
  return best;
}
