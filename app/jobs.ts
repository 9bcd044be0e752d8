import type { AggregationResult } from '../aggregator/aggregate';
import { applyRetention, type RetentionResult } from '../aggregator/retention';
import { runRollupJob, type RollupRunResult } from '../aggregator/rollup-job';
import { runSloJob, type SloRunResult } from '../aggregator/slo-job';
import { evaluateAlerts, type AlertRuntime, type EvaluationReport } from '../alerts/run/evaluate-run';
import { runExportJob, type ExportRunResult } from '../exporters/export-job';
import type { Exporter } from '../exporters/types';
import { systemClock, type Clock } from '../shared/clock';
import { DEFAULTS as CONFIG_DEFAULTS, type RetentionDays } from '../shared/config';
import { describeError } from '../shared/describe-error';
import type { Redactor } from '../shared/redaction';
import { silentLogger, type Logger } from '../shared/logger';
import { ALERTS_JOB, EXPORT_JOB, recordJobRun, RETENTION_JOB, ROLLUP_JOB, SLO_JOB, type JobName } from '../sql/job-state';
import type { Warehouse } from '../sql/warehouse';
import { NO_PIPELINE_METRICS, type PipelineMetrics } from './pipeline-metrics';

/**
 * The job runners: the one place each scheduled job is run, for the Cloud Functions schedule
 * (index.ts), the local stack's scheduler (cli/local/stack.ts) and the `obs` commands alike. Each
 * runner records its own `job_state` row (the rollup job its watermark, the SLO job and the alert
 * evaluator their last run: what /health/internal's freshness probes read), reports to the
 * assembly's {@link PipelineMetrics}, and logs one summary line. A failure is reported to the
 * metrics and thrown: the scheduler records it and runs again.
 */
export interface PipelineJobs {
  /** The incremental rollups as of `nowMs` (their job_state row is the watermark). */
  runRollups(nowMs: number): Promise<RollupRunResult>;
  /** The SLO statuses as of `nowMs`, written to slo_status. */
  runSlos(nowMs: number): Promise<SloRunResult>;
  /** Rollups, then SLOs from the fresh rollups: `obs aggregate` and the local scheduler. */
  runAggregation(nowMs: number): Promise<AggregationResult>;
  /** One alert evaluation at `nowMs`, then its job_state row, then the `afterSuccess` hook. */
  runAlerts(nowMs: number, options?: AlertRunOptions): Promise<EvaluationReport>;
  /**
   * The exporter stage (exporters/export-job.ts): every closed minute after each exporter's cursor
   * to its provider. Nothing to do (and nothing read) when no exporter is configured. Every
   * exporter runs; if any failed, the run throws after them all (its cursor and error are stored).
   */
  runExports(nowMs: number): Promise<ExportRunResult>;
  /**
   * Retention as of `nowMs` (aggregator/retention.ts, `obs retention apply`): on BigQuery the
   * DELETE of the 1-minute rollup rows past OBS_RETENTION_MINUTE_ROLLUPS_DAYS (partition expiry
   * does the rest); on DuckDB every table's rows past retention. Daily in production.
   */
  runRetention(nowMs: number): Promise<RetentionResult>;
}

export interface AlertRunOptions {
  /** Where unconfigured channels write (`obs alerts evaluate --outbox`); default the assembly's. */
  readonly outboxPath?: string;
}

/** An alert pipeline for one run, and what to do once the run is over (close SMTP connections, or nothing for a long-lived one). */
export interface AlertRuntimeLease {
  readonly runtime: AlertRuntime;
  release(): void;
}

export interface JobDeps {
  /** The assembly's warehouse; the runners never close it. */
  readonly warehouse: () => Promise<Warehouse>;
  readonly alertRuntime: (warehouse: Warehouse, options: AlertRunOptions) => AlertRuntimeLease;
  /** Summary lines (`rollups done`, …); default none: the local stack and the CLI report themselves. */
  readonly logger?: Logger;
  readonly metrics?: PipelineMetrics;
  /**
   * Called after every successful alert evaluation, once its job_state row is written: the
   * dead man's switch pings here. Awaited (a scheduled function must not return before its
   * ping is sent), so it must bound its own time; what it throws is logged, never raised.
   */
  readonly afterAlertsSuccess?: (report: EvaluationReport) => void | Promise<void>;
  /** The configured exporters (exporters/from-config.ts), built on first use; default none. */
  readonly exporters?: () => readonly Exporter[];
  /** The exporters' waits (rate limit, backoff, Retry-After); default the system clock. */
  readonly clock?: Clock;
  /** Redacts the exporters' errors and dead letters. */
  readonly redactor?: Redactor;
  /** OBS_RETENTION_*_DAYS for runRetention; default DEFAULTS.retention. */
  readonly retention?: RetentionDays;
}

export function createPipelineJobs(deps: JobDeps): PipelineJobs {
  const logger = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? NO_PIPELINE_METRICS;
  const report = (what: () => void) => {
    try {
      what();
    } catch {
      // A metrics sink must not throw (PipelineMetrics' contract); if it does, the job still stands.
    }
  };
  async function timed<T>(job: JobName, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } catch (error) {
      report(() => metrics.jobFailed(job, Math.round(performance.now() - started), error));
      throw error;
    }
  }

  const runRollups = (nowMs: number) =>
    timed(ROLLUP_JOB, async () => {
      const result = await runRollupJob(await deps.warehouse(), { nowMs });
      report(() => metrics.rollupsRan(result));
      logger.info('rollups done', { nowMs, newEvents: result.newEvents, changedMinutes: result.changedMinutes, spans: result.spans.length, watermarkMs: result.watermarkMs, durationMs: result.durationMs });
      return result;
    });

  const runSlos = (nowMs: number) =>
    timed(SLO_JOB, async () => {
      const result = await runSloJob(await deps.warehouse(), { nowMs, write: true });
      report(() => metrics.slosRan(result));
      logger.info('slo statuses written', { nowMs, statuses: Object.fromEntries(result.statuses.map((s) => [s.sloId, s.status])), durationMs: result.durationMs });
      return result;
    });

  const runAlerts = (nowMs: number, options: AlertRunOptions = {}) =>
    timed(ALERTS_JOB, async () => {
      const started = performance.now();
      const warehouse = await deps.warehouse();
      const lease = deps.alertRuntime(warehouse, options);
      let evaluation: EvaluationReport;
      try {
        evaluation = await evaluateAlerts(lease.runtime, nowMs);
        await recordJobRun(warehouse, ALERTS_JOB, nowMs, { runId: evaluation.runId, transitions: evaluation.transitions.length, firing: evaluation.firing.length });
      } finally {
        lease.release();
      }
      report(() => metrics.alertsRan(evaluation, Math.round(performance.now() - started)));
      logger.info('alert evaluation finished', {
        runId: evaluation.runId,
        transitions: evaluation.transitions.length,
        firing: evaluation.firing.length,
        deliveries: evaluation.deliveries.map((d) => `${d.channel}:${d.outcome}`),
      });
      if (deps.afterAlertsSuccess) {
        try {
          await deps.afterAlertsSuccess(evaluation);
        } catch (error) {
          logger.warn('after-evaluation hook failed; the evaluation stands', { error: describeError(error) });
        }
      }
      return evaluation;
    });

  const runExports = (nowMs: number) =>
    timed(EXPORT_JOB, async () => {
      const exporters = deps.exporters?.() ?? [];
      if (exporters.length === 0) return { nowMs, closedUptoMs: 0, exporters: [], durationMs: 0 } satisfies ExportRunResult;
      const result = await runExportJob(await deps.warehouse(), exporters, { nowMs, clock: deps.clock ?? systemClock, ...(deps.redactor ? { redactor: deps.redactor } : {}) });
      report(() => metrics.exportsRan?.(result));
      logger.info('exports done', { nowMs, exporters: Object.fromEntries(result.exporters.map((e) => [e.exporter, { minutes: e.minutes, lastMinuteMs: e.lastMinuteMs, lagMs: e.lagMs, deadLettered: e.deadLettered, error: e.error }])), durationMs: result.durationMs });
      const failed = result.exporters.filter((e) => e.error !== null);
      if (failed.length > 0) throw new Error(`export failed: ${failed.map((e) => e.error).join('; ')}`);
      return result;
    });

  const runRetention = (nowMs: number) =>
    timed(RETENTION_JOB, async () => {
      const result = await applyRetention(await deps.warehouse(), deps.retention ?? CONFIG_DEFAULTS.retention, { nowMs, dryRun: false });
      logger.info('retention applied', { nowMs, removed: Object.fromEntries(result.tables.filter((t) => t.rows !== null).map((t) => [t.label, t.rows])) });
      return result;
    });

  return {
    runRollups,
    runSlos,
    runExports,
    runRetention,
    async runAggregation(nowMs) {
      const rollup = await runRollups(nowMs);
      const slo = await runSlos(nowMs);
      return { rollup, slo };
    },
    runAlerts,
  };
}
