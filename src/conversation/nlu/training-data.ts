// Reads the generic NLU data format ({"intents": {name: [utterance…]}, "out_of_scope": [utterance…]}) and says what is wrong with a bad file.
import { z } from 'zod';
import type { TrainingData } from './intent-model.js';

const utterances = z.array(z.string());

const trainingDataSchema = z.object({
  intents: z.record(z.string().min(1), utterances),
  out_of_scope: utterances.optional(),
});

export type ParsedTrainingData = { ok: true; data: TrainingData } | { ok: false; problem: string };

/** Validates parsed JSON; the problem text names the first bad path, e.g. `intents.balance[3]: expected string`. */
export function parseTrainingData(json: unknown): ParsedTrainingData {
  const result = trainingDataSchema.safeParse(json);
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  const path = (issue?.path ?? [])
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join('');
  return { ok: false, problem: `${path || 'data'}: ${issue?.message ?? 'not in the expected format'}` };
}

/** The model file's text: compact JSON and a final newline, so the same model is always the same bytes. */
export function serialiseIntentModel(model: unknown): string {
  return `${JSON.stringify(model)}\n`;
}
