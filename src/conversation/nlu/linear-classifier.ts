// Trains a multi-class linear classifier on sparse rows with seeded stochastic gradient descent and weight averaging.
import type { SparseVector } from './text-features.js';

export type LinearLoss = 'softmax' | 'multiclass_hinge';

export interface LinearTrainingOptions {
  /**
   * `multiclass_hinge` (Crammer–Singer): each step moves only the true class and the strongest wrong one,
   * so weights stay sparse. `softmax`: multinomial logistic regression, touching every class.
   */
  readonly loss: LinearLoss;
  readonly epochs: number;
  readonly learningRate: number;
  /** Required margin between the true class and the best wrong one (hinge loss only). */
  readonly margin: number;
  readonly seed: number;
}

export interface LinearWeights {
  /** Feature-major: weight of (feature f, class c) at f * classCount + c. */
  readonly weights: Float32Array;
  readonly bias: Float64Array;
  readonly classCount: number;
}

export interface LabelledRow {
  readonly vector: SparseVector;
  readonly label: number;
  /** How much this row counts (e.g. more for a rare class); 1 by default. */
  readonly weight?: number;
}

/** Small, fast, seeded generator (mulberry32), so training is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const held = items[i]!;
    items[i] = items[j]!;
    items[j] = held;
  }
  return items;
}

export function scoreRow(model: LinearWeights, vector: SparseVector, out: Float64Array): Float64Array {
  const { weights, classCount } = model;
  out.set(model.bias);
  const { columns, values } = vector;
  for (let k = 0; k < columns.length; k++) {
    const base = columns[k]! * classCount;
    const value = values[k]!;
    for (let c = 0; c < classCount; c++) out[c]! += weights[base + c]! * value;
  }
  return out;
}

/**
 * Averaged SGD: the returned weights are the mean of the weights after every step, which generalises
 * like a regularised model with no regularisation constant to tune. The mean is kept with the usual
 * trick (w̄ = w − u / t, where u sums t·Δw), so each step costs only the features it touches.
 */
export function trainLinear(
  rows: readonly LabelledRow[],
  featureCount: number,
  classCount: number,
  options: LinearTrainingOptions,
): LinearWeights {
  const weights = new Float32Array(featureCount * classCount);
  const weightSums = new Float64Array(featureCount * classCount);
  const bias = new Float64Array(classCount);
  const biasSums = new Float64Array(classCount);
  const scores = new Float64Array(classCount);
  const gradient = new Float64Array(classCount);
  const random = seededRandom(options.seed);
  const order = rows.map((_, i) => i);
  const model = { weights, bias, classCount };
  let step = 1;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffleInPlace(order, random);
    const rate = options.learningRate / (1 + epoch);
    for (const i of order) {
      const row = rows[i]!;
      const { columns, values } = row.vector;
      scoreRow(model, row.vector, scores);
      const scale = rate * (row.weight ?? 1);
      if (options.loss === 'softmax') {
        let max = -Infinity;
        for (let c = 0; c < classCount; c++) max = Math.max(max, scores[c]!);
        let sum = 0;
        for (let c = 0; c < classCount; c++) {
          gradient[c] = Math.exp(scores[c]! - max);
          sum += gradient[c]!;
        }
        for (let c = 0; c < classCount; c++) gradient[c] = (c === row.label ? 1 : 0) - gradient[c]! / sum;
        for (let k = 0; k < columns.length; k++) {
          const base = columns[k]! * classCount;
          const value = values[k]! * scale;
          for (let c = 0; c < classCount; c++) {
            const delta = value * gradient[c]!;
            weights[base + c]! += delta;
            weightSums[base + c]! += step * delta;
          }
        }
        for (let c = 0; c < classCount; c++) {
          const delta = scale * gradient[c]!;
          bias[c]! += delta;
          biasSums[c]! += step * delta;
        }
      } else {
        let rival = -1;
        let rivalScore = -Infinity;
        for (let c = 0; c < classCount; c++) {
          if (c !== row.label && scores[c]! > rivalScore) {
            rival = c;
            rivalScore = scores[c]!;
          }
        }
        if (rival >= 0 && scores[row.label]! - rivalScore < options.margin) {
          for (let k = 0; k < columns.length; k++) {
            const base = columns[k]! * classCount;
            const delta = values[k]! * scale;
            weights[base + row.label]! += delta;
            weightSums[base + row.label]! += step * delta;
            weights[base + rival]! -= delta;
            weightSums[base + rival]! -= step * delta;
          }
          bias[row.label]! += scale;
          biasSums[row.label]! += step * scale;
          bias[rival]! -= scale;
          biasSums[rival]! -= step * scale;
        }
      }
      step += 1;
    }
  }
  for (let k = 0; k < weights.length; k++) weights[k]! -= weightSums[k]! / step;
  for (let c = 0; c < classCount; c++) bias[c]! -= biasSums[c]! / step;
  return model;
}
