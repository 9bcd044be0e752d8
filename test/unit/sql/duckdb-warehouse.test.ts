import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { renderCreateTable } from '../../../sql/ddl';
import { defineQuery, type EventRow, type Row } from '../../../sql';
import { TABLES, type TableName } from '../../../sql/tables';

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

  describe('tables without a DuckDB index key (the rollup projections)', () => {
    const rollup = (minute: number, eventCount: number, extra: Row = {}): Row => ({
      name: 'product.wallet.spend.success',
      series_key: 'feature=chat',
      tags: '{"feature":"chat"}',
      kind: 'count',
      window_start: T0 + minute * 60_000,
      window_seconds: 60,
      event_count: eventCount,
      value_sum: eventCount,
      updated_at: T0,
      ...extra,
    });
    const rollups = () =>
      wh.query(defineQuery('t', 'SELECT UNIX_MILLIS(window_start) AS start_ms, event_count, value_max FROM {{metric_rollups}} ORDER BY window_start'));

    it('creates metric_rollups, metric_histograms and the append-only change log ingest_batches without a PRIMARY KEY, every other table with one', () => {
      for (const table of Object.keys(TABLES) as TableName[]) {
        const ddl = renderCreateTable(TABLES[table], 'duckdb');
        if (table === 'metric_rollups' || table === 'metric_histograms' || table === 'ingest_batches') expect(ddl).not.toContain('PRIMARY KEY');
        else expect(ddl).toContain(`PRIMARY KEY (${TABLES[table].key.join(', ')})`);
      }
    });

    it('upserts by the key: a re-run replaces rows, new keys are added, nothing is duplicated', async () => {
      await wh.upsert('metric_rollups', [rollup(0, 3, { value_max: 1 }), rollup(1, 4)]);
      await wh.upsert('metric_rollups', [rollup(0, 3, { value_max: 1 }), rollup(1, 4)]);
      await wh.upsert('metric_rollups', [rollup(1, 9), rollup(2, 1)]);
      expect(await rollups()).toEqual([
        { start_ms: T0, event_count: 3, value_max: 1 },
        { start_ms: T0 + 60_000, event_count: 9, value_max: null },
        { start_ms: T0 + 120_000, event_count: 1, value_max: null },
      ]);
    });

    it('replaces the whole row, as ON CONFLICT does on keyed tables: a column the new row lacks becomes NULL', async () => {
      await wh.upsert('metric_rollups', [rollup(0, 3, { value_max: 7 })]);
      await wh.upsert('metric_rollups', [rollup(0, 5)]);
      expect(await rollups()).toEqual([{ start_ms: T0, event_count: 5, value_max: null }]);
    });

    it('keeps the later of two rows with one key in a call, and writes calls larger than one statement', async () => {
      const many = Array.from({ length: 1_200 }, (_, i) => rollup(i, 1));
      await wh.upsert('metric_rollups', [...many, rollup(0, 2), rollup(0, 6)]);
      const [row] = await wh.query(defineQuery('t', 'SELECT COUNT(*) AS n, SUM(event_count) AS events FROM {{metric_rollups}}'));
      expect(row).toEqual({ n: 1_200, events: 1_199 + 6 });
    });

    it('still upserts into a file whose table was created with the key by an older version', async () => {
      await wh.execute(defineQuery('t', 'DROP TABLE metric_histograms'));
      await wh.execute(defineQuery('t', renderCreateTable({ ...TABLES.metric_histograms, duckdbIndexKey: undefined }, 'duckdb')));
      const bucket = (count: number): Row => ({ name: 'infra.http.request.latency_ms', series_key: '', window_start: T0, window_seconds: 60, bucket: 310, bucket_count: count });
      await wh.upsert('metric_histograms', [bucket(2)]);
      await wh.upsert('metric_histograms', [bucket(5)]);
      expect(await wh.query(defineQuery('t', 'SELECT bucket, bucket_count FROM {{metric_histograms}}'))).toEqual([{ bucket: 310, bucket_count: 5 }]);
    });
  });
});
