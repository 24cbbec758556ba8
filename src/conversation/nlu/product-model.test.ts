import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildProductModelText,
  PRODUCT_MODEL_PATH,
  TEST_DATA_PATH,
  TRAINING_DATA_PATH,
} from '../../../fixtures/nlu/build-model.js';
import { evaluateIntentModel, labelledUtterances } from './evaluate-model.js';
import { classifyIntent, type TrainingData } from './intent-model.js';
import { loadProductModel } from './product-model.js';

const train = JSON.parse(readFileSync(TRAINING_DATA_PATH, 'utf8')) as TrainingData;
const test = JSON.parse(readFileSync(TEST_DATA_PATH, 'utf8')) as TrainingData;

const INTENTS = [
  'greeting',
  'thanks',
  'goodbye',
  'help',
  'balance',
  'invoice',
  'invoice_history',
  'make_payment',
  'payment_history',
  'pending_payments',
  'payment_methods',
  'autopay',
  'tickets',
  'ticket_create',
  'ticket_escalate',
  'care_cases',
  'outages',
  'maintenance',
  'report',
  'services',
  'did_numbers',
  'hunt_groups',
  'account_codes',
  'toll_free',
  'e911',
  'orders',
  'account_summary',
  'account_hierarchy',
  'account_select',
  'contacts',
  'billing_address',
  'paperless',
  'tax_exemptions',
  'users',
  'user_guides',
  'human_agent',
  'confirm',
  'deny',
  'cancel',
  'restart',
];

/** Case, accents, punctuation and spacing do not make a line different. */
const normalise = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\p{P}\s]+/gu, ' ')
    .trim();

describe('the NLU data', () => {
  it('trains exactly the product intents, with enough varied utterances each', () => {
    expect(Object.keys(train.intents).sort()).toEqual([...INTENTS].sort());
    for (const intent of INTENTS) expect(train.intents[intent]!.length, intent).toBeGreaterThanOrEqual(25);
    expect(train.out_of_scope!.length).toBeGreaterThanOrEqual(150);
  });

  it('tests every intent with at least 10 lines, plus 100 out-of-scope lines', () => {
    expect(Object.keys(test.intents).sort()).toEqual([...INTENTS].sort());
    for (const intent of INTENTS) expect(test.intents[intent]!.length, intent).toBeGreaterThanOrEqual(10);
    expect(test.out_of_scope!.length).toBeGreaterThanOrEqual(100);
  });

  it('never tests on a line it trained on', () => {
    const trained = new Set(labelledUtterances(train).map((u) => normalise(u.text)));
    const reused = labelledUtterances(test).filter((u) => trained.has(normalise(u.text)));
    expect(reused).toEqual([]);
  });
});

describe('the product intent model', () => {
  // Training takes about 10 s alone on two cores, and two to three times that while other test files run.
  it('is what `npm run nlu:build` makes from train.json (rebuild after changing the data)', () => {
    expect(buildProductModelText() === readFileSync(PRODUCT_MODEL_PATH, 'utf8')).toBe(true);
  }, 120_000);

  it('meets the issue targets on the held-out test set', () => {
    const report = evaluateIntentModel(loadProductModel(), test);
    const summary = {
      in_scope_accuracy: report.in_scope_accuracy,
      oos_recall: report.oos_recall,
      oos_precision: report.oos_precision,
    };
    expect(summary.in_scope_accuracy, JSON.stringify(summary)).toBeGreaterThanOrEqual(0.95);
    expect(summary.oos_recall, JSON.stringify(summary)).toBeGreaterThanOrEqual(0.9);
    expect(summary.oos_precision, JSON.stringify(summary)).toBeGreaterThanOrEqual(0.9);
  });

  it('understands customers in their own words', () => {
    const model = loadProductModel();
    expect(classifyIntent(model, 'how much do I owe on 5000001?').intent).toBe('balance');
    expect(classifyIntent(model, 'escalate TT-104233 please').intent).toBe('ticket_escalate');
    expect(classifyIntent(model, 'long distance summary for last month as PDF').intent).toBe('report');
    expect(classifyIntent(model, 'oui').intent).toBe('confirm');
    expect(classifyIntent(model, 'what is the capital of Peru').intent).toBe('out_of_scope');
  });
});
