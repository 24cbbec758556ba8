import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, requestLogger } from '../../adapters/http/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return {
    logger: createLogger({ level: 'info', destination }),
    lines,
    records: () => lines.map((l) => JSON.parse(l)),
  };
}

describe('logging', () => {
  it('never writes PINs, tokens, security answers or card data, at any of the usual depths', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        pin: '4821',
        token: 'xoxb-slack-token-value',
        securityAnswer: 'Fluffy McWhiskers',
        password: 'hunter2-password',
        headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.payload' },
        body: { pin: '9911', cardNumber: '4111111111111111', cvv: '737', accountNumber: '1000001' },
        input: { payment: { cardNumber: '5500005555555559', securityCode: '123' } },
      },
      'signing in',
    );
    const text = lines.join('\n');
    for (const secret of [
      '4821',
      'xoxb-slack-token-value',
      'Fluffy McWhiskers',
      'hunter2-password',
      'eyJhbGciOiJIUzI1NiJ9',
      '9911',
      '4111111111111111',
      '737',
      '5500005555555559',
      '"123"',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain(REDACTED);
    // Ordinary fields survive.
    expect(text).toContain('1000001');
    expect(text).toContain('signing in');
  });

  it('logs one line per request with method, path without query, status, duration and request id', async () => {
    const { logger, records } = capture();
    const app = new Hono().use(requestLogger({ logger })).get('/things', (c) => c.text('ok'));

    const response = await app.request('/things?token=should-not-be-logged', {
      headers: { 'X-Request-Id': 'abc-123' },
    });

    expect(response.headers.get('X-Request-Id')).toBe('abc-123');
    const logged = records();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ requestId: 'abc-123', method: 'GET', path: '/things', status: 200 });
    expect(typeof logged[0].ms).toBe('number');
    expect(JSON.stringify(logged)).not.toContain('should-not-be-logged');
  });
});
