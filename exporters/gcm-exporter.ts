import { MetricServiceClient } from '@google-cloud/monitoring';
import type { ClientOptions } from 'google-gax';
import { allowedTagKeys } from '../shared/metric-catalogue';
import type { ExportBatch, Exporter, ExportPoint, SendResult } from './types';

/**
 * Cloud Monitoring, through `@google-cloud/monitoring` (5.x: Node 20): `createTimeSeries` of
 * custom metrics `custom.googleapis.com/<name with dots as slashes>` on the `global` resource of
 * GOOGLE_CLOUD_PROJECT. The API's own rules: at most 200 time series per request, one point per
 * series per request (a batch never holds two points of one metric and label set: a minute has
 * one point per series), and user-defined metrics cannot be DELTA. So:
 * - a count (and a timing's `.count` / `.sum`) is CUMULATIVE DOUBLE, each point an interval of
 *   its own minute [start, end): a cumulative series that resets every minute, i.e. the delta;
 * - a gauge (and a timing's `.min`, `.max`, `.p50`, `.p95`, `.p99`) is GAUGE DOUBLE at the minute's end;
 * - tags are metric labels (keys sanitised to `[a-z_][a-z0-9_]*`, values cut to 1,024 bytes).
 * Each metric's descriptor is created once per exporter instance, before its first point (an
 * existing one, ALREADY_EXISTS, is fine). gRPC codes RESOURCE_EXHAUSTED, UNAVAILABLE, INTERNAL,
 * DEADLINE_EXCEEDED, ABORTED and UNKNOWN (REST: 429, 408, 5xx) are retried; the rest dead-letter
 * the batch. The client's own retry does not apply: createTimeSeries is non-idempotent for gax.
 */
export interface GcmExporterOptions {
  readonly projectId: string;
  /** Extra client options: tests use `{ fallback: true, apiEndpoint, port, protocol: 'http', authClient }`. */
  readonly clientOptions?: ClientOptions & { protocol?: string };
  readonly requestsPerSecond?: number;
}

/** Cloud Monitoring's limit of time series per createTimeSeries request. */
export const GCM_MAX_SERIES_PER_REQUEST = 200;

export function gcmMetricType(metric: string): string {
  return `custom.googleapis.com/${metric.split('.').join('/')}`;
}

export function gcmLabelKey(key: string): string {
  const cleaned = key.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 100);
  return /^[a-z_]/.test(cleaned) ? cleaned : `_${cleaned}`.slice(0, 100);
}

const seconds = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 });

export function gcmTimeSeries(point: ExportPoint, projectId: string) {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(point.tags)) labels[gcmLabelKey(k)] = Buffer.from(v).subarray(0, 1024).toString();
  const end = point.minuteMs + 60_000;
  const cumulative = point.type === 'count';
  return {
    metric: { type: gcmMetricType(point.metric), labels },
    resource: { type: 'global', labels: { project_id: projectId } },
    metricKind: cumulative ? ('CUMULATIVE' as const) : ('GAUGE' as const),
    valueType: 'DOUBLE' as const,
    points: [{ interval: cumulative ? { startTime: seconds(point.minuteMs), endTime: seconds(end) } : { endTime: seconds(end) }, value: { doubleValue: point.value } }],
  };
}

/**
 * A descriptor's labels: every tag key an event of its catalogue metric may carry (its own and the
 * common ones: shared/metric-catalogue.ts allowedTagKeys), `overflow` (the cardinality
 * limiter's overflow series, ingest/cardinality-limiter.ts) and the point's own — Cloud Monitoring
 * refuses a point with a label its descriptor lacks, and the descriptor is created once.
 */
function descriptorLabels(point: ExportPoint): string[] {
  const declared = allowedTagKeys(point.name) ?? [];
  return [...new Set([...declared, 'overflow', ...Object.keys(point.tags)].map(gcmLabelKey))].sort();
}

const RETRYABLE_CODES = new Set([2, 4, 8, 10, 13, 14]); // UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE

/**
 * Retryable or not: over gRPC `code` is a gRPC status code; through the REST fallback it is the
 * HTTP status (429 and 5xx retried, as for the other providers).
 */
function isRetryable(code: number | undefined): boolean {
  if (typeof code !== 'number') return true; // no answer at all: a network error
  if (code >= 100) return code === 429 || code === 408 || code >= 500;
  return RETRYABLE_CODES.has(code);
}

const alreadyExists = (code: number | undefined) => code === 6 || code === 409;

export function createGcmExporter(options: GcmExporterOptions): Exporter {
  const client = new MetricServiceClient({ projectId: options.projectId, ...options.clientOptions });
  const name = `projects/${options.projectId}`;
  const described = new Set<string>();

  async function describe(points: readonly ExportPoint[]): Promise<void> {
    for (const point of points) {
      const type = gcmMetricType(point.metric);
      if (described.has(type)) continue;
      try {
        await client.createMetricDescriptor({
          name,
          metricDescriptor: {
            type,
            metricKind: point.type === 'count' ? 'CUMULATIVE' : 'GAUGE',
            valueType: 'DOUBLE',
            description: `${point.metric}, exported by the observability pipeline (one point per closed minute)`,
            displayName: point.metric,
            labels: descriptorLabels(point).map((key) => ({ key, valueType: 'STRING' as const })),
          },
        });
      } catch (error) {
        if (!alreadyExists((error as { code?: number }).code)) throw error;
      }
      described.add(type);
    }
  }

  return {
    name: 'gcp',
    maxPointsPerRequest: GCM_MAX_SERIES_PER_REQUEST,
    requestsPerSecond: options.requestsPerSecond ?? 10,
    async send(batch: ExportBatch): Promise<SendResult> {
      try {
        await describe(batch.points);
        await client.createTimeSeries({ name, timeSeries: batch.points.map((p) => gcmTimeSeries(p, options.projectId)) });
        return { outcome: 'ok' };
      } catch (error) {
        const code = (error as { code?: number }).code;
        const reason = `Cloud Monitoring answered ${code ?? 'an error'}: ${(error instanceof Error ? error.message : String(error)).slice(0, 500)}`;
        if (!isRetryable(code)) return { outcome: 'rejected', reason, ...(typeof code === 'number' ? { status: code } : {}) };
        return { outcome: 'retry', reason, ...(typeof code === 'number' ? { status: code } : {}) };
      }
    },
    close: () => client.close(),
  };
}
