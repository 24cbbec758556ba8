import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = ['tsx', 'adapters/runtime/cli.ts', 'nlu'];
const scratch = mkdtempSync(join(tmpdir(), 'nlu-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function runCli(args: string[], input = '') {
  const result = spawnSync('npx', [...CLI, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.replace(/^npm warn.*\n/gm, '') };
}

const DATA = {
  intents: {
    balance: [
      'what is my balance',
      'how much do I owe',
      'amount due',
      'balance please',
      'what do we owe',
      'current balance',
    ],
    outages: [
      'is there an outage',
      'is the network down',
      'outages in Toronto',
      'any incidents',
      'service down?',
      'outage map',
    ],
    greeting: ['hello', 'hi there', 'good morning', 'hey', 'bonjour', 'hi'],
  },
  out_of_scope: ['tell me a joke', 'weather tomorrow', 'recipe for soup', 'who won the game', 'how old are you'],
};

describe('npm run cli -- nlu', () => {
  it('classifies one utterance per stdin line with the product model', () => {
    const { code, stdout } = runCli(['classify'], 'how much do I owe on 5000001?\n\nwhat is the weather in Paris\n');
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      text: 'how much do I owe on 5000001?',
      intent: 'balance',
      entities: expect.any(Array),
    });
    expect(lines[0].confidence).toBeGreaterThan(0.5);
    expect(lines[1]).toMatchObject({ text: '', intent: 'out_of_scope', confidence: 0 });
    expect(lines[2]).toMatchObject({ intent: 'out_of_scope' });
  });

  it('answers every line of a long piped input, in order', () => {
    const input = Array.from({ length: 3000 }, (_, i) => `what is the balance on account ${5000000 + i}`);
    const { code, stdout } = runCli(['classify'], `${input.join('\n')}\n`);
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.text)).toEqual(input);
    expect(new Set(lines.map((line) => line.intent))).toEqual(new Set(['balance']));
  });

  it('trains on a generic data file, then evaluates and classifies with that model', () => {
    writeFileSync(join(scratch, 'train.json'), JSON.stringify(DATA));
    const trained = runCli(['train', '--data', join(scratch, 'train.json'), '--out', join(scratch, 'model')]);
    expect(trained.code).toBe(0);
    expect(JSON.parse(readFileSync(join(scratch, 'model', 'model.json'), 'utf8')).labels).toContain('balance');

    const test = {
      intents: { balance: ['how much is owed'], greeting: ['hello there'] },
      out_of_scope: ['sing a song'],
    };
    writeFileSync(join(scratch, 'test.json'), JSON.stringify(test));
    const evaluated = runCli([
      'eval',
      '--data',
      join(scratch, 'test.json'),
      '--model',
      join(scratch, 'model'),
      '--json',
    ]);
    expect(evaluated.code).toBe(0);
    const report = JSON.parse(evaluated.stdout);
    for (const key of ['in_scope_accuracy', 'oos_recall', 'oos_precision', 'macro_f1']) {
      expect(report[key]).toBeGreaterThanOrEqual(0);
      expect(report[key]).toBeLessThanOrEqual(1);
    }
    expect(report.latency_ms).toEqual({ p50: expect.any(Number), p99: expect.any(Number) });
    expect(report.train_seconds).toBeNull();

    const inProcess = runCli([
      'eval',
      '--data',
      join(scratch, 'test.json'),
      '--train',
      join(scratch, 'train.json'),
      '--json',
    ]);
    expect(JSON.parse(inProcess.stdout).train_seconds).toBeGreaterThan(0);

    const classified = runCli(['classify', '--model', join(scratch, 'model')], 'hello there\n');
    expect(JSON.parse(classified.stdout)).toMatchObject({ intent: 'greeting' });
  });

  it('prints a readable evaluation of the product model on the project test set', () => {
    const { code, stdout } = runCli(['eval', '--data', 'fixtures/nlu/test.json']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/in-scope accuracy: +\d+\.\d+%/);
    expect(stdout).toMatch(/latency: +p50 [\d.]+ ms, p99 [\d.]+ ms/);
  });

  it.each([
    [['eval'], /--data is required/],
    [['eval', '--data', 'x.json', '--bogus'], /unknown option --bogus/],
    [['train', '--data', 'x.json'], /--out is required/],
    [['frobnicate'], /unknown nlu subcommand/],
    [['classify', 'extra'], /unexpected argument/],
  ])('rejects a bad command line %j in one line with exit code 2', (args, message) => {
    const { code, stderr, stdout } = runCli(args);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });

  it('says which data file it cannot use, with exit code 1', () => {
    writeFileSync(join(scratch, 'bad.json'), JSON.stringify({ intents: { a: [1] } }));
    const { code, stderr } = runCli(['eval', '--data', join(scratch, 'bad.json')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/intents\.a\[0\]/);
    expect(runCli(['eval', '--data', join(scratch, 'missing.json')]).stderr).toMatch(/cannot read data file/);
  });
});
