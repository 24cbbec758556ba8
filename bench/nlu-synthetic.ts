// A seeded, synthetic many-intent data set (CLINC150-sized: 150 intents × 100 training utterances + out-of-scope)
// for checking that training time, latency and model size scale; its accuracy says little about real text.
import type { TrainingData } from '../src/conversation/nlu/intent-model.js';
import { seededRandom } from '../src/conversation/nlu/linear-classifier.js';

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ra',
  'ten',
  'sho',
  'vel',
  'dar',
  'pin',
  'qu',
  'zo',
  'bre',
  'fal',
  'gor',
  'nix',
  'tal',
];
const FRAMES = [
  'can you {v} my {n}',
  'i want to {v} the {n}',
  'please {v} {n} {x}',
  'how do i {v} a {n}',
  '{v} {n}',
  'what is the {n} {x}',
  'help me {v} my {n} {x}',
  'is it possible to {v} the {n} for {x}',
  'i need my {n}',
  'could you tell me about {n} {x}',
];
const FILLERS = [
  'today',
  'now',
  'for tomorrow',
  'this week',
  'at home',
  'for my wife',
  'quickly',
  'again',
  'please',
  'asap',
];

function word(random: () => number, syllables: number): string {
  let out = '';
  for (let i = 0; i < syllables; i++) out += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
  return out;
}

function typo(random: () => number, text: string): string {
  if (text.length < 4 || random() > 0.15) return text;
  const at = 1 + Math.floor(random() * (text.length - 2));
  return text.slice(0, at) + text.slice(at + 1, at + 2) + text.slice(at, at + 1) + text.slice(at + 2);
}

export interface SyntheticSets {
  readonly train: TrainingData;
  readonly test: TrainingData;
}

/**
 * Each intent owns 2 verbs and 3 nouns drawn from a shared pool, so intents overlap in vocabulary as real ones do;
 * out-of-scope utterances use words from a separate pool in the same frames.
 */
export function syntheticIntentData(
  options: { intents?: number; trainPerIntent?: number; testPerIntent?: number; seed?: number } = {},
): SyntheticSets {
  const { intents = 150, trainPerIntent = 100, testPerIntent = 30, seed = 7 } = options;
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const verbs = Array.from({ length: intents }, () => word(random, 2));
  const nouns = Array.from({ length: intents * 2 }, () => word(random, 3));
  const foreign = Array.from({ length: 300 }, () => word(random, 2 + Math.floor(random() * 2)));
  // A long tail of rare words, as real text has, so the vocabulary grows to a realistic size.
  const rare = Array.from({ length: 6000 }, () => word(random, 2 + Math.floor(random() * 3)));
  const sentence = (v: string, n: string) =>
    typo(
      random,
      `${pick(FRAMES).replace('{v}', v).replace('{n}', n).replace('{x}', pick(FILLERS))} ${pick(rare)}`.trim(),
    );
  const make = (count: number, split: number) => {
    const data: Record<string, string[]> = {};
    for (let i = 0; i < intents; i++) {
      const ownVerbs = [verbs[i]!, verbs[(i * 7 + 3) % intents]!];
      const ownNouns = [nouns[i]!, nouns[(i * 11 + 5) % nouns.length]!, nouns[intents + (i % intents)]!];
      data[`intent_${String(i).padStart(3, '0')}`] = Array.from({ length: count }, (_, k) =>
        sentence(pick(ownVerbs), `${pick(ownNouns)}${split === 1 && k % 3 === 0 ? ` ${pick(foreign)}` : ''}`),
      );
    }
    return data;
  };
  const outOfScope = (count: number) => Array.from({ length: count }, () => sentence(pick(foreign), pick(foreign)));
  return {
    train: { intents: make(trainPerIntent, 0), out_of_scope: outOfScope(100) },
    test: { intents: make(testPerIntent, 1), out_of_scope: outOfScope(1000) },
  };
}
