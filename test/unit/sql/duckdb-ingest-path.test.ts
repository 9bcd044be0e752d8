import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { defineQuery, type DeadLetterRow, type EventRow } from '../../../sql';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const row = (id: string, overrides: Partial<EventRow> = {}): EventRow => ({
  event_id: id,
  name: 'product.wallet.spend.latency_ms',
  kind: 'timing',
  value: 12.345,
  event_ts_ms: T0 + 1,
  ingest_ts_ms: T0 + 999,
  series_key: 'feature=chat',
  tags: '{"feature":"chat"}',
  service: 'wallet',
  environment: 'test',
  message_id: 'm1',
  ...overrides,
});
const dead = (id: string, overrides: Partial<DeadLetterRow> = {}): DeadLetterRow => ({
  dead_letter_id: id,
  received_at_ms: T0,
  scope: 'event',
  message_id: 'm1',
  event_index: 3,
  event_id: 'e3',
  reason_codes: 'invalid_value',
  reasons: '[{"code":"invalid_value","field":"events[3].value","message":"…"}]',
  raw_payload: '{"id":"e3","value":-1}',
  service: 'wallet',
  ...overrides,
});

const allEvents = defineQuery(
  't_all',
  'SELECT event_id, name, kind, value, UNIX_MILLIS(event_ts) AS event_ts_ms, UNIX_MILLIS(ingest_ts) AS ingest_ts_ms, series_key, CAST(tags AS STRING) AS tags, service, environment, message_id FROM {{metric_events}} WHERE event_ts >= TIMESTAMP_MILLIS(0) ORDER BY event_id',
);

describe('DuckDbWarehouse ingest path (appender → staging → INSERT … SELECT)', () => {
  let wh: DuckDbWarehouse;
  beforeEach(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
  });
  afterEach(() => wh.close());

  it('stores exactly the values it was given, rows of several messages and sources in one call', async () => {
    const rows = [
      row('a'),
      row('b', { message_id: 'm2', service: 'chat', environment: 'prod', ingest_ts_ms: T0 + 5, tags: '{"region":"eu","feature":"x"}', series_key: 'feature=x,region=eu', value: -0.25 }),
      row('c', { message_id: null, tags: '{"feature":"chat"}', series_key: 'odd but given' }),
      row('d', { value: 1e15, event_ts_ms: 0 }),
    ];
    expect(await wh.insertEvents(rows)).toEqual({ inserted: 4, duplicates: 0 });
    expect(await wh.query(allEvents)).toEqual(rows);
  });

  it('skips ids already stored (the redelivery path) and counts them, keeping the stored row', async () => {
    await wh.insertEvents([row('a', { value: 1 }), row('b')]);
    expect(await wh.insertEvents([row('a', { value: 2 }), row('c'), row('b'), row('c')])).toEqual({ inserted: 1, duplicates: 3 });
    const stored = await wh.query(allEvents);
    expect(stored.map((r) => [r.event_id, r.value])).toEqual([['a', 1], ['b', 12.345], ['c', 12.345]]);
    expect(await wh.insertEvents([row('x'), row('y')])).toEqual({ inserted: 2, duplicates: 0 });
  });

  it('stores nothing of a call that fails, and the next call is unaffected by its leftovers', async () => {
    await expect(wh.insertEvents([row('ok'), row('bad', { event_ts_ms: 1e300 })])).rejects.toThrow();
    expect(await wh.query(allEvents)).toEqual([]);
    expect(await wh.insertEvents([row('next')])).toEqual({ inserted: 1, duplicates: 0 });
    expect((await wh.query(allEvents)).map((r) => r.event_id)).toEqual(['next']);
  });

  it('stores each id once when calls overlap (they stage side by side and move one at a time)', async () => {
    const calls = Array.from({ length: 6 }, (_, c) => Array.from({ length: 300 }, (_, i) => row(`e${(c * 100 + i) % 700}`, { message_id: `m${c}` })));
    const results = await Promise.all(calls.map((rows) => wh.insertEvents(rows)));
    expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(700);
    expect(results.reduce((sum, r) => sum + r.inserted + r.duplicates, 0)).toBe(1_800);
    const [counts] = await wh.query(defineQuery('t_n', 'SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS d FROM {{metric_events}} WHERE event_ts >= TIMESTAMP_MILLIS(0)'));
    expect(counts).toEqual({ n: 700, d: 700 });
  });

  it('refuses tags that are not JSON text, storing nothing of the call', async () => {
    await expect(wh.insertEvents([row('ok'), row('bad', { tags: '{feature: chat' })])).rejects.toThrow();
    expect(await wh.query(allEvents)).toEqual([]);
  });

  it('writes dead letters once per id, however often a poison message comes back', async () => {
    await wh.insertDeadLetters([dead('m1#3'), dead('m1#message', { scope: 'message', event_index: null, event_id: null, service: null })]);
    await wh.insertDeadLetters([dead('m1#3', { raw_payload: 'second delivery' })]);
    const rows = await wh.query(
      defineQuery('t_dl', 'SELECT dead_letter_id, scope, event_index, event_id, raw_payload, service, UNIX_MILLIS(received_at) AS received_at_ms FROM {{dead_letters}} WHERE received_at >= TIMESTAMP_MILLIS(0) ORDER BY dead_letter_id'),
    );
    expect(rows).toEqual([
      { dead_letter_id: 'm1#3', scope: 'event', event_index: 3, event_id: 'e3', raw_payload: '{"id":"e3","value":-1}', service: 'wallet', received_at_ms: T0 },
      { dead_letter_id: 'm1#message', scope: 'message', event_index: null, event_id: null, raw_payload: '{"id":"e3","value":-1}', service: null, received_at_ms: T0 },
    ]);
  });
});

describe('DuckDbWarehouse file', () => {
  it('keeps what was stored across a close and reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-duckdb-'));
    try {
      const path = join(dir, 'nested', 'obs.duckdb');
      let wh = await DuckDbWarehouse.open(path);
      await wh.createSchema();
      await wh.insertEvents([row('a'), row('b')]);
      await wh.close();
      wh = await DuckDbWarehouse.open(path);
      await wh.createSchema();
      expect(await wh.insertEvents([row('b'), row('c')])).toEqual({ inserted: 1, duplicates: 1 });
      expect((await wh.query(allEvents)).map((r) => r.event_id)).toEqual(['a', 'b', 'c']);
      await wh.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
