import { rollupChangedSpans, rollupChangedSpansScan, rollupMergeMinuteWindows } from '../sql/queries/rollup-incremental';
import type { Warehouse } from '../sql/warehouse';
import { readJobState, ROLLUP_JOB, writeJobState } from '../sql/job-state';
import { mergeLevels } from './level-merge';
import { paramsFor } from './query-params';
import { DEFAULT_ROLLUP_TIMING, ingestRange, planSpans, type RollupTiming, type Span } from './rollup-plan';

/**
 * The incremental rollup job: recompute exactly the windows that received events since the last
 * run, and advance the watermark. The rule for which events a run sees is in rollup-plan.ts; the
 * SQL, step by step, in sql/queries/rollup-incremental.ts.
 *
 * Contract:
 * - `nowMs` is the only clock: the same stored events and the same `nowMs` give the same rows.
 * - Cost follows the new data: the run finds its work in the change log `ingest_batches` (the
 *   rows of the writes ingested since the watermark: sql/change-log.ts), then reads the events of
 *   the spans they touched — not the table. The log has no late-data horizon: events of any age
 *   (an `obs ingest --file` of old history) are rolled up.
 * - Until the log can be trusted — the first run (no watermark), and the first run after an
 *   upgrade from a build that kept no log (its `lastResult` has no `changeDetection`) — the run
 *   scans metric_events instead, as before the log: every event on the first run, the late-data
 *   horizon after that.
 * - Re-running is safe: every window is recomputed whole and MERGEd. The watermark is written
 *   last, so a run that fails part-way is simply done again by the next one.
 * - One writer at a time (ARCHITECTURE.md). Two overlapping runs compute the same rows; the only
 *   cost is duplicated work.
 */
export interface RollupRunOptions {
  readonly nowMs: number;
  readonly timing?: Partial<RollupTiming>;
}

export interface RollupRunResult {
  readonly job: typeof ROLLUP_JOB;
  readonly nowMs: number;
  /** Events with ingest_ts in (afterMs, uptoMs] were processed. */
  readonly afterMs: number;
  readonly uptoMs: number;
  readonly watermarkMs: number;
  /** Spans of changed minutes, after merging (rollup-plan.ts planSpans). */
  readonly spans: ReadonlyArray<{ fromMs: number; toMs: number }>;
  readonly changedMinutes: number;
  readonly newEvents: number;
  /** Where the run found its work: the change log, or a scan of metric_events (see above). */
  readonly changeDetection: ChangeDetection;
  /** SQL statements the run executed, the job-state read and write included. */
  readonly statements: number;
  readonly durationMs: number;
}

export type ChangeDetection = 'change_log' | 'scan';

/**
 * The log is trusted once a run of a build that writes it has stored its watermark: that run's
 * summary records how it found its work (`changeDetection`); older builds' summaries do not.
 */
export function changeDetectionFor(state: { watermarkMs: number | null; lastResult: unknown }): ChangeDetection {
  if (state.watermarkMs === null) return 'scan';
  const last = state.lastResult as { changeDetection?: unknown } | null;
  return last !== null && typeof last === 'object' && typeof last.changeDetection === 'string' ? 'change_log' : 'scan';
}

/** Runs one incremental rollup pass as of `nowMs`. */
export async function runRollupJob(warehouse: Warehouse, options: RollupRunOptions): Promise<RollupRunResult> {
  const started = performance.now();
  const timing: RollupTiming = { ...DEFAULT_ROLLUP_TIMING, ...options.timing };
  const state = await readJobState(warehouse, ROLLUP_JOB);
  const range = ingestRange(state.watermarkMs, options.nowMs, timing);
  const changeDetection = changeDetectionFor(state);

  let spans: Span[] = [];
  let statements = 1; // the job-state read
  if (range.uptoMs > range.afterMs) {
    const rows = await warehouse.query<{ from_ms: number; to_ms: number; minutes: number; events: number }>(
      changeDetection === 'change_log' ? rollupChangedSpans : rollupChangedSpansScan,
      changeDetection === 'change_log'
        ? { after_ms: range.afterMs, upto_ms: range.uptoMs }
        : { horizon_ms: range.horizonMs, after_ms: range.afterMs, upto_ms: range.uptoMs },
    );
    statements++;
    spans = planSpans(
      rows.map((r) => ({ fromMs: r.from_ms, toMs: r.to_ms, minutes: r.minutes, events: r.events })),
      timing,
    );
    for (const span of spans) {
      statements += await rollupSpan(warehouse, span, range.afterMs, range.uptoMs, options.nowMs);
    }
  }

  const result: RollupRunResult = {
    job: ROLLUP_JOB,
    nowMs: options.nowMs,
    afterMs: range.afterMs,
    uptoMs: range.uptoMs,
    watermarkMs: range.nextWatermarkMs,
    spans: spans.map(({ fromMs, toMs }) => ({ fromMs, toMs })),
    changedMinutes: spans.reduce((n, s) => n + s.minutes, 0),
    newEvents: spans.reduce((n, s) => n + s.events, 0),
    changeDetection,
    statements: statements + 1, // and the job-state write below
    durationMs: Math.round(performance.now() - started),
  };
  await writeJobState(warehouse, ROLLUP_JOB, { watermarkMs: range.nextWatermarkMs, lastRunMs: options.nowMs, lastResult: result });
  return result;
}

/** Recomputes one span's changed minute windows, then the hours and days above them. */
async function rollupSpan(warehouse: Warehouse, span: Span, afterMs: number, uptoMs: number, updatedAtMs: number): Promise<number> {
  const params = { span_from_ms: span.fromMs, span_to_ms: span.toMs, after_ms: afterMs, upto_ms: uptoMs, updated_at_ms: updatedAtMs };
  await warehouse.execute(rollupMergeMinuteWindows, paramsFor(rollupMergeMinuteWindows, params));
  return (rollupMergeMinuteWindows.statements?.length ?? 1) + (await mergeLevels(warehouse, span.fromMs, span.toMs, updatedAtMs));
}
