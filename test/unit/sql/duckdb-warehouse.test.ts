import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { defineQuery, type EventRow } from '../../../sql';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const event = (id: string, value = 1): EventRow => ({
  event_id: id,
  name: 'product.wallet.spend.success',
  kind: 'count',
  value,
  event_ts_ms: T0,
  ingest_ts_ms: T0 + 5,
  series_key: 'feature=chat',
  tags: '{"feature":"chat"}',
  service: 'wallet',
  environment: 'test',
  message_id: 'm1',
});

describe('DuckDbWarehouse', () => {
  let wh: DuckDbWarehouse;
  beforeEach(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
  });
  afterEach(() => wh.close());

  it('stores each event id once, whether repeated across calls or within one call', async () => {
    expect(await wh.insertEvents([event('a'), event('b')])).toEqual({ inserted: 2, duplicates: 0 });
    expect(await wh.insertEvents([event('b'), event('c'), event('c')])).toEqual({ inserted: 1, duplicates: 2 });
    const rows = await wh.query(defineQuery('t', 'SELECT event_id, UNIX_MILLIS(event_ts) AS ts_ms, JSON_VALUE(tags, \'$.feature\') AS feature FROM {{metric_events}} ORDER BY event_id'));
    expect(rows).toEqual([
      { event_id: 'a', ts_ms: T0, feature: 'chat' },
      { event_id: 'b', ts_ms: T0, feature: 'chat' },
      { event_id: 'c', ts_ms: T0, feature: 'chat' },
    ]);
  });

  it('runs parameterised queries with BigQuery-style @params and functions', async () => {
    await wh.insertEvents([event('a', 2), event('b', 3)]);
    const [row] = await wh.query(
      defineQuery('t', 'SELECT SUM(value) AS total, UNIX_MILLIS(TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(MIN(event_ts)), 60) * 60)) AS w FROM {{metric_events}} WHERE event_ts >= TIMESTAMP_MILLIS(@from_ms) AND name = @name'),
      { from_ms: T0 - 1, name: 'product.wallet.spend.success' },
    );
    expect(row).toEqual({ total: 5, w: T0 });
  });

  it('upserts by the table key, so a re-run replaces rather than duplicates', async () => {
    await wh.upsert('job_state', [{ job: 'rollup', watermark: T0, last_run_at: T0, last_result: '{"windows":3}' }]);
    await wh.upsert('job_state', [{ job: 'rollup', watermark: T0 + 60_000, last_run_at: T0 + 60_000, last_result: '{"windows":1}' }]);
    const rows = await wh.query(defineQuery('t', 'SELECT job, UNIX_MILLIS(watermark) AS watermark_ms, last_result FROM {{job_state}}'));
    expect(rows).toEqual([{ job: 'rollup', watermark_ms: T0 + 60_000, last_result: '{"windows":1}' }]);
  });
});
