import type { RollupRunResult } from '../aggregator/rollup-job';
import type { SloRunResult } from '../aggregator/slo-job';
import type { EvaluationReport } from '../alerts/run/evaluate-run';
import type { JobName } from '../sql/job-state';

/**
 * Where the job runners (app/jobs.ts) report their own work: the pipeline's self-metrics
 * (`infra.pipeline.*`, issue 11 §2) plug in here. Contract: every method is called after the fact,
 * with what the run produced, and must neither throw nor block — a runner calls it inside a
 * try/catch and goes on, so a broken sink can cost metrics, never a job run. The assembly passes
 * one sink to every runner; {@link NO_PIPELINE_METRICS} until a real one exists.
 */
export interface PipelineMetrics {
  /** A rollup run finished: duration, watermark, changed minutes and new events are in the result. */
  rollupsRan(result: RollupRunResult): void;
  /** An SLO run finished (statuses written). */
  slosRan(result: SloRunResult): void;
  /** An alert evaluation finished and its job_state row is written: transitions and deliveries are in the report. */
  alertsRan(report: EvaluationReport, durationMs: number): void;
  /** A job threw (and the runner rethrows it): which one, and after how long. */
  jobFailed(job: JobName, durationMs: number, error: unknown): void;
}

export const NO_PIPELINE_METRICS: PipelineMetrics = {
  rollupsRan: () => undefined,
  slosRan: () => undefined,
  alertsRan: () => undefined,
  jobFailed: () => undefined,
};
