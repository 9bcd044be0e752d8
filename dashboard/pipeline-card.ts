import { mergedPercentiles } from '../aggregator/percentiles';
import { pipelineMetricsSummary } from '../sql/queries/dashboard';
import type { Warehouse } from '../sql/warehouse';

/** The pipeline card covers the last hour of 1-minute rollups. */
export const PIPELINE_CARD_SPAN_MS = 3_600_000;
const INGEST_LAG = 'infra.pipeline.ingest.lag_ms';

/** One scheduled job's runs in the span, from its `…duration_ms` timing. */
export interface JobRuns {
  /** Runs recorded in the span. */
  readonly runs: number;
  /** The run of the newest minute with one (the mean, should a minute hold several). */
  readonly lastDurationMs: number;
  readonly maxDurationMs: number;
  /** When the last run was recorded (epoch ms). */
  readonly lastRunMs: number;
}

/**
 * The pipeline's own metrics (`infra.pipeline.*`, docs/OPERATIONS.md) over the last hour, as the
 * dashboard's Pipeline card shows them. Read from the 1-minute rollups and histograms only, never
 * from metric_events. Contract: `hasData` is false when no pipeline metric was rolled up in the
 * span, and then every number is 0 or null; counts are totals over the span, lists are sorted.
 */
export interface PipelineCard {
  readonly sinceMs: number;
  readonly hasData: boolean;
  readonly ingest: {
    readonly messages: number;
    readonly stored: number;
    readonly duplicates: number;
    readonly retries: number;
    readonly deadLetters: number;
    /** Most first. `reason` is the first reason code of each dead letter. */
    readonly deadLettersByReason: ReadonlyArray<{ reason: string; count: number }>;
    /** p95 of the worst lag of each ingest report interval (ms), nearest rank within 1%; null without reports. */
    readonly lagP95Ms: number | null;
  };
  readonly jobs: { readonly rollup: JobRuns | null; readonly slo: JobRuns | null; readonly alerts: JobRuns | null };
  /** The newest rollup watermark lag (ms): how far behind the rollups were after their last run. */
  readonly rollupWatermarkLagMs: number | null;
  /** By channel, then outcome (delivered, retry, failed). */
  readonly deliveries: ReadonlyArray<{ channel: string; outcome: string; count: number }>;
  /** Notifications the last alert evaluation left for a retry; null when none ran in the span. */
  readonly retryWaiting: number | null;
  /** Job runs that threw, by job name (rollup, slo, alerts, export). */
  readonly jobFailures: ReadonlyArray<{ job: string; count: number }>;
  /**
   * The exporter stage, by exporter (`infra.pipeline.export.*`): minutes sent in the span, the
   * newest lag (ms; null when none reported), dead-lettered batches and failed runs. Empty without exporters.
   */
  readonly exports: ReadonlyArray<{ exporter: string; minutes: number; lagMs: number | null; deadLetters: number; failures: number }>;
}

/** One row of {@link pipelineMetricsSummary}. */
export type PipelineSeriesRow = {
  name: string;
  kind: string;
  tags: string;
  total: number;
  events: number;
  max_value: number | null;
  newest_mean: number | null;
  last_value: number | null;
  last_ms: number | null;
};

/** Reads the card: one rollup query and the ingest-lag percentile, concurrently. */
export async function loadPipelineCard(warehouse: Warehouse, nowMs: number): Promise<PipelineCard> {
  const sinceMs = nowMs - PIPELINE_CARD_SPAN_MS;
  const [rows, lag] = await Promise.all([
    warehouse.query<PipelineSeriesRow>(pipelineMetricsSummary, { since_ms: sinceMs, now_ms: nowMs }),
    // The project's percentile read (sql/queries/rollup-read.ts): the 1-minute histograms of the
    // span merged by bucket, nearest rank — the same method as the latency chart, in one value.
    mergedPercentiles(warehouse, { name: INGEST_LAG, windowSeconds: 60, fromMs: sinceMs, toMs: nowMs }),
  ]);
  return summarisePipeline(rows, lag.observations > 0 ? lag.p95 : null, sinceMs);
}

/** The card from the summary rows. Pure. */
export function summarisePipeline(rows: readonly PipelineSeriesRow[], lagP95Ms: number | null, sinceMs: number): PipelineCard {
  const named = (name: string) => rows.filter((r) => r.name === `infra.pipeline.${name}`);
  const total = (name: string) => named(name).reduce((n, r) => n + Number(r.total), 0);
  const tag = (row: PipelineSeriesRow, key: string) => (JSON.parse(row.tags) as Record<string, string | undefined>)[key] ?? '';
  const byTag = (name: string, key: string) => named(name).map((r) => ({ value: tag(r, key), count: Number(r.total) })).filter((t) => t.count > 0);
  const gauge = (name: string) => {
    const [row] = named(name);
    return row?.last_value === null || row?.last_value === undefined ? null : Number(row.last_value);
  };
  const runs = (name: string): JobRuns | null => {
    const [row] = named(name);
    if (!row || row.newest_mean === null || row.last_ms === null) return null;
    return { runs: Number(row.events), lastDurationMs: Number(row.newest_mean), maxDurationMs: Number(row.max_value), lastRunMs: Number(row.last_ms) };
  };
  const deadLettersByReason = byTag('ingest.dead_letter.count', 'reason')
    .map(({ value, count }) => ({ reason: value, count }))
    .sort((a, b) => b.count - a.count || compare(a.reason, b.reason));

  return {
    sinceMs,
    hasData: rows.length > 0 || lagP95Ms !== null,
    ingest: {
      messages: total('ingest.message.count'),
      stored: total('ingest.stored.count'),
      duplicates: total('ingest.duplicate.count'),
      retries: total('ingest.retry.count'),
      deadLetters: deadLettersByReason.reduce((n, d) => n + d.count, 0),
      deadLettersByReason,
      lagP95Ms,
    },
    jobs: { rollup: runs('rollup.duration_ms'), slo: runs('slo.duration_ms'), alerts: runs('alerts.evaluation.duration_ms') },
    rollupWatermarkLagMs: gauge('rollup.watermark_lag_ms'),
    deliveries: named('alerts.delivery.count')
      .map((r) => ({ channel: tag(r, 'channel'), outcome: tag(r, 'outcome'), count: Number(r.total) }))
      .filter((d) => d.count > 0)
      .sort((a, b) => compare(a.channel, b.channel) || compare(a.outcome, b.outcome)),
    retryWaiting: gauge('alerts.retry_waiting'),
    jobFailures: byTag('job.failure.count', 'job')
      .map(({ value, count }) => ({ job: value, count }))
      .sort((a, b) => compare(a.job, b.job)),
    exports: exportsByExporter(named, tag),
  };
}

function exportsByExporter(named: (name: string) => PipelineSeriesRow[], tag: (row: PipelineSeriesRow, key: string) => string): PipelineCard['exports'] {
  const out = new Map<string, { exporter: string; minutes: number; lagMs: number | null; deadLetters: number; failures: number }>();
  const entry = (row: PipelineSeriesRow) => {
    const exporter = tag(row, 'exporter');
    let e = out.get(exporter);
    if (!e) out.set(exporter, (e = { exporter, minutes: 0, lagMs: null, deadLetters: 0, failures: 0 }));
    return e;
  };
  for (const r of named('export.minutes.count')) entry(r).minutes += Number(r.total);
  for (const r of named('export.dead_letter.count')) entry(r).deadLetters += Number(r.total);
  for (const r of named('export.failure.count')) entry(r).failures += Number(r.total);
  for (const r of named('export.lag_ms')) if (r.last_value !== null) entry(r).lagMs = Number(r.last_value);
  return [...out.values()].sort((a, b) => compare(a.exporter, b.exporter));
}

/** Code-point order, stable across locales. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
