// The product's own intent model, trained from fixtures/nlu/train.json by `npm run nlu:build` and committed as model.json.
import type { IntentModel } from './intent-model.js';
import model from './model.json' with { type: 'json' };

/** The committed model (a JSON import, so it bundles for Workers as well as Node). */
export function loadProductModel(): IntentModel {
  return model as unknown as IntentModel;
}
