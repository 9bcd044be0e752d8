import fc from 'fast-check';
import { decodeMessage, validateEvent, validateMessage, WIRE_LIMITS, type RejectionCode } from '../../../shared';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const opts = { nowMs: NOW };

const good = {
  id: 'evt-1',
  name: 'infra.http.request.count',
  kind: 'count',
  value: 1,
  ts: NOW - 1_000,
  tags: { tier: 'core', endpoint: '/api/messages/:id', method: 'GET', status_class: '2xx' },
};
const withEvent = (patch: Record<string, unknown>) => ({ ...good, ...patch });
const withTags = (tags: Record<string, unknown>) => ({ ...good, tags });

describe('validateEvent accepts well-formed events', () => {
  it('returns the event with its tags when everything is in order', () => {
    expect(validateEvent(good, opts)).toEqual({ ok: true, event: good });
  });

  it('accepts an event without tags and gives it an empty tag map', () => {
    const { tags: _omit, ...noTags } = good;
    expect(validateEvent(noTags, opts)).toEqual({ ok: true, event: { ...noTags, tags: {} } });
  });

  it('accepts a negative gauge, since levels can go below zero', () => {
    const result = validateEvent({ id: 'g', name: 'product.wallet.balance', kind: 'gauge', value: -5, ts: NOW, tags: { pool: 'creator' } }, opts);
    expect(result.ok).toBe(true);
  });

  it('accepts common tags (region, platform, app_version) on any metric', () => {
    expect(validateEvent(withTags({ tier: 'core', region: 'europe-west1', platform: 'ios', app_version: '4.2.1' }), opts).ok).toBe(true);
  });

  it('accepts an event 14 minutes in the future (clock skew) and one 399 days old (backfill)', () => {
    expect(validateEvent(withEvent({ ts: NOW + 14 * 60_000 }), opts).ok).toBe(true);
    expect(validateEvent(withEvent({ ts: NOW - 399 * 86_400_000 }), opts).ok).toBe(true);
  });
});

// Every case must be rejected with the given code; `field` is where the reason points.
const rejected: Array<[string, unknown, RejectionCode, string]> = [
  ['an event that is a string', 'hello', 'not_an_object', 'event'],
  ['an event that is null', null, 'not_an_object', 'event'],
  ['an event that is an array', [good], 'not_an_object', 'event'],
  ['a missing id', withEvent({ id: undefined }), 'invalid_id', 'event.id'],
  ['an empty id', withEvent({ id: '' }), 'invalid_id', 'event.id'],
  ['a numeric id', withEvent({ id: 42 }), 'invalid_id', 'event.id'],
  ['an id longer than 128 characters', withEvent({ id: 'x'.repeat(129) }), 'invalid_id', 'event.id'],
  ['an id with a control character', withEvent({ id: 'a\u0000b' }), 'invalid_id', 'event.id'],
  ['a metric name outside the catalogue', withEvent({ name: 'product.wallet.spend.sucess' }), 'unknown_metric', 'event.name'],
  ['a missing metric name', withEvent({ name: undefined }), 'unknown_metric', 'event.name'],
  ['a huge metric name', withEvent({ name: 'a'.repeat(100_000) }), 'unknown_metric', 'event.name'],
  ['a metric name that is a prototype key', withEvent({ name: '__proto__' }), 'unknown_metric', 'event.name'],
  ['a kind that does not exist', withEvent({ kind: 'histogram' }), 'kind_mismatch', 'event.kind'],
  ['a kind that contradicts the catalogue', withEvent({ kind: 'gauge' }), 'kind_mismatch', 'event.kind'],
  ['a value that is NaN', withEvent({ value: NaN }), 'invalid_value', 'event.value'],
  ['a value that is Infinity', withEvent({ value: Infinity }), 'invalid_value', 'event.value'],
  ['a value that is -Infinity', withEvent({ value: -Infinity }), 'invalid_value', 'event.value'],
  ['a value that is a numeric string', withEvent({ value: '1' }), 'invalid_value', 'event.value'],
  ['a missing value', withEvent({ value: undefined }), 'invalid_value', 'event.value'],
  ['a negative count', withEvent({ value: -1 }), 'invalid_value', 'event.value'],
  ['a negative timing', { ...good, name: 'infra.http.request.latency_ms', kind: 'timing', value: -3 }, 'invalid_value', 'event.value'],
  ['a value beyond 1e15', withEvent({ value: 1e16 }), 'invalid_value', 'event.value'],
  ['a timestamp that is an ISO string', withEvent({ ts: '2026-11-26T12:00:00Z' }), 'invalid_timestamp', 'event.ts'],
  ['a fractional timestamp', withEvent({ ts: NOW + 0.5 }), 'invalid_timestamp', 'event.ts'],
  ['a timestamp in seconds, not milliseconds', withEvent({ ts: Math.floor(NOW / 1000) }), 'invalid_timestamp', 'event.ts'],
  ['a timestamp an hour in the future', withEvent({ ts: NOW + 3_600_000 }), 'invalid_timestamp', 'event.ts'],
  ['tags given as an array', withTags(['tier', 'core'] as unknown as Record<string, unknown>), 'invalid_tags', 'event.tags'],
  ['tags given as a string', withEvent({ tags: 'tier=core' }), 'invalid_tags', 'event.tags'],
  ['seventeen tags', withTags(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']))), 'too_many_tags', 'event.tags'],
  ['a tag key outside the allow-list', withTags({ tier: 'core', user_id: 'abc' }), 'tag_not_allowed', 'event.tags.user_id'],
  ['a tag key of 10,000 characters', withTags({ ['k'.repeat(10_000)]: 'v' }), 'tag_not_allowed', `event.tags.${'k'.repeat(40)}…`],
  ['a tag value that is a number', withTags({ tier: 1 }), 'invalid_tag_value', 'event.tags.tier'],
  ['a tag value that is null', withTags({ tier: null }), 'invalid_tag_value', 'event.tags.tier'],
  ['an empty tag value', withTags({ tier: '' }), 'invalid_tag_value', 'event.tags.tier'],
  ['a tag value of a million characters', withTags({ endpoint: 'x'.repeat(1_000_000) }), 'invalid_tag_value', 'event.tags.endpoint'],
  ['a tag value with a newline', withTags({ endpoint: '/a\n/b' }), 'invalid_tag_value', 'event.tags.endpoint'],
  ['an e-mail address in a tag', withTags({ endpoint: 'jane.doe@example.com' }), 'personal_data', 'event.tags.endpoint'],
  ['an e-mail address inside a route', withTags({ endpoint: '/users/jane@example.co.uk/profile' }), 'personal_data', 'event.tags.endpoint'],
  ['an international phone number', withTags({ endpoint: '+48 601 234 567' }), 'personal_data', 'event.tags.endpoint'],
  ['a national phone number with dashes', withTags({ endpoint: '/call/415-555-2671' }), 'personal_data', 'event.tags.endpoint'],
  ['a payment card number', withTags({ endpoint: '4111 1111 1111 1111' }), 'personal_data', 'event.tags.endpoint'],
  ['a card number inside a query string', withTags({ endpoint: '/pay?card=5500-0000-0000-0004' }), 'personal_data', 'event.tags.endpoint'],
  ['an IPv4 address', withTags({ endpoint: '192.168.10.24' }), 'personal_data', 'event.tags.endpoint'],
  ['an IPv4 address with a port', withTags({ endpoint: '/from/10.0.0.7:443' }), 'personal_data', 'event.tags.endpoint'],
  ['an IPv6 address', withTags({ endpoint: '2001:db8::8a2e:370:7334' }), 'personal_data', 'event.tags.endpoint'],
  ['a Firebase Auth uid', withTags({ endpoint: '/profile/kX9fP2qLm8ZtR4vB7nW1sY3dA6cE' }), 'personal_data', 'event.tags.endpoint'],
  ['a UUID', withTags({ endpoint: '/u/3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b' }), 'personal_data', 'event.tags.endpoint'],
  ['a prefixed user id', withTags({ endpoint: 'user_84213377' }), 'personal_data', 'event.tags.endpoint'],
  // Unicode that is not text a person can read back (shared/unsafe-text.ts).
  ['a tag value with a lone high surrogate', withTags({ endpoint: 'a\ud800b' }), 'invalid_unicode', 'event.tags.endpoint'],
  ['a tag value ending in a lone high surrogate', withTags({ endpoint: '/api/feed\udbff' }), 'invalid_unicode', 'event.tags.endpoint'],
  ['a tag value with a lone low surrogate', withTags({ endpoint: '\udc00/api' }), 'invalid_unicode', 'event.tags.endpoint'],
  ['an id with a lone high surrogate', withEvent({ id: 'id-\ud800' }), 'invalid_unicode', 'event.id'],
  ['an id with another lone high surrogate', withEvent({ id: 'id-\udbff' }), 'invalid_unicode', 'event.id'],
  ['a tag key with a lone surrogate', withTags({ tier: 'core', ['end\ud800']: 'x' }), 'invalid_unicode', 'event.tags.end\\ud800'],
  ['a tag value with a right-to-left override (U+202E)', withTags({ endpoint: '/api/\u202egpj.exe' }), 'unsafe_characters', 'event.tags.endpoint'],
  ['a tag value with a left-to-right isolate (U+2066)', withTags({ endpoint: '\u2066/api/feed\u2069' }), 'unsafe_characters', 'event.tags.endpoint'],
  ['a tag value with an Arabic letter mark (U+061C)', withTags({ endpoint: '/api\u061c/feed' }), 'unsafe_characters', 'event.tags.endpoint'],
  ['a tag value with a line separator (U+2028)', withTags({ endpoint: '/api\u2028/feed' }), 'unsafe_characters', 'event.tags.endpoint'],
  ['a tag value with a paragraph separator (U+2029)', withTags({ endpoint: '/api\u2029/feed' }), 'unsafe_characters', 'event.tags.endpoint'],
  ['a tag value with a zero-width space (U+200B)', withTags({ endpoint: '/api/\u200bfeed' }), 'unsafe_characters', 'event.tags.endpoint'],
  ['a tag value with a zero-width joiner (U+200D)', withTags({ endpoint: 'core\u200d' }), 'unsafe_characters', 'event.tags.endpoint'],
  ['a tag value with a byte order mark (U+FEFF)', withTags({ endpoint: '\ufeff/api/feed' }), 'unsafe_characters', 'event.tags.endpoint'],
  ['a tag value with a word joiner (U+2060)', withTags({ endpoint: '/api\u2060/feed' }), 'unsafe_characters', 'event.tags.endpoint'],
  ['a tag key with a zero-width space', withTags({ tier: 'core', ['end\u200bpoint']: 'x' }), 'unsafe_characters', 'event.tags.end\\u200bpoint'],
  ['an id with a left-to-right mark (U+200E)', withEvent({ id: 'evt\u200e-1' }), 'unsafe_characters', 'event.id'],
  ['an id with a right-to-left mark (U+200F)', withEvent({ id: 'evt\u200f-1' }), 'unsafe_characters', 'event.id'],
  ['an id with a line separator', withEvent({ id: 'evt\u2028-1' }), 'unsafe_characters', 'event.id'],
  ['a metric name with a right-to-left override', withEvent({ name: 'infra.http.request\u202e.count' }), 'unsafe_characters', 'event.name'],
  ['a metric name with a zero-width space', withEvent({ name: 'infra.http.request.\u200bcount' }), 'unsafe_characters', 'event.name'],
  // Personal data in the event id (ids are random: the id-shaped rules of the tag guard do not apply).
  ['an e-mail address as the id', withEvent({ id: 'jane.doe@example.com' }), 'personal_data', 'event.id'],
  ['a payment card number as the id', withEvent({ id: '4111111111111111' }), 'personal_data', 'event.id'],
  ['an IP address as the id', withEvent({ id: '10.0.0.1' }), 'personal_data', 'event.id'],
  ['a phone number as the id', withEvent({ id: '+48 601 234 567' }), 'personal_data', 'event.id'],
  // Merged events (issue #18, docs/WIRE_FORMAT.md "Merged events"); test/unit/shared/event-aggregate.test.ts has the properties.
  ['a count of 0 calls', withEvent({ count: 0 }), 'invalid_count', 'event.count'],
  ['a fractional count', withEvent({ count: 2.5, min: 0, max: 1, start_ts: NOW - 1_000 }), 'invalid_count', 'event.count'],
  ['a count beyond a billion', withEvent({ count: 2e9, min: 0, max: 1, start_ts: NOW - 1_000 }), 'invalid_count', 'event.count'],
  ['a merged count without min and max', withEvent({ value: 5, count: 5, start_ts: NOW - 1_000 }), 'invalid_aggregate', 'event.min'],
  ['min greater than max', withEvent({ value: 5, count: 5, min: 2, max: 1, start_ts: NOW - 1_000 }), 'invalid_aggregate', 'event.min'],
  ['a merged count whose sum exceeds max·count', withEvent({ value: 50, count: 5, min: 1, max: 2, start_ts: NOW - 1_000 }), 'invalid_aggregate', 'event.value'],
  ['a gauge whose last value is outside min … max', { id: 'g', name: 'product.wallet.balance', kind: 'gauge', value: 9, ts: NOW, tags: { pool: 'creator' }, count: 2, min: 1, max: 2, sum: 3, start_ts: NOW }, 'invalid_aggregate', 'event.value'],
  ['a last on a gauge', { id: 'g', name: 'product.wallet.balance', kind: 'gauge', value: 2, ts: NOW, tags: { pool: 'creator' }, count: 2, min: 1, max: 2, sum: 3, last: 2, start_ts: NOW }, 'invalid_aggregate', 'event.last'],
  ['a merged gauge without the sum of its values', { id: 'g', name: 'product.wallet.balance', kind: 'gauge', value: 2, ts: NOW, tags: { pool: 'creator' }, count: 2, min: 1, max: 2, start_ts: NOW }, 'invalid_aggregate', 'event.sum'],
  ['a sum on a count', withEvent({ value: 5, count: 5, min: 1, max: 1, sum: 5, start_ts: NOW - 1_000 }), 'invalid_aggregate', 'event.sum'],
  ['a merged count without start_ts', withEvent({ value: 5, count: 5, min: 1, max: 1 }), 'invalid_interval', 'event.start_ts'],
  ['start_ts after ts', withEvent({ value: 5, count: 5, min: 1, max: 1, start_ts: NOW }), 'invalid_interval', 'event.start_ts'],
  ['start_ts in the minute before ts', withEvent({ ts: NOW + 1_000, value: 5, count: 5, min: 1, max: 1, start_ts: NOW - 1 }), 'invalid_interval', 'event.start_ts'],
  ['a histogram on a count', withEvent({ value: 2, count: 2, min: 1, max: 1, start_ts: NOW - 1_000, histogram: [[0, 2]] }), 'invalid_histogram', 'event.histogram'],
  ['a merged timing without a histogram', { ...good, name: 'infra.http.request.latency_ms', kind: 'timing', value: 30, count: 2, min: 10, max: 20, start_ts: NOW - 1_000 }, 'invalid_histogram', 'event.histogram'],
  ['histogram counts that do not sum to count', { ...good, name: 'infra.http.request.latency_ms', kind: 'timing', value: 30, count: 2, min: 10, max: 20, start_ts: NOW - 1_000, histogram: [[232, 1]] }, 'invalid_histogram', 'event.histogram'],
  ['histogram buckets out of order', { ...good, name: 'infra.http.request.latency_ms', kind: 'timing', value: 30, count: 2, min: 10, max: 20, start_ts: NOW - 1_000, histogram: [[300, 1], [232, 1]] }, 'invalid_histogram', 'event.histogram'],
  ['a histogram that is an object', { ...good, name: 'infra.http.request.latency_ms', kind: 'timing', value: 30, count: 2, min: 10, max: 20, start_ts: NOW - 1_000, histogram: { 232: 1, 300: 1 } }, 'invalid_histogram', 'event.histogram'],
];

describe('validateEvent rejects bad events with a reason a person can act on', () => {
  it.each(rejected)('rejects %s', (_label, input, code, field) => {
    const result = validateEvent(input, opts);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code, field })]));
    for (const reason of result.reasons) expect(reason.message.length).toBeGreaterThan(10);
  });

  it('has at least 30 rejection cases', () => {
    expect(rejected.length).toBeGreaterThanOrEqual(30);
  });

  it('reports every problem of an event, not only the first', () => {
    const result = validateEvent({ id: '', name: 'nope', kind: 'count', value: NaN, ts: 'x' }, opts);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons.map((r) => r.code).sort()).toEqual(['invalid_id', 'invalid_timestamp', 'invalid_value', 'unknown_metric']);
  });

  it('never echoes the personal data it found into the reason', () => {
    const result = validateEvent(withTags({ endpoint: 'jane.doe@example.com' }), opts);
    expect(JSON.stringify(result)).not.toContain('jane.doe');
  });

  it('never echoes personal data found in an id into the reason', () => {
    const result = validateEvent(withEvent({ id: 'jane.doe@example.com' }), opts);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons.map((r) => r.message).join(' ')).not.toContain('jane.doe');
  });

  it('names an unsafe character by its code point, never writing the character itself into a reason', () => {
    const result = validateEvent(withTags({ endpoint: '/api/\u202egpj.exe' }), opts);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const [reason] = result.reasons;
    expect(reason?.message).toContain('U+202E at position 5');
    expect(reason?.message).not.toContain('\u202e');
  });

  it('accepts emoji and other well-formed non-ASCII text in tag values (surrogate pairs are valid Unicode)', () => {
    expect(validateEvent(withTags({ tier: 'core', endpoint: '/api/gifts/🎁', method: 'GET', status_class: '2xx' }), opts).ok).toBe(true);
    expect(validateEvent(withTags({ tier: 'core', endpoint: '/zażółć/gęślą', method: 'GET', status_class: '2xx' }), opts).ok).toBe(true);
  });

  it('accepts ids as producers make them: UUIDs and the emitter\'s base64url prefix with a base36 counter', () => {
    for (const id of ['3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b', 'Ab3x9Qzk_Lm-1a', 'kX9fP2qLm8Zt-2bq0', 'evt-1']) {
      expect(validateEvent(withEvent({ id }), opts)).toEqual(expect.objectContaining({ ok: true }));
    }
  });
});

describe('decodeMessage rejects whole messages it cannot use', () => {
  const message = { schema: 'metrics.v1', source: { service: 'wallet', environment: 'production' }, events: [good] };
  const cases: Array<[string, Uint8Array | string, RejectionCode]> = [
    ['bytes that are not UTF-8', new Uint8Array([0xff, 0xfe, 0x00]), 'invalid_encoding'],
    ['text that is not JSON', '{"schema":', 'invalid_json'],
    ['JSON that is not an object', '[1,2,3]', 'not_an_object'],
    ['a message over 1 MB', JSON.stringify({ ...message, pad: 'x'.repeat(WIRE_LIMITS.maxMessageBytes) }), 'message_too_large'],
    ['a wrong schema version', JSON.stringify({ ...message, schema: 'metrics.v2' }), 'wrong_schema'],
    ['a missing source', JSON.stringify({ ...message, source: undefined }), 'invalid_source'],
    ['a source without a service', JSON.stringify({ ...message, source: { environment: 'production' } }), 'invalid_source'],
    ['events that are not an array', JSON.stringify({ ...message, events: {} }), 'invalid_events'],
    ['an empty events array', JSON.stringify({ ...message, events: [] }), 'invalid_events'],
    ['more than 10,000 events', JSON.stringify({ ...message, events: Array.from({ length: 10_001 }, () => 0) }), 'too_many_events'],
    ['a tag value nested 6,000 levels deep', JSON.stringify(message).replace('"2xx"', '['.repeat(6_000) + ']'.repeat(6_000)), 'nesting_too_deep'],
    ['an array nested 100,000 levels deep', '['.repeat(100_000) + ']'.repeat(100_000), 'nesting_too_deep'],
    ['a service with a right-to-left override', JSON.stringify({ ...message, source: { service: 'wal\u202elet', environment: 'production' } }), 'unsafe_characters'],
    ['an environment with a lone surrogate', JSON.stringify({ ...message, source: { service: 'wallet', environment: 'prod\ud800' } }), 'invalid_unicode'],
    ['an e-mail address as the service', JSON.stringify({ ...message, source: { service: 'jane@example.com', environment: 'production' } }), 'personal_data'],
    ['an IP address as the environment', JSON.stringify({ ...message, source: { service: 'wallet', environment: '192.168.0.12' } }), 'personal_data'],
  ];

  it.each(cases)('rejects %s', (_label, data, code) => {
    const decoded = decodeMessage(data, opts);
    expect(decoded.messageReasons.map((r) => r.code)).toContain(code);
    expect(decoded.valid).toEqual([]);
  });

  it('splits a mixed batch into valid events and rejected ones, keeping each raw event and its index', () => {
    const bad = withEvent({ id: 'evt-2', value: NaN });
    const decoded = validateMessage({ ...message, events: [good, bad, { ...good, id: 'evt-3' }] }, opts);
    expect(decoded.messageReasons).toEqual([]);
    expect(decoded.source).toEqual({ service: 'wallet', environment: 'production' });
    expect(decoded.valid.map((e) => e.id)).toEqual(['evt-1', 'evt-3']);
    expect(decoded.rejected).toEqual([{ index: 1, raw: bad, reasons: [expect.objectContaining({ code: 'invalid_value', field: 'events[1].value' })] }]);
  });
});

describe('the validator never throws', () => {
  it('returns a result for any JSON-like value as an event', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }), (value) => {
        const result = validateEvent(value, opts);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 2_000 },
    );
  });

  it('returns a result for events whose fields have arbitrary types', () => {
    const field = fc.oneof(fc.anything(), fc.string(), fc.double(), fc.constantFrom(NaN, Infinity, -0, undefined, null));
    fc.assert(
      fc.property(fc.record({ id: field, name: fc.oneof(field, fc.constantFrom('infra.http.request.count', 'toString', 'constructor')), kind: field, value: field, ts: field, tags: fc.oneof(field, fc.dictionary(fc.string(), field)) }, { requiredKeys: [] }), (event) => {
        expect(typeof validateEvent(event, opts).ok).toBe('boolean');
      }),
      { numRuns: 2_000 },
    );
  });

  it('rejects exotic objects that throw when read: a revoked Proxy and a throwing getter', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const throwing = Object.defineProperty({}, 'id', { enumerable: true, get: () => { throw new Error('boom'); } });
    for (const value of [proxy, throwing]) {
      const result = validateEvent(value, opts);
      expect(result).toEqual({ ok: false, reasons: [expect.objectContaining({ code: 'not_an_object', field: 'event' })] });
    }
  });

  it('returns a result for any bytes or text as a message', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.string(), fc.json()), (data) => {
        const decoded = decodeMessage(data, opts);
        expect(Array.isArray(decoded.messageReasons)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});
