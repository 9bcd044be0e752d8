import { rollupJobState } from './queries/rollup-read';
import type { Warehouse } from './warehouse';

/** Job names in `job_state`. */
export const ROLLUP_JOB = 'rollup';
/** The SLO job and the alert evaluator keep no watermark; their rows record the last run (health freshness). */
export const SLO_JOB = 'slo';
export const ALERTS_JOB = 'alerts';
/** The exporter stage (exporters/export-job.ts); each exporter keeps its cursor in its own row, `export:<name>`. */
export const EXPORT_JOB = 'export';
/** Retention (aggregator/retention.ts): a daily run; it keeps no row in `job_state` (only its failures are counted). */
export const RETENTION_JOB = 'retention';
/** The scheduled jobs (each but retention keeps a row in `job_state`). */
export type JobName = typeof ROLLUP_JOB | typeof SLO_JOB | typeof ALERTS_JOB | typeof EXPORT_JOB | typeof RETENTION_JOB;

/** One job's row of `job_state`. */
export interface JobState {
  /** Highest ingest_ts fully processed; null before the first run. */
  readonly watermarkMs: number | null;
  readonly lastRunMs: number | null;
  /** The last run's summary (JSON), as stored. */
  readonly lastResult: unknown;
}

interface JobStateRow extends Record<string, string | number | boolean | null> {
  watermark_ms: number | null;
  last_run_ms: number | null;
  last_result: string | null;
}

/** Reads a job's state; a job that never ran has a null watermark. */
export async function readJobState(warehouse: Warehouse, job: string): Promise<JobState> {
  const [row] = await warehouse.query<JobStateRow>(rollupJobState, { job });
  if (!row) return { watermarkMs: null, lastRunMs: null, lastResult: null };
  return {
    watermarkMs: row.watermark_ms,
    lastRunMs: row.last_run_ms,
    lastResult: row.last_result === null ? null : (JSON.parse(row.last_result) as unknown),
  };
}

/** Stores a job's watermark and the summary of the run that reached it (upsert: one row per job). */
export async function writeJobState(warehouse: Warehouse, job: string, state: { watermarkMs: number; lastRunMs: number; lastResult: unknown }): Promise<void> {
  await warehouse.upsert('job_state', [
    { job, watermark: state.watermarkMs, last_run_at: state.lastRunMs, last_result: JSON.stringify(state.lastResult) },
  ]);
}

/** Records that a job without a watermark ran at `nowMs` (GET /health/internal reads its freshness). */
export async function recordJobRun(warehouse: Warehouse, job: string, nowMs: number, summary: unknown): Promise<void> {
  await warehouse.upsert('job_state', [{ job, watermark: null, last_run_at: nowMs, last_result: JSON.stringify(summary) }]);
}
