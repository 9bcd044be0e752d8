import { applyRetention, checkRebuildRange, retentionCutoffMs, trimRebuiltRollups } from '../../../aggregator/retention';
import { runRebuild } from '../../../aggregator/rebuild';
import { DEFAULTS, type RetentionDays } from '../../../shared/config';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { DeadLetterRow, Row } from '../../../sql/warehouse';
import { DAY, event, histogramTable, HOUR, MINUTE, openMemoryWarehouse, rollupTable, select } from './support';

const NOW = Date.UTC(2026, 10, 27, 15, 30); // 2026-11-27T15:30Z
const RETENTION: RetentionDays = DEFAULTS.retention; // 90, 30, 35, 397 days
const TODAY = Date.UTC(2026, 10, 27);
const EVENTS_CUTOFF = Date.UTC(2026, 7, 29); // 90 days before 2026-11-27
const DEAD_LETTERS_CUTOFF = Date.UTC(2026, 9, 28); // 30 days
const MINUTES_CUTOFF = Date.UTC(2026, 9, 23); // 35 days
const ROLLUPS_CUTOFF = Date.UTC(2025, 9, 26); // 397 days

/** One count and one timing event at each of these times, on both sides of every cut-off. */
const TIMES = {
  beforeRollups: ROLLUPS_CUTOFF - 12 * HOUR,
  atRollups: ROLLUPS_CUTOFF,
  beforeEvents: EVENTS_CUTOFF - 1,
  atEvents: EVENTS_CUTOFF,
  beforeMinutes: MINUTES_CUTOFF - MINUTE,
  atMinutes: MINUTES_CUTOFF,
  recent: NOW - 5 * HOUR,
};

function deadLetter(id: string, receivedMs: number): DeadLetterRow {
  return { dead_letter_id: id, received_at_ms: receivedMs, scope: 'message', message_id: id, event_index: null, event_id: null, reason_codes: 'bad_json', reasons: '[]', raw_payload: '{', service: null };
}

async function seeded(): Promise<DuckDbWarehouse> {
  const wh = await openMemoryWarehouse();
  await wh.insertEvents(
    Object.entries(TIMES).flatMap(([label, ts]) => [
      event('infra.http.request.count', 'count', 2, ts, { tier: 'core' }, { id: `count-${label}` }),
      event('infra.http.request.latency_ms', 'timing', 120, ts, { tier: 'core' }, { id: `timing-${label}` }),
    ]),
  );
  await wh.insertDeadLetters([deadLetter('dl-old', DEAD_LETTERS_CUTOFF - 1), deadLetter('dl-at', DEAD_LETTERS_CUTOFF), deadLetter('dl-new', NOW - HOUR)]);
  // Every rollup from the raw events, as before any retention ran.
  await runRebuild(wh, { fromMs: ROLLUPS_CUTOFF - 2 * DAY, toMs: NOW, nowMs: NOW });
  return wh;
}

const ids = async (wh: DuckDbWarehouse, sql: string) => (await select(wh, sql)).map((r) => Object.values(r)[0]);
const eventIds = (wh: DuckDbWarehouse) => ids(wh, 'SELECT event_id FROM {{metric_events}} ORDER BY event_id');
const windowsOf = (rows: Row[], seconds: number) => rows.filter((r) => r.window_seconds === seconds).map((r) => r.window_start_ms);
const keptAfter = (rows: Row[], predicate: (r: Row) => boolean) => rows.filter(predicate);

describe('obs retention apply on DuckDB (aggregator/retention.ts)', () => {
  it('cuts off at the start of today (UTC) minus the days, as BigQuery expires day partitions', () => {
    expect(retentionCutoffMs(90, NOW)).toBe(EVENTS_CUTOFF);
    expect(retentionCutoffMs(90, TODAY)).toBe(EVENTS_CUTOFF);
    expect(retentionCutoffMs(90, TODAY - 1)).toBe(EVENTS_CUTOFF - DAY);
    expect(retentionCutoffMs(397, NOW)).toBe(ROLLUPS_CUTOFF);
  });

  it('a dry run reports per table what a run removes and removes nothing; the run then removes exactly those rows, a row at the cut-off kept', async () => {
    const wh = await seeded();
    try {
      const before = { events: await eventIds(wh), rollups: await rollupTable(wh), histograms: await histogramTable(wh) };
      // The change log's rows ingested before the events' cut-off go with the events (issue #13).
      const logCount = async (where: string) => Number((await ids(wh, `SELECT COUNT(*) FROM {{ingest_batches}} WHERE ${where}`))[0]);
      const oldLog = await logCount(`ingest_ts < TIMESTAMP_MILLIS(${EVENTS_CUTOFF})`);
      const keptLog = await logCount(`ingest_ts >= TIMESTAMP_MILLIS(${EVENTS_CUTOFF})`);
      expect(oldLog).toBeGreaterThan(0);
      expect(keptLog).toBeGreaterThan(0);
      const dry = await applyRetention(wh, RETENTION, { nowMs: NOW, dryRun: true });
      const counts = Object.fromEntries(dry.tables.map((t) => [t.label, t.rows]));
      expect(counts).toEqual({
        metric_events: 6, // beforeRollups, atRollups, beforeEvents × (count, timing)
        dead_letters: 1,
        // minutes before 2026-10-23: every time but atMinutes and recent, × (count, timing) rollups; timing only for histograms
        'metric_rollups (1m)': 10,
        'metric_histograms (1m)': 5,
        // the hour and the day of beforeRollups (2025-10-25), × 2 metrics; atRollups' hour and day start at the cut-off: kept
        'metric_rollups (1h, 1d)': 4,
        'metric_histograms (1h, 1d)': 2,
        ingest_batches: oldLog,
      });
      expect(dry.tables.map((t) => [t.table, t.cutoff, t.method])).toEqual([
        ['metric_events', new Date(EVENTS_CUTOFF).toISOString(), 'delete'],
        ['dead_letters', new Date(DEAD_LETTERS_CUTOFF).toISOString(), 'delete'],
        ['metric_rollups', new Date(MINUTES_CUTOFF).toISOString(), 'delete'],
        ['metric_histograms', new Date(MINUTES_CUTOFF).toISOString(), 'delete'],
        ['metric_rollups', new Date(ROLLUPS_CUTOFF).toISOString(), 'delete'],
        ['metric_histograms', new Date(ROLLUPS_CUTOFF).toISOString(), 'delete'],
        ['ingest_batches', new Date(EVENTS_CUTOFF).toISOString(), 'delete'],
      ]);
      expect({ events: await eventIds(wh), rollups: await rollupTable(wh), histograms: await histogramTable(wh) }).toEqual(before);
      expect(await ids(wh, 'SELECT COUNT(*) FROM {{dead_letters}}')).toEqual([3]);

      const run = await applyRetention(wh, RETENTION, { nowMs: NOW, dryRun: false });
      expect(run.tables.map((t) => t.rows)).toEqual(dry.tables.map((t) => t.rows));
      expect(await eventIds(wh)).toEqual(
        ['atEvents', 'atMinutes', 'beforeMinutes', 'recent'].flatMap((l) => [`count-${l}`, `timing-${l}`]).sort(),
      );
      expect(await ids(wh, 'SELECT dead_letter_id FROM {{dead_letters}} ORDER BY dead_letter_id')).toEqual(['dl-at', 'dl-new']);

      const rollups = await rollupTable(wh);
      const count = rollups.filter((r) => r.name === 'infra.http.request.count');
      expect(windowsOf(count, 60)).toEqual([TIMES.atMinutes, Math.floor(TIMES.recent / MINUTE) * MINUTE]);
      expect(windowsOf(count, 3600)).toEqual(
        [TIMES.atRollups, TIMES.beforeEvents, TIMES.atEvents, TIMES.beforeMinutes, TIMES.atMinutes, TIMES.recent].map((t) => Math.floor(t / HOUR) * HOUR),
      );
      expect(windowsOf(count, 86400)).toEqual([ROLLUPS_CUTOFF, EVENTS_CUTOFF - DAY, EVENTS_CUTOFF, MINUTES_CUTOFF - DAY, MINUTES_CUTOFF, TODAY]);
      // The rows of kept windows are untouched (values and updated_at), in both tables.
      const keptRollup = (r: Row) => (r.window_seconds === 60 ? (r.window_start_ms as number) >= MINUTES_CUTOFF : (r.window_start_ms as number) >= ROLLUPS_CUTOFF);
      expect(rollups).toEqual(keptAfter(before.rollups, keptRollup));
      expect(await histogramTable(wh)).toEqual(keptAfter(before.histograms, keptRollup));
      expect(await select(wh, `SELECT COUNT(*) AS n FROM {{metric_rollups}} WHERE updated_at <> TIMESTAMP_MILLIS(${NOW})`)).toEqual([{ n: 0 }]);

      // Idempotent: nothing more to remove at the same time.
      const again = await applyRetention(wh, RETENTION, { nowMs: NOW, dryRun: false });
      expect(again.tables.map((t) => t.rows)).toEqual([0, 0, 0, 0, 0, 0, 0]);
      expect([await logCount('TRUE'), await logCount(`ingest_ts < TIMESTAMP_MILLIS(${EVENTS_CUTOFF})`)]).toEqual([keptLog, 0]);
    } finally {
      await wh.close();
    }
  });

  it('a rebuild after retention is refused over days retention emptied, and brings back no row retention removed', async () => {
    const wh = await seeded();
    try {
      // Before retention ran, the raw events of those days are there: a rebuild is fine.
      expect((await checkRebuildRange(wh, RETENTION, { fromMs: ROLLUPS_CUTOFF - 5 * DAY, toMs: NOW, nowMs: NOW })).refusal).toBeUndefined();

      await applyRetention(wh, RETENTION, { nowMs: NOW, dryRun: false });
      const afterRetention = { rollups: await rollupTable(wh), histograms: await histogramTable(wh) };

      // Raw events before 2026-08-29 are gone: rebuilding 2026-08-28 would delete its hour and day
      // rollups (all that is left of it) and insert nothing.
      const refused = await checkRebuildRange(wh, RETENTION, { fromMs: EVENTS_CUTOFF - HOUR, toMs: NOW, nowMs: NOW });
      expect(refused.refusal).toBe(
        'the range reaches 2026-08-28, whose raw events retention removed (days before 2026-08-29, OBS_RETENTION_EVENTS_DAYS=90): ' +
          'a rebuild would delete the hour and day rollups that are all that is left of them. Rebuild from 2026-08-29 or later.',
      );
      expect(refused.trims).toEqual([]);
      expect((await checkRebuildRange(wh, RETENTION, { fromMs: ROLLUPS_CUTOFF - 5 * DAY, toMs: EVENTS_CUTOFF, nowMs: NOW })).refusal).toMatch(
        /^the range reaches 2025-10-26 … 2026-08-28 \(2 days\), whose raw events/,
      );
      // On BigQuery metric_events expires by the hour: the cut-off day (2026-08-29) is losing its
      // hours today, so a rebuild may start the day after it. (The DuckDB file answers the queries;
      // the dialect is what the check looks at.)
      const onBigQuery = Object.assign(Object.create(wh) as typeof wh, { dialect: 'bigquery' as const });
      expect((await checkRebuildRange(onBigQuery, RETENTION, { fromMs: EVENTS_CUTOFF, toMs: NOW, nowMs: NOW })).refusal).toBe(
        'the range reaches 2026-08-29, whose raw events retention removed (days before 2026-08-29, OBS_RETENTION_EVENTS_DAYS=90; on BigQuery 2026-08-29 too, whose hour partitions are expiring today): ' +
          'a rebuild would delete the hour and day rollups that are all that is left of them. Rebuild from 2026-08-30 or later.',
      );
      expect((await checkRebuildRange(onBigQuery, RETENTION, { fromMs: EVENTS_CUTOFF + DAY, toMs: NOW, nowMs: NOW })).refusal).toBeUndefined();
      // Days with nothing to lose (no rollups left) are not in the way.
      expect((await checkRebuildRange(wh, RETENTION, { fromMs: ROLLUPS_CUTOFF - 5 * DAY, toMs: ROLLUPS_CUTOFF, nowMs: NOW })).refusal).toBeUndefined();

      // From the cut-off on, the raw events are all there; the rebuild recomputes the minutes of
      // 2026-08-29 and 2026-10-22 (older than the minute retention) and they are removed again.
      const check = await checkRebuildRange(wh, RETENTION, { fromMs: EVENTS_CUTOFF, toMs: NOW, nowMs: NOW });
      expect(check.refusal).toBeUndefined();
      await runRebuild(wh, { fromMs: EVENTS_CUTOFF, toMs: NOW, nowMs: NOW + HOUR });
      expect(windowsOf((await rollupTable(wh)).filter((r) => r.name === 'infra.http.request.count'), 60)).toContain(TIMES.atEvents);
      // The minutes of atEvents and beforeMinutes: 2 × 2 metrics in metric_rollups, 2 timing histograms.
      expect(await trimRebuiltRollups(wh, check)).toBe(6);
      expect({ rollups: await rollupTable(wh), histograms: await histogramTable(wh) }).toEqual(afterRetention);
      // And a retention run finds nothing left to remove.
      expect((await applyRetention(wh, RETENTION, { nowMs: NOW, dryRun: true })).tables.map((t) => t.rows)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    } finally {
      await wh.close();
    }
  });
});
