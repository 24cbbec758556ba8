// The conversation core's public surface: the engine, the neutral message shapes, and the product NLU.
import type { LanguageUnderstanding } from './engine.js';
import { extractEntities } from './nlu/entities.js';
import { classifyIntent, type IntentModel } from './nlu/intent-model.js';
import { loadProductModel } from './nlu/product-model.js';

export { type ConversationEngine, createConversationEngine, type EngineOptions, type LanguageUnderstanding } from './engine.js';
export type { ChatReportRequest, ChatReportResult, ConversationServices } from './dialog/turn.js';
export * from './reply.js';

/** The product's trained intent model with its entity extraction. */
export function createProductUnderstanding(model: IntentModel = loadProductModel()): LanguageUnderstanding {
  return {
    classify: (text) => classifyIntent(model, text),
    extract: (text, context) => extractEntities(text, context),
  };
}
