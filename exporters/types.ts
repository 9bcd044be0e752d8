/**
 * The exporter stage's contract (issue 14): the event log stays the source of truth, and each
 * closed 1-minute rollup is forwarded to the configured metrics providers. export-job.ts reads the
 * minutes and keeps the cursors; an {@link Exporter} only turns one batch into one request.
 */

/** The providers an exporter can be configured for (OBS_EXPORTERS, OBSERVABILITY_PROVIDER). */
export const EXPORTER_NAMES = ['datadog', 'gcp', 'prometheus'] as const;
export type ExporterName = (typeof EXPORTER_NAMES)[number];

/** One closed minute of one series, as the rollups hold it (metric_rollups + metric_histograms). */
export interface MinuteSeries {
  readonly minuteMs: number;
  readonly name: string;
  readonly seriesKey: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly kind: 'count' | 'timing' | 'gauge';
  readonly eventCount: number;
  readonly valueSum: number;
  readonly valueMin: number | null;
  readonly valueMax: number | null;
  readonly lastValue: number | null;
  /** Timings: `[bucket, count]` pairs of the minute's histogram (shared/histogram.ts), ascending. */
  readonly histogram: ReadonlyArray<readonly [number, number]>;
}

/**
 * One value to send: counts are the minute's delta, gauges the minute's last value. A timing is
 * flattened by export-points.ts into `<name>.count`, `.sum` (deltas) and `.min`, `.max`, `.p50`,
 * `.p95`, `.p99` (gauges), the same for every provider that has no use for the histogram itself.
 */
export interface ExportPoint {
  /** The rollup's metric (the catalogue name); `metric` adds a timing's suffix. */
  readonly name: string;
  readonly metric: string;
  readonly type: 'count' | 'gauge';
  readonly value: number;
  readonly tags: Readonly<Record<string, string>>;
  /** Start of the minute the value belongs to (epoch ms). */
  readonly minuteMs: number;
}

/** What one request's outcome means for the stage. */
export type SendResult =
  | { readonly outcome: 'ok' }
  /** 429, 5xx, a network error or a timeout: tried again after `retryAfterMs` (the server's Retry-After) or the backoff. */
  | { readonly outcome: 'retry'; readonly reason: string; readonly status?: number; readonly retryAfterMs?: number }
  /** Any other 4xx: the provider will never take this batch; it is dead-lettered with the reason and the stage goes on. */
  | { readonly outcome: 'rejected'; readonly reason: string; readonly status?: number };

/**
 * One provider. Contract: `prepare` (optional) runs once per minute before its batches (the
 * Prometheus exporter builds its snapshot there; Cloud Monitoring creates missing descriptors);
 * `send` sends ONE request for at most `maxPointsPerRequest` points and never throws — every
 * failure is a {@link SendResult}, its reason free of secrets. A batch is the unit of retry and of
 * dead-lettering; `body` describes what was sent, for the dead letter (truncated by the caller).
 */
export interface Exporter {
  readonly name: ExporterName;
  readonly maxPointsPerRequest: number;
  /** Requests per second this exporter may send (the stage waits between requests). */
  readonly requestsPerSecond: number;
  /** Whole-minute work instead of per-point batches (Prometheus: one push of the snapshot); default false. */
  readonly perMinute?: boolean;
  send(batch: ExportBatch): Promise<SendResult>;
  /** Closes connections; default nothing. */
  close?(): Promise<void>;
}

export interface ExportBatch {
  readonly minuteMs: number;
  /** Index of this batch within its minute (0, 1, …): the dead letter's id. */
  readonly index: number;
  readonly points: readonly ExportPoint[];
  /** The minute's series (perMinute exporters read these instead of `points`). */
  readonly series: readonly MinuteSeries[];
}
