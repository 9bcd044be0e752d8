import fc from 'fast-check';
import { MessageDecoder } from '../../../ingest';
import { TagSetCache } from '../../../ingest/tag-set-cache';
import { decodeMessage, seriesKey } from '../../../shared';
import { message, NOW, spend } from './fixtures';

/** The decoder must say exactly what shared decodeMessage says; only faster. */
function expectSameAsShared(decoder: MessageDecoder, data: string): void {
  const ours = decoder.decode(Buffer.from(data), NOW);
  const shared = decodeMessage(Buffer.from(data), { nowMs: NOW });
  expect(ours.messageReasons).toEqual(shared.messageReasons);
  expect(ours.source).toEqual(shared.source);
  expect(ours.rejected).toEqual(shared.rejected);
  expect(ours.valid.map((v) => v.event)).toEqual(shared.valid);
  for (const v of ours.valid) {
    expect(v.seriesKey).toBe(seriesKey(v.event.tags));
    expect(v.tagsJson).toBe(JSON.stringify(v.event.tags));
  }
  const rejectedIndexes = new Set(shared.rejected.map((r) => r.index));
  expect(ours.valid.every((v) => !rejectedIndexes.has(v.index))).toBe(true);
}

// Events that are mostly valid (so the cache is hit often), with every field sometimes wrong.
const validTagValue = fc.constantFrom('chat', 'gift', '/api/messages/:id', 'eu', 'us', 'ios');
const badTagValue = fc.oneof(
  fc.constantFrom('jane@example.com', '+44 20 7946 0958', '4111 1111 1111 1111', '10.0.0.1', 'user_8f3kd92j', '', 'x'.repeat(129), 'tab\there', 42, null),
  fc.constantFrom('a\ud800b', '\udc00', 'gift\u202e', 'line\u2028sep', 'zero\u200bwidth', '\ufeffbom', '🎁'),
  fc.string({ maxLength: 8 }),
);
const tagValue = fc.oneof({ weight: 6, arbitrary: validTagValue }, { weight: 1, arbitrary: badTagValue });
const tagKey = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('feature', 'region', 'platform') }, { weight: 1, arbitrary: fc.constantFrom('reason', 'not_allowed', '__proto__') });
const metric = fc.constantFrom(
  ['product.wallet.spend.success', 'count'],
  ['product.wallet.spend.latency_ms', 'timing'],
  ['infra.queue.depth', 'gauge'],
  ['no.such.metric', 'count'],
  ['product.wallet.spend.success', 'timing'],
);
const sometimes = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) => fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: bad });
const event = fc
  .record(
    {
      id: sometimes(fc.stringMatching(/^[a-z0-9-]{1,6}$/), fc.constantFrom('', 7, 'x'.repeat(129), 'a\nb', 'id-\ud800', 'id\u2066', 'jane@example.com', '4111111111111111')),
      metric,
      value: sometimes(fc.integer({ min: 0, max: 1_000 }), fc.oneof(fc.double(), fc.constantFrom(-1, '1', Infinity))),
      ts: sometimes(fc.integer({ min: NOW - 86_400_000, max: NOW }), fc.constantFrom(NOW + 3_600_000, Math.floor(NOW / 1000), NOW - 0.5, null)),
      tags: sometimes(fc.dictionary(tagKey, tagValue, { maxKeys: 3 }), fc.constantFrom(undefined, 'feature=chat', ['chat'])),
    },
    { requiredKeys: ['id', 'metric', 'value', 'ts'] },
  )
  .map(({ metric: pair, ...rest }) => ({ name: pair[0], kind: pair[1], ...rest }));
const anyMessage = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.oneof({ weight: 9, arbitrary: event }, { weight: 1, arbitrary: fc.constantFrom(null, 'event', [1]) }), { minLength: 1, maxLength: 12 }).map((events) => message(events)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'not json',
      message([]),
      message([spend('a')], { service: 'x' }),
      JSON.stringify({ schema: 'metrics.v2', events: [] }),
      message([spend('a')], { service: 'wal\u202elet', environment: 'test' }),
      message([spend('a')], { service: 'wallet', environment: 'test\ud800' }),
      message([spend('a')], { service: 'jane@example.com', environment: 'test' }),
      message([spend('a', { tags: { feature: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['deep']]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]] } })]),
    ),
  },
);

describe('MessageDecoder', () => {
  it('gives the same verdicts and reasons as the shared decodeMessage, message after message (warm cache)', () => {
    const decoder = new MessageDecoder();
    let valid = 0;
    let rejected = 0;
    fc.assert(
      fc.property(fc.array(anyMessage, { minLength: 1, maxLength: 6 }), (messages) => {
        for (const m of messages) {
          expectSameAsShared(decoder, m);
          const decoded = decoder.decode(m, NOW);
          valid += decoded.valid.length;
          rejected += decoded.rejected.length;
        }
      }),
      { numRuns: 300 },
    );
    // Both verdicts were exercised, many times over.
    expect(valid).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(500);
  });

  it('re-checks the other fields of an event whose tag set it has seen, and never trusts a rejected tag set', () => {
    const decoder = new MessageDecoder();
    expectSameAsShared(decoder, message([spend('a')]));
    expectSameAsShared(decoder, message([spend('b', { value: -1 }), spend('c', { ts: NOW + 86_400_000 })]));
    expectSameAsShared(decoder, message([spend('d', { tags: { feature: 'jane@example.com', region: 'eu' } })]));
    expectSameAsShared(decoder, message([spend('e', { tags: { feature: 'jane@example.com', region: 'eu' } })]));
  });

  it('checks the fields of merged events (issue #18) on the warm path as the shared decoder does', () => {
    const decoder = new MessageDecoder();
    const merged = { count: 3, min: 1, max: 5, last: 1, start_ts: NOW - 60_000 };
    const latency = { name: 'product.wallet.spend.latency_ms', kind: 'timing' };
    const gauge = { name: 'infra.queue.depth', kind: 'gauge', tags: { queue: 'ingest' }, count: 2, min: 4, max: 9, start_ts: NOW - 2_000 };
    const event = (id: string, fields: Record<string, unknown>) => spend(id, fields);
    for (let round = 0; round < 2; round++) {
      // The second round finds every tag set in the cache: only the other fields are checked again.
      expectSameAsShared(decoder, message([event('a', { value: 7, ...merged }), event('b', { value: 70, ...merged }), event('c', { value: 7, ...merged, start_ts: NOW })]));
      expectSameAsShared(decoder, message([event('d', { ...latency, value: 30, count: 2, min: 10, max: 20, start_ts: NOW - 2_000, histogram: [[116, 1], [150, 1]] }), event('e', { ...latency, value: 30, count: 2, min: 10, max: 20, start_ts: NOW - 2_000 })]));
      expectSameAsShared(decoder, message([event('g', { ...gauge, value: 4, sum: 13 }), event('h', { ...gauge, value: 4 }), event('i', { ...gauge, value: 4, sum: 99 })]));
    }
    // Warm: every aggregate field the validator knows reaches the stored event (a field the warm path forgot would be lost).
    const decoded = decoder.decode(message([event('f', { value: 7, ...merged }), event('j', { ...gauge, value: 4, sum: 13 })]), NOW);
    expect(decoded.valid.map((v) => v.event)).toEqual([
      expect.objectContaining({ id: 'f', count: 3, min: 1, max: 5, last: 1, start_ts: NOW - 60_000 }),
      expect.objectContaining({ id: 'j', count: 2, min: 4, max: 9, sum: 13, start_ts: NOW - 2_000 }),
    ]);
  });

  it('cannot confuse two different tag sets, whatever characters they contain', () => {
    const cache = new TagSetCache();
    cache.remember('m', { a: 'b', c: 'd' }, { a: 'b', c: 'd' });
    // A naive "k=v|k=v" key would make these the same as the one remembered.
    expect(cache.get('m', { a: 'b|c=d' })).toBeUndefined();
    expect(cache.get('m', { a: 'b', c: 'd', e: 'f' })).toBeUndefined();
    expect(cache.get('m', { a: 'b' })).toBeUndefined();
    expect(cache.get('m|a', { b: '' })).toBeUndefined();
    expect(cache.get('m', { a: 'b', c: 1 })).toBeUndefined();
    expect(cache.get('m', { a: 'b', c: 'd' })?.seriesKey).toBe('a=b,c=d');
    cache.remember('n', undefined, {});
    expect(cache.get('n', {})).toBe(cache.get('n', undefined));
  });

  it('keeps its cache bounded: past the limit it starts afresh', () => {
    const cache = new TagSetCache(3);
    for (const v of ['a', 'b', 'c', 'd']) cache.remember('m', { feature: v }, { feature: v });
    expect(cache.size).toBe(1);
    expect(cache.get('m', { feature: 'a' })).toBeUndefined();
    expect(cache.get('m', { feature: 'd' })?.seriesKey).toBe('feature=d');
  });
});
