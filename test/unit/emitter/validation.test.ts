import type { DropReason } from '../../../emitter';
import { expectInvariant, memoryEmitter, settle } from './helpers';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** Emits one call with `emit`, flushes, and returns what became of it. */
async function outcome(emit: (e: ReturnType<typeof memoryEmitter>['emitter']) => unknown) {
  const { emitter, memory } = memoryEmitter();
  emit(emitter);
  await settle(emitter.flush());
  const stats = emitter.stats();
  expectInvariant(stats);
  const reason = (Object.entries(stats.droppedByReason).find(([, n]) => n > 0)?.[0] ?? 'published') as DropReason | 'published';
  return { reason, events: memory.events(), stats };
}

const HOUR = 3_600_000;

describe('validation at flush: a bad call is dropped and counted by reason, never thrown', () => {
  const cases: [string, (e: ReturnType<typeof memoryEmitter>['emitter']) => unknown, DropReason | 'published'][] = [
    ['a name outside the catalogue is dropped as unknown_metric', (e) => e.count('product.wallet.spend.sucess' as never), 'unknown_metric'],
    ['a name that is not a string is dropped as unknown_metric', (e) => e.count(42 as never), 'unknown_metric'],
    ['a timing name passed to count() (possible from JavaScript) is invalid', (e) => e.count('product.wallet.spend.latency_ms' as never), 'invalid'],
    ['a NaN value is invalid', (e) => e.timing('product.wallet.spend.latency_ms', Number.NaN), 'invalid'],
    ['an infinite value is invalid', (e) => e.gauge('product.wallet.balance', Number.POSITIVE_INFINITY), 'invalid'],
    ['a negative timing is invalid', (e) => e.timing('product.wallet.spend.latency_ms', -5), 'invalid'],
    ['a negative gauge is fine', (e) => e.gauge('product.wallet.balance', -5), 'published'],
    ['a value given as a string is invalid (no silent coercion of values)', (e) => e.count('product.wallet.spend.success', '3' as never), 'invalid'],
    ['a tag not allowed for the metric is invalid', (e) => e.count('product.wallet.spend.success', 1, { user: 'x' }), 'invalid'],
    ['a tag value that is an e-mail address is dropped as personal_data', (e) => e.count('product.wallet.spend.success', 1, { feature: 'jane@example.com' }), 'personal_data'],
    ['a tag value that is a raw uid is dropped as personal_data', (e) => e.count('product.wallet.spend.success', 1, { feature: 'u1AbCdEfGhIjKlMnOpQrStUv2' }), 'personal_data'],
    ['an object as a tag value is invalid', (e) => e.count('product.wallet.spend.success', 1, { feature: {} } as never), 'invalid'],
    ['more than 16 tags is invalid', (e) => e.count('product.wallet.spend.success', 1, Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']))), 'invalid'],
    ['tags that are a string are invalid', (e) => e.count('product.wallet.spend.success', 1, 'feature=chat' as never), 'invalid'],
    ['a timestamp in seconds (40 years ago) is invalid', (e) => e.count('product.wallet.spend.success', 1, undefined, Math.floor(Date.now() / 1000)), 'invalid'],
    ['a timestamp an hour ahead is invalid', (e) => e.count('product.wallet.spend.success', 1, undefined, Date.now() + HOUR), 'invalid'],
    ['a backfill from yesterday is published', (e) => e.count('product.wallet.spend.success', 1, undefined, Date.now() - 24 * HOUR), 'published'],
  ];
  it.each(cases)('%s', async (_title, emit, expected) => {
    expect((await outcome(emit)).reason).toBe(expected);
  });

  it('the drop message names the problem but never echoes a personal tag value', async () => {
    const { stats } = await outcome((e) => e.count('product.wallet.spend.success', 1, { feature: 'jane@example.com' }));
    expect(stats.lastDrop?.message).toContain('e-mail');
    expect(stats.lastDrop?.message).not.toContain('jane');
  });
});

describe('tags', () => {
  it('the seed\'s array form and a plain object give the same event', async () => {
    const a = await outcome((e) => e.count('product.wallet.spend.failed', 1, [{ key: 'feature', value: 'chat' }, { key: 'reason', value: 'limit' }]));
    const b = await outcome((e) => e.count('product.wallet.spend.failed', 1, { feature: 'chat', reason: 'limit' }));
    expect(a.events[0]?.tags).toEqual({ feature: 'chat', reason: 'limit' });
    expect(b.events[0]?.tags).toEqual(a.events[0]?.tags);
  });

  it('numbers and booleans become strings; undefined and null leave the tag out', async () => {
    const { events } = await outcome((e) => e.count('infra.http.request.count', 1, { tier: 'api', status_class: 500, method: undefined, endpoint: null, region: true }));
    expect(events[0]?.tags).toEqual({ tier: 'api', status_class: '500', region: 'true' });
  });

  it('tags are copied at the call: mutating the object afterwards does not change the event', async () => {
    const { events } = await outcome((e) => {
      const tags: Record<string, string> = { feature: 'chat' };
      void e.count('product.wallet.spend.success', 1, tags);
      tags.feature = 'gift';
      void e.count('product.wallet.spend.success', 1, tags);
    });
    expect(events.map((ev) => ev.tags.feature)).toEqual(['chat', 'gift']);
  });

  it('a tagged emitter adds its tags; the call\'s own tags win on the same key', async () => {
    const { events } = await outcome((e) => {
      const chat = e.tagged({ platform: 'ios', channel: 'dm' });
      void chat.count('product.chat.message.count');
      void chat.count('product.chat.message.count', 2, { channel: 'group' });
    });
    expect(events.map((ev) => ev.tags)).toEqual([
      { platform: 'ios', channel: 'dm' },
      { platform: 'ios', channel: 'group' },
    ]);
    expect(events[1]?.value).toBe(2);
  });

  it('a tagged emitter built from invalid tags drops its events as invalid, with the reason', async () => {
    const { stats } = await outcome((e) => e.tagged(42 as never).count('product.chat.message.count'));
    expect(stats.droppedByReason.invalid).toBe(1);
    expect(stats.lastDrop?.message).toContain('tags must be');
  });

  it('a getter that throws while tags are copied drops the event as invalid instead of throwing', async () => {
    const hostile = Object.defineProperty({}, 'feature', { enumerable: true, get: () => { throw new Error('boom'); } });
    const { stats } = await outcome((e) => e.count('product.wallet.spend.success', 1, hostile));
    expect(stats.droppedByReason.invalid).toBe(1);
  });

  it('a Date works as a timestamp', async () => {
    const at = new Date(Date.now() - 60_000);
    const { events } = await outcome((e) => e.count('product.wallet.spend.success', 1, undefined, at));
    expect(events[0]?.ts).toBe(at.getTime());
  });
});
