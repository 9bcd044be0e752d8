import { defineQuery } from '../../../sql/dialect';
import { BIGQUERY_MAX_PARTITIONS_PER_JOB, HOURLY_TABLE, migrationChunks, OLD_TABLE, renderEventsHourlyMigration, TAIL_DAYS, type MigrationStep } from '../../../sql/events-hourly-migration';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { EventRow } from '../../../sql/warehouse';
import { DEFAULTS } from '../../../shared/config';
import { event, openMemoryWarehouse, select } from '../aggregator/support';

/**
 * `obs migrate events-hourly` (sql/events-hourly-migration.ts): the statements that move an
 * existing day-partitioned metric_events to hour partitions. BigQuery is not here: the same
 * statements, rendered for DuckDB, run on a DuckDB warehouse holding events of every age the copy
 * has to handle — and the analyzer test checks the BigQuery rendering.
 */
const DAY = 86_400_000;
const AT = Date.UTC(2026, 10, 27, 23, 30);

const run = async (warehouse: DuckDbWarehouse, steps: readonly MigrationStep[]) => {
  for (const step of steps) await warehouse.execute(defineQuery(`migrate_${step.kind}`, step.sql));
};
const ids = async (warehouse: DuckDbWarehouse, table: string) =>
  (await select(warehouse, `SELECT event_id FROM ${table} ORDER BY event_id`)).map((r) => r.event_id);

describe('obs migrate events-hourly: copying metric_events to an hour-partitioned table', () => {
  it('chunks cover the retention before the cut-off and the tail days after it, contiguous, each within the 4,000 partitions one BigQuery job may write', () => {
    for (const chunkDays of [1, 30, 166]) {
      const chunks = migrationChunks({ atMs: AT, chunkDays });
      expect(chunks[0]!.fromMs).toBe(Date.UTC(2026, 10, 27) - (DEFAULTS.retention.eventsDays + 1) * DAY);
      expect(chunks[chunks.length - 1]!.toMs).toBe(Date.UTC(2026, 10, 27, 23) + TAIL_DAYS * DAY);
      for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.fromMs).toBe(chunks[i - 1]!.toMs);
      for (const c of chunks) expect(((c.toMs - c.fromMs) / DAY) * 24).toBeLessThanOrEqual(BIGQUERY_MAX_PARTITIONS_PER_JOB);
    }
    expect(() => migrationChunks({ atMs: AT, chunkDays: 167 })).toThrow('--chunk-days must be a whole number from 1 to 166 (BigQuery: at most 4,000 partitions written by one job), got 167');
    expect(() => migrationChunks({ atMs: AT, chunkDays: 0 })).toThrow('--chunk-days');
  });

  it('copies every row once: the rows ingested before the cut-off while ingest runs, the rest after the pause; the check finds the days still missing, then none; the swap and the drop leave metric_events with the same rows', async () => {
    const warehouse = await openMemoryWarehouse();
    try {
      const before: EventRow[] = [
        // The oldest day retention still keeps, a chunk boundary's neighbours, yesterday, the last minute before the cut-off.
        event('m', 'count', 1, AT - 91 * DAY, {}, { id: 'a-oldest', ingestMs: AT - 91 * DAY }),
        event('m', 'count', 1, migrationChunks({ atMs: AT })[1]!.fromMs - 1, {}, { id: 'a-edge-1', ingestMs: AT - 50 * DAY }),
        event('m', 'count', 1, migrationChunks({ atMs: AT })[1]!.fromMs, {}, { id: 'a-edge-2', ingestMs: AT - 50 * DAY }),
        event('m', 'timing', 12.5, AT - DAY, { route: 'x' }, { id: 'a-yesterday', ingestMs: AT - DAY + 1 }),
        event('m', 'gauge', 3, AT - 60_000, {}, { id: 'a-last', ingestMs: AT - 1 }),
      ];
      const after: EventRow[] = [
        // Ingested after the cut-off: a late event of last month (an import), one at the cut-off, one a day later.
        event('m', 'count', 1, AT - 30 * DAY, {}, { id: 'b-late', ingestMs: AT + 3_600_000 }),
        event('m', 'count', 1, AT, {}, { id: 'b-at', ingestMs: AT }),
        event('m', 'count', 1, AT + DAY, {}, { id: 'b-next-day', ingestMs: AT + DAY }),
      ];
      await warehouse.insertEvents(before);
      const steps = renderEventsHourlyMigration({ atMs: AT, dialect: 'duckdb' });
      const of = (kind: MigrationStep['kind']) => steps.filter((s) => s.kind === kind);
      expect(steps.map((s) => s.kind)).toEqual(['create', ...of('copy').map(() => 'copy'), ...of('tail').map(() => 'tail'), 'verify', 'swap', 'swap', 'drop']);

      await run(warehouse, of('create'));
      await run(warehouse, of('copy'));
      await warehouse.insertEvents(after); // ingest went on during the copy
      const verify = defineQuery('migrate_verify', of('verify')[0]!.sql.replace(/;$/, ''));
      const missing = await warehouse.query<{ day_ms: number; old_rows: number; new_rows: number }>(verify);
      expect(missing.map((r) => [new Date(Number(r.day_ms)).toISOString().slice(0, 10), Number(r.old_rows), Number(r.new_rows)])).toEqual([
        ['2026-10-28', 1, 0],
        ['2026-11-27', 2, 1],
        ['2026-11-28', 1, 0],
      ]);

      await run(warehouse, of('tail'));
      expect(await warehouse.query(verify)).toEqual([]);
      const all = [...before, ...after].map((e) => e.event_id).sort();
      expect(await ids(warehouse, HOURLY_TABLE)).toEqual(all);
      const columns = 'event_id, name, kind, value, UNIX_MILLIS(event_ts) AS e, UNIX_MILLIS(ingest_ts) AS i, series_key, CAST(tags AS VARCHAR) AS tags, service, environment, message_id';
      const oldRows = await select(warehouse, `SELECT ${columns} FROM metric_events ORDER BY event_id`);

      await run(warehouse, of('swap'));
      expect(await select(warehouse, `SELECT ${columns} FROM metric_events ORDER BY event_id`)).toEqual(oldRows);
      expect(await ids(warehouse, OLD_TABLE)).toEqual(all);
      await run(warehouse, of('drop'));
      await expect(select(warehouse, `SELECT * FROM ${OLD_TABLE}`)).rejects.toThrow(OLD_TABLE);
    } finally {
      await warehouse.close();
    }
  });

  it('the BigQuery rendering: the hourly table with the configured expiry, every copy bounded on event_ts by constants (the partitions it reads and writes), ingest_ts splitting copy from tail', () => {
    const retention = { ...DEFAULTS.retention, eventsDays: 60 };
    const steps = renderEventsHourlyMigration({ atMs: AT, dataset: 'obs_ds', retention, chunkDays: 20 });
    expect(steps[0]!.sql).toMatch(/^CREATE TABLE IF NOT EXISTS `obs_ds\.metric_events_hourly` \(/);
    expect(steps[0]!.sql).toContain('PARTITION BY TIMESTAMP_TRUNC(event_ts, HOUR)');
    expect(steps[0]!.sql).toContain('partition_expiration_days=60);');
    const copies = steps.filter((s) => s.kind === 'copy' || s.kind === 'tail');
    expect(copies).toHaveLength(2 * Math.ceil((61 * DAY + 23 * 3_600_000 + TAIL_DAYS * DAY) / (20 * DAY)));
    for (const c of copies) {
      expect(c.sql).toMatch(/^INSERT INTO `obs_ds\.metric_events_hourly` \(event_id, .*\)\nSELECT event_id, .*\nFROM `obs_ds\.metric_events`\nWHERE event_ts >= TIMESTAMP_MILLIS\(\d+\) AND event_ts < TIMESTAMP_MILLIS\(\d+\)\n {2}AND ingest_ts (<|>=) TIMESTAMP_MILLIS\(1795822200000\);$/);
    }
    expect(steps.filter((s) => s.kind === 'swap').map((s) => s.sql)).toEqual(['ALTER TABLE `obs_ds.metric_events` RENAME TO metric_events_daily;', 'ALTER TABLE `obs_ds.metric_events_hourly` RENAME TO metric_events;']);
  });
});
