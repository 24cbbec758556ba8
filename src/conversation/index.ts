// The conversation core's public surface: the engine, the neutral message shapes, and the product NLU.
import type { LanguageUnderstanding } from './engine.js';
import { extractEntities } from './nlu/entities.js';
import { classifyIntent, type IntentModel } from './nlu/intent-model.js';
import { loadProductModel } from './nlu/product-model.js';
import { applyKeywordRules } from './nlu/keyword-rules.js';
import { createSpellingCorrector } from './nlu/spelling.js';

export { type ConversationEngine, createConversationEngine, type EngineOptions, type LanguageUnderstanding } from './engine.js';
export type { ChatReportRequest, ChatReportResult, ConversationServices } from './dialog/turn.js';
export * from './reply.js';
export * from './actions.js';
export type { ChannelDeliverer, DeliveryResult, DeliveryTarget } from './channel.js';
export { createOutbound, type Outbound, type SendOutcome } from './outbound.js';
export { joinConversation, leaveConversation, sayAsAgent, type AgentOutcome } from './agents.js';
export { redactionNotice, redactSensitive, type SensitiveKind } from './sensitive.js';

/** The product's trained intent model with its entity extraction and spelling correction. */
export function createProductUnderstanding(model: IntentModel = loadProductModel()): LanguageUnderstanding {
  const speller = createSpellingCorrector(wordsSeenTwice(model));
  return {
    normalise: (text) => speller.correct(text),
    classify: (text) => applyKeywordRules(text, classifyIntent(model, text)),
    extract: (text, context) => extractEntities(text, context),
  };
}

/**
 * The words the training data uses in at least two utterances: the whole vocabulary of a model that keeps only
 * such features, else read back from the inverse document frequencies (idf = ln((1+N)/(1+df)) + 1, so
 * df = 2·e^(idfmax − idf) − 1, the rarest word having df = 1). A word seen once may be a typo
 * the data was given on purpose; one seen twice is taken as spelled the way people spell it.
 */
function wordsSeenTwice(model: IntentModel): Set<string> {
  // A model keeping only features seen at least twice already holds nothing else.
  if (model.featureOptions.minDocumentFrequency >= 2) {
    return new Set(model.vocabulary.filter((name) => name.startsWith('w:')).map((name) => name.slice(2)));
  }
  let highest = 0;
  for (const value of model.idf) highest = Math.max(highest, value);
  const words = new Set<string>();
  model.vocabulary.forEach((name, column) => {
    if (!name.startsWith('w:')) return;
    const documents = 2 * Math.exp(highest - (model.idf[column] ?? highest)) - 1;
    if (documents >= 1.9) words.add(name.slice(2));
  });
  return words;
}
