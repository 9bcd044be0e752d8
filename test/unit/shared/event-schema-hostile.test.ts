import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMessage, validateEvent, validateMessage, WIRE_LIMITS } from '../../../shared';
import { jsonDepthWithin } from '../../../shared/json-depth';
import { escapeUnsafe, findUnsafeCharacter } from '../../../shared/unsafe-text';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const opts = { nowMs: NOW };
const good = { id: 'evt-1', name: 'infra.http.request.count', kind: 'count', value: 1, ts: NOW - 1_000, tags: { tier: 'core', endpoint: '/api/feed', method: 'GET', status_class: '2xx' } };
const message = (extra: Record<string, unknown> = {}) => ({ schema: 'metrics.v1', source: { service: 'wallet', environment: 'production' }, events: [good], ...extra });

/** Nesting depth of a JSON value, walked iteratively: the reference the text scan is checked against. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, d + 1);
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

/** `value` nested in `levels` arrays. */
const nest = (levels: number, value: unknown = 1): unknown => {
  let out = value;
  for (let i = 0; i < levels; i++) out = [out];
  return out;
};

describe('the depth limit is checked on the text, before parsing', () => {
  it('agrees with the depth of the parsed value for any JSON, strings full of brackets, quotes and backslashes included', () => {
    const tricky = fc.constantFrom('[', ']', '{', '}', '"', '\\', '\\"', '\\\\', '[{"', 'a');
    const text = fc.array(tricky, { maxLength: 12 }).map((parts) => parts.join(''));
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(text, tie('value'), { maxKeys: 3 })),
    })).value;
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 8 }), (value, limit) => {
        expect(jsonDepthWithin(JSON.stringify(value), limit)).toBe(depthOf(value) <= limit);
      }),
      { numRuns: 3_000 },
    );
  });

  it.each([
    ['a message nested exactly to the limit', JSON.stringify(message({ note: nest(WIRE_LIMITS.maxJsonDepth - 1) })), true],
    ['a message one level past the limit', JSON.stringify(message({ note: nest(WIRE_LIMITS.maxJsonDepth) })), false],
    ['brackets inside strings, which do not nest', JSON.stringify(message({ note: '['.repeat(10_000) })), true],
    ['an escaped quote followed by brackets inside a string', JSON.stringify(message({ note: '\\"' + '{'.repeat(100) })), true],
  ])('decides %s', (_label, text, within) => {
    expect(jsonDepthWithin(text, WIRE_LIMITS.maxJsonDepth)).toBe(within);
    const decoded = decodeMessage(text, opts);
    expect(decoded.messageReasons.map((r) => r.code).includes('nesting_too_deep')).toBe(!within);
  });

  it('scans 1 MB of worst-case text (nothing but escaped quotes and backslashes) in linear time', () => {
    const text = '"' + '\\"\\\\'.repeat(250_000) + '"';
    const started = performance.now();
    expect(jsonDepthWithin(text, 4)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('unsafe characters are found in linear time and named without being echoed', () => {
  it('finds exactly the lone surrogates, for any string of UTF-16 code units', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0xd7f0, max: 0xe010 }), { maxLength: 20 }), (units) => {
        const value = String.fromCharCode(...units);
        const found = findUnsafeCharacter(value);
        const wellFormed = Buffer.from(value, 'utf8').toString('utf8') === value;
        expect(found?.kind === 'lone_surrogate').toBe(!wellFormed);
      }),
      { numRuns: 3_000 },
    );
  });

  it('a lone surrogate anywhere in a tag value rejects the event as invalid_unicode, whatever surrounds it', () => {
    const surrogate = fc.oneof(fc.integer({ min: 0xd800, max: 0xdbff }), fc.integer({ min: 0xdc00, max: 0xdfff })).map((u) => String.fromCharCode(u));
    const around = fc.stringMatching(/^[a-z/:]{0,20}$/);
    fc.assert(
      fc.property(around, surrogate, around, (before, lone, after) => {
        const value = before + lone + after; // no surrogate around it: it stays lone
        const result = validateEvent({ ...good, tags: { ...good.tags, endpoint: value } }, opts);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.reasons.map((r) => r.code)).toEqual(['invalid_unicode']);
      }),
      { numRuns: 1_000 },
    );
  });

  it('never lets ids that differ only in a lone surrogate meet as duplicates: both are refused', () => {
    const results = ['id-\ud800', 'id-\udbff'].map((id) => validateEvent({ ...good, id }, opts));
    expect(results.map((r) => r.ok)).toEqual([false, false]);
  });

  it('writes unsafe characters of a tag key as escapes in field paths and keeps emoji as they are', () => {
    expect(escapeUnsafe('a\u202eb')).toBe('a\\u202eb');
    expect(escapeUnsafe('a\ud800')).toBe('a\\ud800');
    expect(escapeUnsafe('🎁x')).toBe('🎁x');
  });

  it('checks a 1 MB string full of surrogate pairs in linear time', () => {
    const started = performance.now();
    expect(findUnsafeCharacter('😀'.repeat(500_000))).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('personal data in source fields', () => {
  it('names the field and the kind of data, never the value', () => {
    const decoded = decodeMessage(JSON.stringify(message({ source: { service: 'jane.doe@example.com', environment: 'production' } })), opts);
    expect(decoded.messageReasons).toEqual([expect.objectContaining({ code: 'personal_data', field: 'source.service' })]);
    expect(JSON.stringify(decoded.messageReasons)).not.toContain('jane.doe');
  });
});

describe('docs/metrics-event.schema.json refuses the same unsafe characters as the validator', () => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'metrics-event.schema.json'), 'utf8')) as object);
  const cases: Array<[string, unknown, boolean]> = [
    ['an emoji in a tag value', message({ events: [{ ...good, tags: { ...good.tags, endpoint: '/api/gifts/🎁' } }] }), true],
    ['a right-to-left override in a tag value', message({ events: [{ ...good, tags: { ...good.tags, endpoint: '/api/\u202egpj' } }] }), false],
    ['a zero-width space in an id', message({ events: [{ ...good, id: 'evt\u200b1' }] }), false],
    ['a byte order mark in an id', message({ events: [{ ...good, id: '\ufeffevt-1' }] }), false],
    ['a line separator in the service', message({ source: { service: 'wal\u2028let', environment: 'production' } }), false],
    ['an Arabic letter mark in the environment', message({ source: { service: 'wallet', environment: 'prod\u061c' } }), false],
  ];
  it.each(cases)('agrees on %s', (_label, input, expected) => {
    const decoded = validateMessage(input, opts);
    expect(decoded.messageReasons.length === 0 && decoded.rejected.length === 0).toBe(expected);
    expect(validate(input)).toBe(expected);
  });
});
