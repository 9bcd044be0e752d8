import type { RetentionDays } from '../shared/config';
import type { Dialect } from '../sql/dialect';
import {
  RETENTION_DEAD_LETTERS,
  RETENTION_EVENTS,
  RETENTION_HISTOGRAMS,
  RETENTION_INGEST_BATCHES,
  RETENTION_MINUTE_HISTOGRAMS,
  RETENTION_MINUTE_ROLLUPS,
  RETENTION_ROLLUPS,
  retentionEventDays,
  retentionRollupDays,
  type RetentionTarget,
} from '../sql/queries/retention';
import type { Warehouse } from '../sql/warehouse';
import { partitionMinutes } from '../sql/ddl';
import { TABLES } from '../sql/tables';
import { ceilTo, DAY_MS, floorTo } from './rollup-plan';

/**
 * Retention (issue #13; docs/OPERATIONS.md, "Retention"). Each time-series table keeps the rows
 * of the last N whole UTC days: the cut-off is the start of today (UTC) minus N days, and a row
 * is past retention when its partition-column time is before the cut-off (a row exactly at the
 * cut-off is kept). That is what BigQuery's partition expiry does with day partitions — a
 * partition expires N days after its day ends — so both warehouses drop the same rows.
 *
 * Who removes what:
 * - BigQuery: `metric_events`, `dead_letters` and the rollup tables carry
 *   `partition_expiration_days` (sql/ddl.ts), and BigQuery drops their old partitions itself.
 *   The rollup tables hold 1-minute, 1-hour and 1-day windows in one partition per day, so their
 *   expiry is the hour/day retention; the 1-minute rows are deleted earlier by `obs retention
 *   apply` (a DELETE bounded to the partitions still there).
 * - DuckDB: `obs retention apply` deletes every target's rows.
 * `slo_status`, `alert_log`, `job_state` and the alert tables are never touched: the SLO history
 * and the alert log are the record of what happened (audits, postmortems, month reports) and are
 * small; `job_state` is the jobs' state, not data.
 */

/** The start of the UTC day of `nowMs`, minus `days` days. */
export function retentionCutoffMs(days: number, nowMs: number): number {
  return floorTo(nowMs, DAY_MS) - days * DAY_MS;
}

/** How a target's old rows go: deleted by `obs retention apply`, or expired by BigQuery itself. */
export type RetentionMethod = 'delete' | 'partition-expiry';

export interface RetentionStep {
  readonly target: RetentionTarget;
  /** The OBS_RETENTION_*_DAYS variable that sets it, and its value. */
  readonly variable: string;
  readonly days: number;
  readonly cutoffMs: number;
  /** Lower end of the range counted and deleted: the epoch, or on BigQuery the oldest partition left. */
  readonly fromMs: number;
  readonly method: RetentionMethod;
}

/** The steps of one run, in order: minute rows before the hour and day rows of the same table. */
export function retentionPlan(retention: RetentionDays, dialect: Dialect, nowMs: number): RetentionStep[] {
  const rollupsCutoffMs = retentionCutoffMs(retention.rollupsDays, nowMs);
  const bigquery = dialect === 'bigquery';
  const step = (target: RetentionTarget, variable: string, days: number, expires: boolean): RetentionStep => ({
    target,
    variable,
    days,
    cutoffMs: retentionCutoffMs(days, nowMs),
    // BigQuery has already expired every rollup partition before rollupsCutoffMs: the minute DELETE
    // reads only the partitions still there (and BigQuery requires a partition filter).
    fromMs: bigquery && !expires ? rollupsCutoffMs : 0,
    method: bigquery && expires ? 'partition-expiry' : 'delete',
  });
  return [
    step(RETENTION_EVENTS, 'OBS_RETENTION_EVENTS_DAYS', retention.eventsDays, true),
    step(RETENTION_DEAD_LETTERS, 'OBS_RETENTION_DEAD_LETTERS_DAYS', retention.deadLettersDays, true),
    step(RETENTION_MINUTE_ROLLUPS, 'OBS_RETENTION_MINUTE_ROLLUPS_DAYS', retention.minuteRollupsDays, false),
    step(RETENTION_MINUTE_HISTOGRAMS, 'OBS_RETENTION_MINUTE_ROLLUPS_DAYS', retention.minuteRollupsDays, false),
    step(RETENTION_ROLLUPS, 'OBS_RETENTION_ROLLUPS_DAYS', retention.rollupsDays, true),
    step(RETENTION_HISTOGRAMS, 'OBS_RETENTION_ROLLUPS_DAYS', retention.rollupsDays, true),
    // The change log is only read for events still stored: it goes with them.
    step(RETENTION_INGEST_BATCHES, 'OBS_RETENTION_EVENTS_DAYS', retention.eventsDays, true),
  ];
}

export interface RetentionTableResult {
  readonly label: string;
  readonly table: RetentionTarget['table'];
  readonly variable: string;
  readonly days: number;
  readonly cutoffMs: number;
  readonly cutoff: string;
  readonly method: RetentionMethod;
  /** Rows removed (or, with dryRun, that would be); null where BigQuery's partition expiry removes them. */
  readonly rows: number | null;
}

export interface RetentionResult {
  readonly nowMs: number;
  readonly dryRun: boolean;
  readonly warehouse: Dialect;
  readonly tables: readonly RetentionTableResult[];
}

/**
 * Counts, and unless `dryRun` deletes, the rows past retention of every `delete` step. The count
 * is taken just before the DELETE with the same WHERE, so a dry run reports what a run at the same
 * `nowMs` removes. Idempotent: a second run at the same `nowMs` removes nothing.
 */
export async function applyRetention(warehouse: Warehouse, retention: RetentionDays, options: { nowMs: number; dryRun: boolean }): Promise<RetentionResult> {
  const tables: RetentionTableResult[] = [];
  for (const step of retentionPlan(retention, warehouse.dialect, options.nowMs)) {
    let rows: number | null = null;
    if (step.method === 'delete') {
      const params = { from_ms: step.fromMs, cutoff_ms: step.cutoffMs };
      const [counted] = await warehouse.query<{ removable: number }>(step.target.count, params);
      rows = Number(counted?.removable ?? 0);
      if (!options.dryRun && rows > 0) await warehouse.execute(step.target.remove, params);
    }
    const { label, table } = step.target;
    tables.push({ label, table, variable: step.variable, days: step.days, cutoffMs: step.cutoffMs, cutoff: new Date(step.cutoffMs).toISOString(), method: step.method, rows });
  }
  return { nowMs: options.nowMs, dryRun: options.dryRun, warehouse: warehouse.dialect, tables };
}

/**
 * `obs rebuild` and retention. A rebuild deletes a range's rollups and recomputes them from the
 * raw events. Retention removes raw events by whole UTC days, so a day before the raw-event
 * cut-off that still has rollups but no raw events is a day retention emptied: rebuilding it would
 * delete the hour and day rollups that are all that is left of it and put back nothing. Such a
 * range is refused (`refusal`, naming those days, the first day that can be rebuilt, and the
 * variable). Days before the cut-off whose raw events are still stored (DuckDB before
 * `obs retention apply` ran) are rebuilt as usual, and so are days with nothing to lose.
 * A rebuild also recomputes windows older than the minute (or hour/day) retention when their raw
 * events are there: `trims` are those rollup rows, which the caller deletes again
 * ({@link trimRebuiltRollups}) so a rebuild never brings back what retention removed.
 */
export interface RebuildRetentionCheck {
  readonly refusal?: string;
  readonly trims: ReadonlyArray<{ readonly step: RetentionStep; readonly fromMs: number; readonly toMs: number }>;
}

export async function checkRebuildRange(
  warehouse: Warehouse,
  retention: RetentionDays,
  range: { fromMs: number; toMs: number; nowMs: number },
): Promise<RebuildRetentionCheck> {
  const fromMs = floorTo(range.fromMs, DAY_MS);
  const toMs = ceilTo(range.toMs, DAY_MS);
  const plan = retentionPlan(retention, warehouse.dialect, range.nowMs);
  const events = plan.find((s) => s.target === RETENTION_EVENTS)!;
  // BigQuery expires metric_events by the hour (sql/tables.ts, partitioned by hour): during today
  // the cut-off day loses its hours one by one, so a rebuild over it would recompute it from part
  // of its events. There the first day a rebuild may start is the day after the cut-off.
  const partialDayMs = warehouse.dialect === 'bigquery' && partitionMinutes(TABLES.metric_events) !== 1_440 ? events.cutoffMs : undefined;
  const firstWholeMs = partialDayMs === undefined ? events.cutoffMs : partialDayMs + DAY_MS;
  if (fromMs < firstWholeMs) {
    const before = { from_ms: fromMs, to_ms: Math.min(toMs, firstWholeMs) };
    const eventDays = new Set((await warehouse.query<{ day: number }>(retentionEventDays, before)).map((r) => Number(r.day)));
    const emptied = (await warehouse.query<{ day: number }>(retentionRollupDays, before))
      .map((r) => Number(r.day))
      .filter((d) => !eventDays.has(d) || d * DAY_MS === partialDayMs)
      .sort((a, b) => a - b);
    if (emptied.length > 0) {
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const days = emptied.length === 1 ? day(emptied[0]! * DAY_MS) : `${day(emptied[0]! * DAY_MS)} … ${day(emptied.at(-1)! * DAY_MS)} (${emptied.length} days)`;
      return {
        refusal:
          `the range reaches ${days}, whose raw events retention removed (days before ${day(events.cutoffMs)}, ${events.variable}=${events.days}${partialDayMs === undefined ? '' : `; on BigQuery ${day(partialDayMs)} too, whose hour partitions are expiring today`}): ` +
          `a rebuild would delete the hour and day rollups that are all that is left of them. Rebuild from ${day(firstWholeMs)} or later.`,
        trims: [],
      };
    }
  }
  const trims = plan
    .filter((s) => s.target.table === 'metric_rollups' || s.target.table === 'metric_histograms')
    .filter((s) => fromMs < s.cutoffMs)
    .map((step) => ({ step, fromMs, toMs: Math.min(step.cutoffMs, toMs) }));
  return { trims };
}

/** Deletes the rollup rows a rebuild wrote past retention ({@link checkRebuildRange}); returns how many. */
export async function trimRebuiltRollups(warehouse: Warehouse, check: RebuildRetentionCheck): Promise<number> {
  let removed = 0;
  for (const { step, fromMs, toMs } of check.trims) {
    if (!(toMs > fromMs)) continue;
    const params = { from_ms: fromMs, cutoff_ms: toMs };
    const [counted] = await warehouse.query<{ removable: number }>(step.target.count, params);
    const rows = Number(counted?.removable ?? 0);
    if (rows > 0) await warehouse.execute(step.target.remove, params);
    removed += rows;
  }
  return removed;
}
