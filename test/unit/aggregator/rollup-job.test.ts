import { readJobState, ROLLUP_JOB } from '../../../sql/job-state';
import { runRollupJob } from '../../../aggregator/rollup-job';
import { bucketIndex } from '../../../shared/histogram';
import { defineQuery } from '../../../sql/dialect';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { DAY, event, histogramTable, HOUR, MINUTE, openMemoryWarehouse, rollupTable, select } from './support';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const LATENCY = 'infra.http.request.latency_ms';
const DEPTH = 'infra.queue.depth';
const SPENDS = 'product.wallet.spend.success';

describe('incremental rollups (DuckDB)', () => {
  let wh: DuckDbWarehouse;
  beforeEach(async () => {
    wh = await openMemoryWarehouse();
  });
  afterEach(() => wh.close());

  const rollup = (name: string, seconds: number, startMs: number) =>
    select(
      wh,
      `SELECT event_count, value_sum, value_min, value_max, last_value, UNIX_MILLIS(last_ts) AS last_ts_ms, kind, CAST(tags AS VARCHAR) AS tags
       FROM {{metric_rollups}} WHERE name = '${name}' AND window_seconds = ${seconds} AND window_start = TIMESTAMP_MILLIS(${startMs})`,
    );

  it('rolls events up into 1-minute windows with count, sum, min, max, and the last value', async () => {
    await wh.insertEvents([
      event(SPENDS, 'count', 2, T0 + 1_000, { feature: 'chat' }),
      event(SPENDS, 'count', 3, T0 + 59_999, { feature: 'chat' }),
      event(SPENDS, 'count', 1, T0 + 60_000, { feature: 'chat' }),
      event(DEPTH, 'gauge', 40, T0 + 5_000, { queue: 'ingest' }),
      event(DEPTH, 'gauge', 10, T0 + 30_000, { queue: 'ingest' }),
      event(DEPTH, 'gauge', 25, T0 + 20_000, { queue: 'ingest' }),
    ]);
    await runRollupJob(wh, { nowMs: T0 + 5 * MINUTE });
    expect(await rollup(SPENDS, 60, T0)).toEqual([
      // last_value: the latest call's value for every kind since issue #18 (a merged count's `last` keeps it exact); it was gauges only.
      { event_count: 2, value_sum: 5, value_min: 2, value_max: 3, last_value: 3, last_ts_ms: T0 + 59_999, kind: 'count', tags: '{"feature":"chat"}' },
    ]);
    expect((await rollup(SPENDS, 60, T0 + MINUTE))[0]).toMatchObject({ event_count: 1, value_sum: 1 });
    expect((await rollup(DEPTH, 60, T0))[0]).toMatchObject({ event_count: 3, value_min: 10, value_max: 40, last_value: 10, last_ts_ms: T0 + 30_000 });
  });

  it('merges hours and days from minutes exactly, and keeps the last gauge value across minutes', async () => {
    const rows = [];
    for (let m = 0; m < 180; m += 7) {
      rows.push(event(SPENDS, 'count', m + 1, T0 + m * MINUTE + 123, { feature: 'gift' }));
      rows.push(event(DEPTH, 'gauge', 1000 - m, T0 + m * MINUTE + 456, { queue: 'notify' }));
    }
    await wh.insertEvents(rows);
    await runRollupJob(wh, { nowMs: T0 + 4 * HOUR });
    const [hour] = await rollup(SPENDS, 3600, T0 + HOUR);
    const inHour = rows.filter((r) => r.name === SPENDS && r.event_ts_ms >= T0 + HOUR && r.event_ts_ms < T0 + 2 * HOUR);
    expect(hour).toMatchObject({ event_count: inHour.length, value_sum: inHour.reduce((n, r) => n + r.value, 0), value_min: Math.min(...inHour.map((r) => r.value)) });
    const [day] = await rollup(SPENDS, 86400, Date.UTC(2026, 10, 26));
    expect(day).toMatchObject({ event_count: rows.length / 2, value_sum: rows.filter((r) => r.name === SPENDS).reduce((n, r) => n + r.value, 0) });
    const lastGauge = rows.filter((r) => r.name === DEPTH).at(-1)!;
    expect((await rollup(DEPTH, 86400, Date.UTC(2026, 10, 26)))[0]).toMatchObject({ last_value: lastGauge.value, last_ts_ms: lastGauge.event_ts_ms });
  });

  it('breaks a tie of gauge timestamps by event id, so the result never depends on scan order', async () => {
    await wh.insertEvents([
      event(DEPTH, 'gauge', 7, T0 + 10_000, { queue: 'a' }, { id: 'g-b' }),
      event(DEPTH, 'gauge', 9, T0 + 10_000, { queue: 'a' }, { id: 'g-a' }),
    ]);
    await runRollupJob(wh, { nowMs: T0 + 5 * MINUTE });
    expect((await rollup(DEPTH, 60, T0))[0]).toMatchObject({ last_value: 7 });
  });

  it('histograms timing values into log buckets whose counts add up at every level', async () => {
    const values = [0, 0.5, 1, 12.5, 12.6, 100, 100, 480, 510, 2_500];
    await wh.insertEvents(values.map((v, i) => event(LATENCY, 'timing', v, T0 + i * 1_000, { tier: 'core' })));
    await runRollupJob(wh, { nowMs: T0 + 5 * MINUTE });
    const minute = await select(wh, `SELECT bucket, bucket_count FROM {{metric_histograms}} WHERE window_seconds = 60 ORDER BY bucket`);
    const expected = new Map<number, number>();
    for (const v of values) expected.set(bucketIndex(v), (expected.get(bucketIndex(v)) ?? 0) + 1);
    expect(minute).toEqual([...expected.entries()].sort((a, b) => a[0] - b[0]).map(([bucket, bucket_count]) => ({ bucket, bucket_count })));
    const totals = await select(wh, `SELECT window_seconds, SUM(bucket_count) AS n FROM {{metric_histograms}} GROUP BY window_seconds ORDER BY window_seconds`);
    expect(totals).toEqual([
      { window_seconds: 60, n: 10 },
      { window_seconds: 3600, n: 10 },
      { window_seconds: 86400, n: 10 },
    ]);
  });

  it('corrects a window and its hour and day when an event arrives minutes or days late', async () => {
    await wh.insertEvents([event(SPENDS, 'count', 1, T0, { feature: 'chat' }), event(SPENDS, 'count', 1, T0 - 3 * DAY, { feature: 'chat' })]);
    await runRollupJob(wh, { nowMs: T0 + 5 * MINUTE });
    // Ten minutes late, and three days late, both ingested now.
    const ingestMs = T0 + 20 * MINUTE;
    await wh.insertEvents([
      event(SPENDS, 'count', 5, T0 + 30_000, { feature: 'chat' }, { ingestMs }),
      event(SPENDS, 'count', 7, T0 - 3 * DAY + 1_000, { feature: 'chat' }, { ingestMs }),
    ]);
    const result = await runRollupJob(wh, { nowMs: T0 + 21 * MINUTE });
    expect(result.newEvents).toBe(2);
    expect(result.spans).toHaveLength(2);
    expect((await rollup(SPENDS, 60, T0))[0]).toMatchObject({ event_count: 2, value_sum: 6 });
    expect((await rollup(SPENDS, 3600, T0))[0]).toMatchObject({ event_count: 2, value_sum: 6 });
    expect((await rollup(SPENDS, 86400, Date.UTC(2026, 10, 26)))[0]).toMatchObject({ value_sum: 6 });
    expect((await rollup(SPENDS, 60, T0 - 3 * DAY))[0]).toMatchObject({ event_count: 2, value_sum: 8 });
    expect((await rollup(SPENDS, 86400, Date.UTC(2026, 10, 23)))[0]).toMatchObject({ event_count: 2, value_sum: 8 });
  });

  it('is idempotent: running again with the same now leaves the same rows', async () => {
    await wh.insertEvents([event(LATENCY, 'timing', 42, T0, { tier: 'core' }), event(SPENDS, 'count', 3, T0 + HOUR, {})]);
    await runRollupJob(wh, { nowMs: T0 + 2 * HOUR });
    const before = [await rollupTable(wh), await histogramTable(wh)];
    // Forget the watermark: the run recomputes every window from scratch and MERGEs.
    await wh.execute(defineQuery('t', 'DELETE FROM {{job_state}}'));
    await runRollupJob(wh, { nowMs: T0 + 2 * HOUR });
    await runRollupJob(wh, { nowMs: T0 + 2 * HOUR });
    expect([await rollupTable(wh), await histogramTable(wh)]).toEqual(before);
  });

  it('waits for the settle delay, and picks up an event ingested exactly at the watermark on the next run', async () => {
    const first = await runRollupJob(wh, { nowMs: T0 });
    expect(first.watermarkMs).toBe(T0 - 10_000);
    // Stamped exactly at the watermark but visible only after the first run (a slow commit).
    await wh.insertEvents([event(SPENDS, 'count', 1, T0 - 20_000, {}, { ingestMs: first.watermarkMs })]);
    // Stamped 5 s before "now": still settling.
    await wh.insertEvents([event(SPENDS, 'count', 1, T0 + 50_000, {}, { ingestMs: T0 + 55_000 })]);
    const second = await runRollupJob(wh, { nowMs: T0 + MINUTE });
    expect(second.newEvents).toBe(1);
    expect((await rollup(SPENDS, 60, T0 - MINUTE))[0]).toMatchObject({ event_count: 1 });
    expect(await rollup(SPENDS, 60, T0)).toEqual([]);
    const third = await runRollupJob(wh, { nowMs: T0 + 2 * MINUTE });
    expect(third.newEvents).toBe(1);
    expect((await rollup(SPENDS, 60, T0))[0]).toMatchObject({ event_count: 1 });
    expect((await readJobState(wh, ROLLUP_JOB)).watermarkMs).toBe(T0 + 2 * MINUTE - 10_000);
  });

  it('does nothing, cheaply, when nothing new was ingested', async () => {
    await runRollupJob(wh, { nowMs: T0 });
    const r = await runRollupJob(wh, { nowMs: T0 + MINUTE });
    expect(r).toMatchObject({ newEvents: 0, changedMinutes: 0, spans: [] });
  });
});

describe('dedup by event id where the warehouse cannot enforce it (BigQuery-like table)', () => {
  it('counts a redelivered event once in the rollups and the histograms', async () => {
    const wh = await DuckDbWarehouse.open(':memory:');
    try {
      // metric_events without a primary key, as in BigQuery where insertId dedup is best-effort.
      await wh.execute(
        defineQuery(
          't',
          `CREATE TABLE metric_events (event_id VARCHAR NOT NULL, name VARCHAR NOT NULL, kind VARCHAR NOT NULL, value DOUBLE NOT NULL,
             event_ts TIMESTAMP NOT NULL, ingest_ts TIMESTAMP NOT NULL, series_key VARCHAR NOT NULL, tags JSON NOT NULL,
             service VARCHAR NOT NULL, environment VARCHAR NOT NULL, message_id VARCHAR)`,
        ),
      );
      await wh.createSchema();
      const insert = (id: string, name: string, kind: string, value: number, ingestMs: number) =>
        wh.execute(
          defineQuery('t', `INSERT INTO metric_events (event_id, name, kind, value, event_ts, ingest_ts, series_key, tags, service, environment, message_id) VALUES (@id, @name, @kind, @value, TIMESTAMP_MILLIS(@ts), TIMESTAMP_MILLIS(@ingest), 'tier=core', '{"tier":"core"}', 's', 'e', NULL)`),
          { id, name, kind, value, ts: T0 + 1_000, ingest: ingestMs },
        );
      await insert('dup', LATENCY, 'timing', 100, T0 + 2_000);
      await insert('dup', LATENCY, 'timing', 100, T0 + 9_000); // the redelivery
      await insert('other', LATENCY, 'timing', 300, T0 + 2_000);
      await insert('c1', SPENDS, 'count', 4, T0 + 2_000);
      await insert('c1', SPENDS, 'count', 4, T0 + 30_000);
      await runRollupJob(wh, { nowMs: T0 + 5 * MINUTE });
      const rows = await select(wh, `SELECT name, window_seconds, event_count, value_sum FROM {{metric_rollups}} ORDER BY name, window_seconds`);
      expect(rows).toEqual([
        { name: LATENCY, window_seconds: 60, event_count: 2, value_sum: 400 },
        { name: LATENCY, window_seconds: 3600, event_count: 2, value_sum: 400 },
        { name: LATENCY, window_seconds: 86400, event_count: 2, value_sum: 400 },
        { name: SPENDS, window_seconds: 60, event_count: 1, value_sum: 4 },
        { name: SPENDS, window_seconds: 3600, event_count: 1, value_sum: 4 },
        { name: SPENDS, window_seconds: 86400, event_count: 1, value_sum: 4 },
      ]);
      expect(await select(wh, `SELECT SUM(bucket_count) AS n FROM {{metric_histograms}} WHERE window_seconds = 60`)).toEqual([{ n: 2 }]);
    } finally {
      await wh.close();
    }
  });
});
