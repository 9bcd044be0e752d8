import type { RollupRunResult } from '../aggregator/rollup-job';
import type { SloRunResult } from '../aggregator/slo-job';
import type { EvaluationReport } from '../alerts/run/evaluate-run';
import type { ExportRunResult } from '../exporters/export-job';
import type { TaggedEmitter } from '../emitter';
import type { IngestBatchReport } from '../ingest/ingest-handler';
import type { JobName } from '../sql/job-state';

/**
 * Where ingest (IngestHandler's `onBatch`) and the job runners (app/jobs.ts) report their own
 * work: the pipeline's self-metrics (`infra.pipeline.*`, issue 11 §2). Contract: every method is
 * called after the fact, with what the batch or run produced, and must neither throw nor block —
 * callers call it inside a try/catch and go on, so a broken sink can cost metrics, never a batch
 * or a job run. The assembly passes one sink to ingest and every runner;
 * {@link NO_PIPELINE_METRICS} when self-metrics are off.
 */
export interface PipelineMetrics {
  /** One ingest batch is written (or left for redelivery): counts, dead letters by reason, the worst lag. */
  ingested(batch: IngestBatchReport): void;
  /** A rollup run finished: duration, watermark, changed minutes and new events are in the result. */
  rollupsRan(result: RollupRunResult): void;
  /** An SLO run finished (statuses written). */
  slosRan(result: SloRunResult): void;
  /** An alert evaluation finished and its job_state row is written: transitions and deliveries are in the report. */
  alertsRan(report: EvaluationReport, durationMs: number): void;
  /** An export run finished (each exporter's minutes, lag, dead letters and error are in the result). Optional: sinks written before the exporters need not have it. */
  exportsRan?(result: ExportRunResult): void;
  /** A job threw (and the runner rethrows it): which one, and after how long. */
  jobFailed(job: JobName, durationMs: number, error: unknown): void;
}

export const NO_PIPELINE_METRICS: PipelineMetrics = {
  ingested: () => undefined,
  rollupsRan: () => undefined,
  slosRan: () => undefined,
  alertsRan: () => undefined,
  jobFailed: () => undefined,
};

/** A {@link PipelineMetrics} that records through an emitter, and can hand over what it holds. */
export interface EmittingPipelineMetrics extends PipelineMetrics {
  /** Hands the ingest totals held so far to the emitter, then flushes the emitter (waiting at most `deadlineMs` when given). Never rejects. */
  flush(deadlineMs?: number): Promise<void>;
  /** Hands over what it holds and stops its report timer. The emitter is its owner's to shut down. */
  close(): void;
}

export interface PipelineMetricsOptions {
  /**
   * Ingest totals are summed in memory and handed to the emitter at most once per interval (on
   * the first batch after it has passed, or by an unref'd timer in a quiet process). This is what
   * bounds the feedback loop: the ingest of these very events is reported too, but as a few more
   * events in the next interval, so the pipeline's own traffic is O(1) per interval per process,
   * whatever the traffic. Default {@link DEFAULT_REPORT_INTERVAL_MS}.
   */
  readonly reportIntervalMs?: number;
  /** The clock that decides when an interval has passed (epoch ms). Default Date.now. */
  readonly now?: () => number;
}

/** 10 s: a few events per 10 s per process (≈35,000 rows a day when idle), and at most 10 s of ingest counts lost when an instance is torn down. */
export const DEFAULT_REPORT_INTERVAL_MS = 10_000;
/** How long a flush at the end of a scheduled function may wait for Pub/Sub. */
export const DEFAULT_FLUSH_DEADLINE_MS = 2_000;

/** The emitter calls the sink needs (a MetricsClient has them all). */
export type PipelineEmitter = Pick<TaggedEmitter, 'count' | 'timing' | 'gauge'> & { flush(): Promise<void> };

/**
 * The pipeline's self-metrics, recorded through `emitter` (the assembly's: Pub/Sub in production,
 * the local stack's own): published, ingested and stored like any other metric. Ingest is
 * summed per report interval (a handful of additions per batch, no per-event work); each job run
 * records a few events at once. Catalogue: shared/metric-catalogue.ts `infra.pipeline.*`.
 */
export function emittingPipelineMetrics(emitter: PipelineEmitter, options: PipelineMetricsOptions = {}): EmittingPipelineMetrics {
  const intervalMs = options.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS;
  const now = options.now ?? Date.now;
  const held = new IngestTotals();
  let lastReportMs = now();

  const report = () => {
    lastReportMs = now();
    held.drainTo(emitter);
  };
  const timer = intervalMs > 0 ? setInterval(report, intervalMs) : undefined;
  timer?.unref();

  return {
    ingested(batch) {
      held.add(batch);
      if (now() - lastReportMs >= intervalMs) report();
    },
    rollupsRan(result) {
      void emitter.timing('infra.pipeline.rollup.duration_ms', result.durationMs);
      void emitter.gauge('infra.pipeline.rollup.watermark_lag_ms', Math.max(0, result.nowMs - result.watermarkMs));
      if (result.changedMinutes > 0) void emitter.count('infra.pipeline.rollup.changed_minutes.count', result.changedMinutes);
    },
    slosRan(result) {
      void emitter.timing('infra.pipeline.slo.duration_ms', result.durationMs);
    },
    alertsRan(evaluation, durationMs) {
      void emitter.timing('infra.pipeline.alerts.evaluation.duration_ms', durationMs);
      for (const [key, n] of countBy(evaluation.transitions, (t) => `${t.to}|${t.severity}`)) {
        const [to_state, severity] = key.split('|');
        void emitter.count('infra.pipeline.alerts.transition.count', n, { to_state, severity });
      }
      for (const [key, n] of countBy(evaluation.deliveries, (d) => `${d.channel}|${d.outcome}`)) {
        const [channel, outcome] = key.split('|');
        void emitter.count('infra.pipeline.alerts.delivery.count', n, { channel, outcome });
      }
      // Every run sets the level, 0 included: a gauge is the last value of its window.
      const waiting = evaluation.deliveries.reduce((sum, d) => sum + (d.outcome === 'retry' ? d.notificationIds.length : 0), 0);
      void emitter.gauge('infra.pipeline.alerts.retry_waiting', waiting);
    },
    exportsRan(result) {
      for (const e of result.exporters) {
        const tags = { exporter: e.exporter };
        if (e.lagMs !== null) void emitter.gauge('infra.pipeline.export.lag_ms', e.lagMs, tags);
        if (e.minutes > 0) void emitter.count('infra.pipeline.export.minutes.count', e.minutes, tags);
        if (e.points > 0) void emitter.count('infra.pipeline.export.points.count', e.points, tags);
        if (e.deadLettered > 0) void emitter.count('infra.pipeline.export.dead_letter.count', e.deadLettered, tags);
        if (e.error !== null) void emitter.count('infra.pipeline.export.failure.count', 1, tags);
      }
    },
    jobFailed(job) {
      void emitter.count('infra.pipeline.job.failure.count', 1, { job });
    },
    async flush(deadlineMs) {
      report();
      if (deadlineMs === undefined) return emitter.flush().catch(() => undefined);
      let timeout: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, deadlineMs);
        timeout.unref();
      });
      await Promise.race([emitter.flush().catch(() => undefined), deadline]);
      clearTimeout(timeout);
    },
    close() {
      if (timer) clearInterval(timer);
      report();
    },
  };
}

/** Ingest's counts since the last report. `add` is a handful of additions: it runs once per batch on the hot path. */
class IngestTotals {
  private messages = 0;
  private stored = 0;
  private duplicates = 0;
  private retried = 0;
  private maxLagMs = -1;
  private readonly deadLetters = new Map<string, number>();

  add(batch: IngestBatchReport): void {
    this.messages += batch.messages;
    this.stored += batch.stored;
    this.duplicates += batch.duplicates;
    this.retried += batch.retried;
    if (batch.maxLagMs !== null && batch.maxLagMs > this.maxLagMs) this.maxLagMs = batch.maxLagMs;
    if (batch.deadLettersByReason.size > 0) {
      for (const [reason, n] of batch.deadLettersByReason) this.deadLetters.set(reason, (this.deadLetters.get(reason) ?? 0) + n);
    }
  }

  /** Records the totals (non-zero ones only) and starts again from zero. */
  drainTo(emitter: PipelineEmitter): void {
    if (this.messages > 0) void emitter.count('infra.pipeline.ingest.message.count', this.messages);
    if (this.stored > 0) void emitter.count('infra.pipeline.ingest.stored.count', this.stored);
    if (this.duplicates > 0) void emitter.count('infra.pipeline.ingest.duplicate.count', this.duplicates);
    if (this.retried > 0) void emitter.count('infra.pipeline.ingest.retry.count', this.retried);
    for (const [reason, n] of this.deadLetters) void emitter.count('infra.pipeline.ingest.dead_letter.count', n, { reason });
    if (this.maxLagMs >= 0) void emitter.timing('infra.pipeline.ingest.lag_ms', this.maxLagMs);
    this.messages = this.stored = this.duplicates = this.retried = 0;
    this.maxLagMs = -1;
    this.deadLetters.clear();
  }
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
