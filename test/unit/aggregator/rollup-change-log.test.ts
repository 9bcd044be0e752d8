import { runRebuild } from '../../../aggregator/rebuild';
import { changeDetectionFor, runRollupJob } from '../../../aggregator/rollup-job';
import { changeLogRows } from '../../../sql/change-log';
import { defineQuery } from '../../../sql/dialect';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { readJobState, ROLLUP_JOB, writeJobState } from '../../../sql/job-state';
import { rollupChangedSpans, rollupChangedSpansScan } from '../../../sql/queries/rollup-incremental';
import type { EventRow } from '../../../sql/warehouse';
import { DAY, event, histogramTable, HOUR, MINUTE, openMemoryWarehouse, rng, roundSums, rollupTable, select } from './support';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const SPENDS = 'product.wallet.spend.success';
const LATENCY = 'infra.http.request.latency_ms';

/** The change log as stored, in a stable order. */
const logRows = (wh: DuckDbWarehouse) =>
  select(
    wh,
    `SELECT UNIX_MILLIS(ingest_ts) AS ingest_ms, message_id, messages, UNIX_MILLIS(min_event_ts) AS min_ms, UNIX_MILLIS(max_event_ts) AS max_ms, events
     FROM {{ingest_batches}} WHERE ingest_ts >= TIMESTAMP_MILLIS(0) ORDER BY ingest_ms, min_ms`,
  );

describe('the change log of metric_events (sql/change-log.ts)', () => {
  const at = (ts: number, message: string | null = 'm1', ingest = T0) => ({ event_ts_ms: ts, ingest_ts_ms: ingest, message_id: message });

  it('logs one row per run of consecutive event minutes, with the exact first and last event time', () => {
    const rows = changeLogRows([at(T0 - 30_000), at(T0 + 5_000, 'm2'), at(T0 - 59_000), at(T0 + 61_000), at(T0 - 3 * DAY + 7)]);
    expect(rows).toEqual([
      { ingest_ts_ms: T0, message_id: 'm1', messages: 1, min_event_ts_ms: T0 - 3 * DAY + 7, max_event_ts_ms: T0 - 3 * DAY + 7, events: 1 },
      // Minutes T0−1, T0 and T0+1 are consecutive: one row.
      { ingest_ts_ms: T0, message_id: 'm1', messages: 2, min_event_ts_ms: T0 - 59_000, max_event_ts_ms: T0 + 61_000, events: 4 },
    ]);
  });

  it('keeps each ingest time apart, and logs nothing for nothing', () => {
    expect(changeLogRows([])).toEqual([]);
    const rows = changeLogRows([at(T0, 'a', T0 + 1), at(T0, 'b', T0 + 2)]);
    expect(rows.map((r) => [r.ingest_ts_ms, r.message_id, r.events])).toEqual([
      [T0 + 1, 'a', 1],
      [T0 + 2, 'b', 1],
    ]);
  });

  it('joins the closest runs when a write is scattered over more runs than it may log, still covering every event', () => {
    const times = [0, 2, 10, 11, 30, 100].map((m) => T0 + m * MINUTE);
    const rows = changeLogRows(times.map((t) => at(t)), 3);
    expect(rows.map((r) => [(r.min_event_ts_ms - T0) / MINUTE, (r.max_event_ts_ms - T0) / MINUTE, r.events])).toEqual([
      [0, 11, 4],
      [30, 30, 1],
      [100, 100, 1],
    ]);
  });
});

describe('ingest writes the change log with the events (DuckDB)', () => {
  let wh: DuckDbWarehouse;
  beforeEach(async () => {
    wh = await openMemoryWarehouse();
  });
  afterEach(() => wh.close());

  const row = (id: string, ts: number, ingestMs = T0) => ({ ...event(SPENDS, 'count', 1, ts, { feature: 'chat' }, { id, ingestMs }), message_id: `msg-${id}` });

  it('logs what a write stored, and nothing for a write of duplicates only', async () => {
    await wh.insertEvents([row('a', T0 - 10_000), row('b', T0 - 5_000), row('old', T0 - 9 * DAY)]);
    expect(await logRows(wh)).toEqual([
      { ingest_ms: T0, message_id: 'msg-a', messages: 1, min_ms: T0 - 9 * DAY, max_ms: T0 - 9 * DAY, events: 1 },
      { ingest_ms: T0, message_id: 'msg-a', messages: 2, min_ms: T0 - 10_000, max_ms: T0 - 5_000, events: 2 },
    ]);
    // A redelivery an hour later: nothing new, nothing logged.
    expect(await wh.insertEvents([row('a', T0 - 10_000, T0 + HOUR), row('b', T0 - 5_000, T0 + HOUR)])).toEqual({ inserted: 0, duplicates: 2 });
    expect(await logRows(wh)).toHaveLength(2);
  });

  it('logs only the new events of a write that repeats some stored ones', async () => {
    await wh.insertEvents([row('a', T0 - 10_000)]);
    expect(await wh.insertEvents([row('a', T0 - 10_000, T0 + HOUR), row('c', T0 + 30 * MINUTE, T0 + HOUR)])).toEqual({ inserted: 1, duplicates: 1 });
    expect((await logRows(wh)).at(-1)).toEqual({ ingest_ms: T0 + HOUR, message_id: 'msg-c', messages: 1, min_ms: T0 + 30 * MINUTE, max_ms: T0 + 30 * MINUTE, events: 1 });
  });

  it('stores neither the events nor their log row when the write fails', async () => {
    await expect(wh.insertEvents([row('ok', T0), { ...row('bad', T0), tags: '{feature: chat' }])).rejects.toThrow();
    expect(await logRows(wh)).toEqual([]);
    expect(await select(wh, 'SELECT COUNT(*) AS n FROM {{metric_events}} WHERE event_ts >= TIMESTAMP_MILLIS(0)')).toEqual([{ n: 0 }]);
    await wh.insertEvents([row('next', T0)]);
    expect(await logRows(wh)).toHaveLength(1);
  });
});

/**
 * Mixed traffic over twelve days, written in ingest batches: on-time events, events minutes and
 * hours late, days late, and older than the scan's seven-day horizon; some batches redelivered.
 */
function traffic(seed: number): Array<{ ingestMs: number; rows: EventRow[] }> {
  const random = rng(seed);
  const START = T0 - 12 * DAY;
  const byIngest = new Map<number, EventRow[]>();
  for (let i = 0; i < 3_000; i++) {
    const ts = START + Math.floor(random() * 12 * DAY);
    const r = random();
    const lateness = r < 0.03 ? 8 * DAY + Math.floor(random() * 2 * DAY) : r < 0.08 ? Math.floor(random() * 3 * DAY) : r < 0.25 ? Math.floor(random() * 30 * MINUTE) : 2_000;
    const ingestMs = Math.ceil((ts + lateness) / (15 * MINUTE)) * 15 * MINUTE;
    const timing = i % 2 === 0;
    const row = event(timing ? LATENCY : SPENDS, timing ? 'timing' : 'count', timing ? Math.round(Math.exp(3 + random() * 4)) : 1 + Math.floor(random() * 3), ts, { tier: random() < 0.5 ? 'core' : 'secondary' }, { ingestMs });
    byIngest.set(ingestMs, [...(byIngest.get(ingestMs) ?? []), row]);
  }
  return [...byIngest.entries()].sort((a, b) => a[0] - b[0]).map(([ingestMs, rows]) => ({ ingestMs, rows }));
}

describe('incremental rollups from the change log', () => {
  it('find the same changed spans as the scan of metric_events, run after run, and end equal to a rebuild (late data, data older than the horizon, redeliveries, re-runs)', async () => {
    const batches = traffic(11);
    const wh = await openMemoryWarehouse();
    try {
      let nextRun = T0 - 12 * DAY + HOUR;
      let runs = 0;
      const compareDetections = async (nowMs: number) => {
        const state = await readJobState(wh, ROLLUP_JOB);
        if (state.watermarkMs === null) return;
        const range = { after_ms: state.watermarkMs - MINUTE, upto_ms: nowMs - 10_000 };
        // The scan without a horizon is the truth about which minutes received new events.
        expect(await wh.query(rollupChangedSpans, range)).toEqual(await wh.query(rollupChangedSpansScan, { ...range, horizon_ms: 0 }));
      };
      for (const [k, batch] of batches.entries()) {
        while (nextRun < batch.ingestMs) {
          await compareDetections(nextRun);
          const result = await runRollupJob(wh, { nowMs: nextRun });
          expect(result.changeDetection).toBe(runs === 0 ? 'scan' : 'change_log');
          if (runs % 5 === 0) await runRollupJob(wh, { nowMs: nextRun }); // a re-run changes nothing
          runs++;
          nextRun += 12 * HOUR;
        }
        await wh.insertEvents(batch.rows);
        if (k % 7 === 0) await wh.insertEvents(batch.rows.map((r) => ({ ...r, ingest_ts_ms: r.ingest_ts_ms + 1 }))); // redelivered
      }
      const endMs = batches.at(-1)!.ingestMs + MINUTE;
      await compareDetections(endMs);
      await runRollupJob(wh, { nowMs: endMs });
      const incremental = { rollups: roundSums(await rollupTable(wh)), histograms: await histogramTable(wh) };
      // Every event counted once in the day rollups, the ones more than seven days late included.
      const total = batches.reduce((n, b) => n + b.rows.length, 0);
      expect(await select(wh, `SELECT SUM(event_count) AS n FROM {{metric_rollups}} WHERE window_seconds = 86400`)).toEqual([{ n: total }]);

      await runRebuild(wh, { fromMs: T0 - 13 * DAY, toMs: T0 + DAY, nowMs: endMs + HOUR });
      expect({ rollups: roundSums(await rollupTable(wh)), histograms: await histogramTable(wh) }).toEqual(incremental);
    } finally {
      await wh.close();
    }
  });

  it('gives a re-imported batch no work: duplicates log nothing, so the run recomputes no window', async () => {
    const wh = await openMemoryWarehouse();
    try {
      const rows = Array.from({ length: 500 }, (_, i) => event(SPENDS, 'count', 1, T0 - 10 * DAY + i * 17 * MINUTE, {}, { id: `imp${i}`, ingestMs: T0 }));
      await runRollupJob(wh, { nowMs: T0 - MINUTE }); // the job has run before: a watermark
      await wh.insertEvents(rows);
      const first = await runRollupJob(wh, { nowMs: T0 + 5 * MINUTE });
      expect(first).toMatchObject({ changeDetection: 'change_log', newEvents: 500 });
      // The same file again, ten minutes later (past the next run's rescan overlap).
      await wh.insertEvents(rows.map((r) => ({ ...r, ingest_ts_ms: T0 + 10 * MINUTE })));
      const again = await runRollupJob(wh, { nowMs: T0 + 11 * MINUTE });
      expect(again).toMatchObject({ newEvents: 0, changedMinutes: 0, spans: [] });
      expect(again.statements).toBe(3); // job state read, the log read, job state write
    } finally {
      await wh.close();
    }
  });

  it('scans metric_events on the first run and on the first run after an upgrade, so events stored without a log row are rolled up', async () => {
    expect(changeDetectionFor({ watermarkMs: null, lastResult: null })).toBe('scan');
    expect(changeDetectionFor({ watermarkMs: T0, lastResult: { newEvents: 3 } })).toBe('scan');
    expect(changeDetectionFor({ watermarkMs: T0, lastResult: { newEvents: 3, changeDetection: 'scan' } })).toBe('change_log');

    const wh = await openMemoryWarehouse();
    try {
      // A run of the previous build: its summary has no changeDetection.
      await writeJobState(wh, ROLLUP_JOB, { watermarkMs: T0 - 10 * MINUTE, lastRunMs: T0 - 10 * MINUTE, lastResult: { newEvents: 0 } });
      // An event the previous build's ingest stored: no log row.
      await wh.execute(
        defineQuery('t_old_ingest', `INSERT INTO metric_events (event_id, name, kind, value, event_ts, ingest_ts, series_key, tags, service, environment, message_id) VALUES ('legacy', '${SPENDS}', 'count', 5, TIMESTAMP_MILLIS(@ts), TIMESTAMP_MILLIS(@ingest), '', '{}', 's', 'e', NULL)`),
        { ts: T0 - 6 * MINUTE, ingest: T0 - 5 * MINUTE },
      );
      const upgrade = await runRollupJob(wh, { nowMs: T0 });
      expect(upgrade).toMatchObject({ changeDetection: 'scan', newEvents: 1 });
      await wh.insertEvents([event(SPENDS, 'count', 2, T0 + 30_000, {}, { ingestMs: T0 + MINUTE })]);
      expect(await runRollupJob(wh, { nowMs: T0 + 2 * MINUTE })).toMatchObject({ changeDetection: 'change_log', newEvents: 1 });
      expect(await select(wh, `SELECT SUM(value_sum) AS n FROM {{metric_rollups}} WHERE window_seconds = 86400`)).toEqual([{ n: 7 }]);
    } finally {
      await wh.close();
    }
  });
});
