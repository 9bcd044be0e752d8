import { DEFAULTS, type RetentionDays } from '../shared/config';
import { renderCreateTable } from './ddl';
import { renderSql, type Dialect } from './dialect';
import { TABLES } from './tables';

/**
 * Moving an existing BigQuery `metric_events` from day partitions (builds before issue #13's
 * hourly partitions) to hour partitions. BigQuery cannot change a table's partitioning in place,
 * and `CREATE TABLE IF NOT EXISTS` never alters a table, so a deployment keeps its day-partitioned
 * table until it is copied: `obs migrate events-hourly` prints the statements below and
 * docs/DEPLOYMENT.md ("Hourly partitions of metric_events") says when to run each.
 *
 *   1. `create`: the hourly table `metric_events_hourly`, the DDL this build creates for
 *      metric_events under another name (same columns, clustering, expiry).
 *   2. `copy`: while ingest runs, the rows ingested before the cut-off @at, in chunks of event
 *      time of at most `chunkDays` days — BigQuery lets one job write at most 4,000 partitions
 *      (30 days = 720 hour partitions) — from the oldest partition retention keeps to 7 days after
 *      the cut-off (events up to 15 minutes ahead of their ingest, and the days until the swap).
 *   3. `tail`: after ingest is paused, the same chunks for the rows ingested since the cut-off.
 *      Together 2 and 3 copy every row once (ingest_ts < @at, then ≥ @at).
 *   4. `verify`: the days whose row counts differ between the two tables; none when complete.
 *   5. `swap`: rename the day-partitioned table away and the hourly one to metric_events.
 *   6. `drop`: the old table, once the pipeline runs on the new one.
 *
 * Every statement filters on event_ts with constants, so each chunk reads (and is billed for)
 * its own days only. The same statements run on DuckDB (test/unit/sql/events-hourly-migration.test.ts
 * runs them on a DuckDB warehouse and compares the tables); on BigQuery they are checked by the
 * analyzer (test/unit/sql/bigquery-analyzer.test.ts), not run: no BigQuery here.
 */
export const HOURLY_TABLE = 'metric_events_hourly';
export const OLD_TABLE = 'metric_events_daily';
/** BigQuery: the partitions one job may modify (https://cloud.google.com/bigquery/quotas, "Partitioned tables"). */
export const BIGQUERY_MAX_PARTITIONS_PER_JOB = 4_000;
export const DEFAULT_CHUNK_DAYS = 30;
/** How long after the cut-off the copy reaches in event time: the tail must be copied within it. */
export const TAIL_DAYS = 7;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export type MigrationStepKind = 'create' | 'copy' | 'tail' | 'verify' | 'swap' | 'drop';

export interface MigrationStep {
  readonly kind: MigrationStepKind;
  /** One line saying what it does, printed as a comment above it. */
  readonly title: string;
  readonly sql: string;
}

export interface EventsHourlyMigrationOptions {
  /** The cut-off: rows ingested before it are copied while ingest runs, the rest after the pause. */
  readonly atMs: number;
  readonly dataset?: string;
  readonly retention?: RetentionDays;
  readonly chunkDays?: number;
  readonly dialect?: Dialect;
}

const COLUMNS = TABLES.metric_events.columns.map((c) => c.name).join(', ');
const iso = (ms: number) => new Date(ms).toISOString();

/** The event-time chunks [from, to) the copy and the tail go through. */
export function migrationChunks(options: Pick<EventsHourlyMigrationOptions, 'atMs' | 'retention' | 'chunkDays'>): Array<{ fromMs: number; toMs: number }> {
  const chunkDays = options.chunkDays ?? DEFAULT_CHUNK_DAYS;
  if (!Number.isInteger(chunkDays) || chunkDays < 1 || chunkDays * 24 > BIGQUERY_MAX_PARTITIONS_PER_JOB) {
    throw new Error(`--chunk-days must be a whole number from 1 to ${Math.floor(BIGQUERY_MAX_PARTITIONS_PER_JOB / 24)} (BigQuery: at most ${BIGQUERY_MAX_PARTITIONS_PER_JOB.toLocaleString('en-US')} partitions written by one job), got ${String(options.chunkDays)}`);
  }
  const retention = options.retention ?? DEFAULTS.retention;
  // From the start of the oldest day partition expiry may not have removed yet.
  const fromMs = Math.floor(options.atMs / DAY_MS) * DAY_MS - (retention.eventsDays + 1) * DAY_MS;
  const toMs = Math.floor(options.atMs / HOUR_MS) * HOUR_MS + TAIL_DAYS * DAY_MS;
  const chunks: Array<{ fromMs: number; toMs: number }> = [];
  for (let from = fromMs; from < toMs; from += chunkDays * DAY_MS) chunks.push({ fromMs: from, toMs: Math.min(toMs, from + chunkDays * DAY_MS) });
  return chunks;
}

/** The statements, in order (see the module comment). */
export function renderEventsHourlyMigration(options: EventsHourlyMigrationOptions): MigrationStep[] {
  const dialect = options.dialect ?? 'bigquery';
  const dataset = options.dataset ?? 'observability';
  const render = (text: string) => renderSql(text, dialect, { dataset });
  const chunks = migrationChunks(options);
  const first = chunks[0]!.fromMs;
  const last = chunks[chunks.length - 1]!.toMs;
  const at = `TIMESTAMP_MILLIS(${options.atMs})`;
  const copy = (from: number, to: number, ingest: string) =>
    render(`INSERT INTO {{${HOURLY_TABLE}}} (${COLUMNS})\nSELECT ${COLUMNS}\nFROM {{metric_events}}\nWHERE event_ts >= TIMESTAMP_MILLIS(${from}) AND event_ts < TIMESTAMP_MILLIS(${to})\n  AND ${ingest};`);
  const create =
    dialect === 'bigquery'
      ? renderCreateTable(TABLES.metric_events, 'bigquery', dataset, options.retention ?? DEFAULTS.retention).replace(`\`${dataset}.metric_events\``, `\`${dataset}.${HOURLY_TABLE}\``)
      : renderCreateTable(TABLES.metric_events, 'duckdb').replace('CREATE TABLE IF NOT EXISTS metric_events ', `CREATE TABLE IF NOT EXISTS ${HOURLY_TABLE} `);
  const daily = (table: string, column: string) =>
    `SELECT DIV(UNIX_MILLIS(event_ts), ${DAY_MS}) AS day, COUNT(*) AS ${column}\n  FROM {{${table}}}\n  WHERE event_ts >= TIMESTAMP_MILLIS(${first}) AND event_ts < TIMESTAMP_MILLIS(${last})\n  GROUP BY day`;
  return [
    { kind: 'create', title: `The hour-partitioned table beside the old one: ${HOURLY_TABLE}`, sql: create },
    ...chunks.map((c, i) => ({
      kind: 'copy' as const,
      title: `Copy ${i + 1}/${chunks.length}, ingest running: events of [${iso(c.fromMs)}, ${iso(c.toMs)}) ingested before ${iso(options.atMs)}`,
      sql: copy(c.fromMs, c.toMs, `ingest_ts < ${at}`),
    })),
    ...chunks.map((c, i) => ({
      kind: 'tail' as const,
      title: `Tail ${i + 1}/${chunks.length}, ingest paused: events of [${iso(c.fromMs)}, ${iso(c.toMs)}) ingested since ${iso(options.atMs)}`,
      sql: copy(c.fromMs, c.toMs, `ingest_ts >= ${at}`),
    })),
    {
      kind: 'verify',
      title: 'Check: the days whose row counts differ between the two tables (none when the copy is complete)',
      sql: render(
        `SELECT COALESCE(o.day, n.day) * ${DAY_MS} AS day_ms, COALESCE(o.old_rows, 0) AS old_rows, COALESCE(n.new_rows, 0) AS new_rows\nFROM (\n  ${daily('metric_events', 'old_rows')}\n) AS o\nFULL OUTER JOIN (\n  ${daily(HOURLY_TABLE, 'new_rows')}\n) AS n ON o.day = n.day\nWHERE COALESCE(o.old_rows, 0) != COALESCE(n.new_rows, 0)\nORDER BY day_ms;`,
      ),
    },
    { kind: 'swap', title: `Swap: the day-partitioned table becomes ${OLD_TABLE}, the hourly one metric_events`, sql: render(`ALTER TABLE {{metric_events}} RENAME TO ${OLD_TABLE};`) },
    { kind: 'swap', title: 'Swap (continued)', sql: render(`ALTER TABLE {{${HOURLY_TABLE}}} RENAME TO metric_events;`) },
    { kind: 'drop', title: `Later, once the pipeline runs on the hourly table: drop the old one`, sql: render(`DROP TABLE {{${OLD_TABLE}}};`) },
  ];
}

/** The steps as one script: each under a comment saying what it does. */
export function formatMigrationScript(steps: readonly MigrationStep[]): string {
  return steps.map((s) => `-- ${s.title}\n${s.sql}`).join('\n\n');
}
