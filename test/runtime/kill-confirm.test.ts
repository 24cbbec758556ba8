// kill -9 during a confirmation, for real: the server (a child process) dies at random points while it handles
// Confirm on a payment or a ticket, starts again on the same database, and the same Confirm pressed again tells
// the truth and never writes twice (bench/kill-confirm.ts; `bench:faults` runs more rounds).
import { describe, expect, it } from 'vitest';
import { runKillConfirmRounds } from '../../bench/kill-confirm.js';
import { ENGINES, POSTGRES_URL } from '../support/databases.js';

const ROUNDS = 6;

describe.each(ENGINES)('kill -9 during Confirm on %s', (engine) => {
  it('reports a write made before the crash as already done, performs one that was not, and never doubles it', async () => {
    const lines: string[] = [];
    const result = await runKillConfirmRounds({ engine, rounds: ROUNDS, log: (line) => lines.push(line), postgresUrl: POSTGRES_URL });
    const story = lines.join('\n');
    expect(result, story).toMatchObject({ rounds: ROUNDS, doubled: 0, wrong: 0 });
    expect(result.performedOnRetry + result.reportedDone, story).toBe(ROUNDS);
  }, 180_000);
});
