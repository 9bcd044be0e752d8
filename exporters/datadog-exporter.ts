import { client, v2 } from '@datadog/datadog-api-client';
import type { Clock } from '../shared/clock';
import { retryAfterMs, classifyStatus } from './send-with-retry';
import type { ExportBatch, Exporter, ExportPoint, SendResult } from './types';

/**
 * Datadog, through the official client (`@datadog/datadog-api-client`): metrics API v2
 * `submitMetrics` (POST /api/v2/series). Each point is one series with one point at the minute's
 * start: counts as `count` with a 60 s interval (the minute's delta), gauges as `gauge`; timings
 * arrive flattened (export-points.ts: `.count`, `.sum`, `.min`, `.max`, `.p50`, `.p95`, `.p99`),
 * because v2 series have no distribution type — Datadog's distributions take raw values
 * (v1 distribution_points), which the rollups no longer hold. Tags are `key:value`.
 *
 * The site is DD_SITE through the client's own server variables (`https://api.{site}`); `endpoint`
 * (tests, a proxy) selects the client's `{protocol}://{name}` server instead. The client's own
 * retry is off: the stage retries (send-with-retry.ts), honouring Retry-After, which this
 * exporter reads from the response through a wrapped HTTP library (ApiException has no headers).
 */
export interface DatadogExporterOptions {
  readonly apiKey: string;
  readonly site: string;
  /** `http://127.0.0.1:PORT` or a proxy: replaces `https://api.<site>`. */
  readonly endpoint?: string;
  readonly clock: Clock;
  /** Series per request (Datadog's limit is 5 MB compressed / 500 kB uncompressed per payload; 500 series stay far below it). */
  readonly maxPointsPerRequest?: number;
  readonly requestsPerSecond?: number;
}

/** Datadog's own rule for tags: at most 200 characters; lower-cased by Datadog itself. */
const MAX_TAG_CHARS = 200;

export function datadogSeries(point: ExportPoint): v2.MetricSeries {
  const series = new v2.MetricSeries();
  series.metric = point.metric;
  series.type = point.type === 'count' ? 1 : 3; // MetricIntakeType: 1 count, 3 gauge
  if (point.type === 'count') series.interval = 60;
  const p = new v2.MetricPoint();
  p.timestamp = Math.floor(point.minuteMs / 1000);
  p.value = point.value;
  series.points = [p];
  series.tags = Object.entries(point.tags).map(([k, v]) => `${k}:${v}`.slice(0, MAX_TAG_CHARS));
  return series;
}

/**
 * The client's configuration: the API key, no client-side retry, and the server — DD_SITE through
 * the default server's `site` variable, or `endpoint` through the client's `{protocol}://{name}` server.
 */
export function datadogConfiguration(options: Pick<DatadogExporterOptions, 'apiKey' | 'site' | 'endpoint'>, httpApi?: client.HttpLibrary): client.Configuration {
  const endpoint = options.endpoint ? new URL(options.endpoint) : undefined;
  const configuration = client.createConfiguration({
    authMethods: { apiKeyAuth: options.apiKey },
    ...(httpApi ? { httpApi } : {}),
    enableRetry: false,
    ...(endpoint ? { serverIndex: 1 } : {}),
  });
  configuration.setServerVariables(endpoint ? { name: endpoint.host, protocol: endpoint.protocol.replace(/:$/, '') } : { site: options.site });
  return configuration;
}

export function createDatadogExporter(options: DatadogExporterOptions): Exporter {
  const inner = new client.IsomorphicFetchHttpLibrary();
  let lastRetryAfter: string | undefined;
  const httpApi: client.HttpLibrary = {
    send: async (request) => {
      const response = await inner.send(request);
      lastRetryAfter = response.headers['retry-after'] ?? response.headers['x-ratelimit-reset'];
      return response;
    },
  };
  const api = new v2.MetricsApi(datadogConfiguration(options, httpApi));

  return {
    name: 'datadog',
    maxPointsPerRequest: options.maxPointsPerRequest ?? 500,
    requestsPerSecond: options.requestsPerSecond ?? 10,
    async send(batch: ExportBatch): Promise<SendResult> {
      const body = new v2.MetricPayload();
      body.series = batch.points.map(datadogSeries);
      lastRetryAfter = undefined;
      try {
        await api.submitMetrics({ body });
        return { outcome: 'ok' };
      } catch (error) {
        if (error instanceof client.ApiException) {
          const status = (error as client.ApiException<unknown>).code;
          return classifyStatus(status, `Datadog answered ${status}: ${errorText((error as client.ApiException<unknown>).body)}`, retryAfterMs(lastRetryAfter, options.clock.now()));
        }
        return { outcome: 'retry', reason: `Datadog request failed: ${error instanceof Error ? error.message : String(error)}` };
      }
    },
  };
}

function errorText(body: unknown): string {
  if (body && typeof body === 'object' && Array.isArray((body as { errors?: unknown }).errors)) return (body as { errors: unknown[] }).errors.map(String).join('; ').slice(0, 500);
  return (typeof body === 'string' ? body : JSON.stringify(body) ?? '').slice(0, 500);
}
