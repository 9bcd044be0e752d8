import { floorTo, HOUR_MS, MINUTE_MS } from '../aggregator/rollup-plan';
import type { Clock } from '../shared/clock';
import { readJobState, ROLLUP_JOB } from '../sql/job-state';
import type { Warehouse } from '../sql/warehouse';
import { EXPORT_DEFAULTS } from './export-job';
import { readMinutes } from './read-minutes';
import { PROMETHEUS_CONTENT_TYPE, PrometheusSnapshot } from './prometheus-text';
import { classifyStatus, retryAfterMs } from './send-with-retry';
import type { ExportBatch, Exporter, MinuteSeries, SendResult } from './types';

/** The Pushgateway group the pipeline pushes to: `/metrics/job/<PUSHGATEWAY_JOB>`. */
export const PUSHGATEWAY_JOB = 'obs_pipeline';

/** The minutes of [fromMs, toMs) of the rollups, for rebuilding a snapshot. */
export type MinuteHistory = (fromMs: number, toMs: number) => Promise<Map<number, MinuteSeries[]>>;

/** The snapshot of the hour of `minuteMs` up to and including it, from the rollups. */
export async function snapshotThrough(history: MinuteHistory, minuteMs: number): Promise<PrometheusSnapshot> {
  const hourMs = floorTo(minuteMs, HOUR_MS);
  const snapshot = new PrometheusSnapshot(hourMs);
  const minutes = await history(hourMs, minuteMs + MINUTE_MS);
  for (let m = hourMs; m <= minuteMs; m += MINUTE_MS) snapshot.addMinute(m, minutes.get(m) ?? []);
  return snapshot;
}

/**
 * `/metrics` (the local stack and the `pack421_metrics` function): the snapshot as of the newest
 * closed minute (export-job.ts's rule), read from the warehouse on each scrape, so any instance
 * answers the same.
 */
export async function renderMetricsPage(warehouse: Warehouse, closeGraceMs: number = EXPORT_DEFAULTS.closeGraceMs): Promise<string> {
  const rollups = await readJobState(warehouse, ROLLUP_JOB);
  if (rollups.watermarkMs === null) return new PrometheusSnapshot(0).render();
  const closedUptoMs = floorTo(rollups.watermarkMs - closeGraceMs, MINUTE_MS);
  const snapshot = await snapshotThrough((from, to) => readMinutes(warehouse, from, to), closedUptoMs - MINUTE_MS);
  return snapshot.render();
}

export interface PushgatewayExporterOptions {
  /** PROMETHEUS_PUSHGATEWAY_URL; basic-auth credentials in it are sent as an Authorization header. */
  readonly url: string;
  readonly history: MinuteHistory;
  readonly clock: Clock;
  readonly timeoutMs?: number;
}

/**
 * Pushes the snapshot after each closed minute with PUT (the group's previous metrics replaced
 * whole, so a series that stopped reporting leaves with the hour). One request per minute.
 * Idempotent: pushing minute m twice pushes the same values, so a restart's repeat is harmless.
 */
export function createPushgatewayExporter(options: PushgatewayExporterOptions): Exporter {
  const base = new URL(options.url);
  const headers: Record<string, string> = { 'content-type': PROMETHEUS_CONTENT_TYPE };
  if (base.username || base.password) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  base.username = '';
  base.password = '';
  const target = `${base.toString().replace(/\/$/, '')}/metrics/job/${PUSHGATEWAY_JOB}`;
  let snapshot: PrometheusSnapshot | undefined;

  return {
    name: 'prometheus',
    maxPointsPerRequest: Number.MAX_SAFE_INTEGER,
    requestsPerSecond: 5,
    perMinute: true,
    async send(batch: ExportBatch): Promise<SendResult> {
      const m = batch.minuteMs;
      try {
        if (!snapshot || snapshot.hourMs !== floorTo(m, HOUR_MS) || snapshot.uptoMs < m) {
          snapshot = await snapshotThrough(options.history, m - MINUTE_MS);
          if (snapshot.hourMs !== floorTo(m, HOUR_MS)) snapshot = new PrometheusSnapshot(floorTo(m, HOUR_MS));
        }
        if (snapshot.uptoMs === m) snapshot.addMinute(m, batch.series);
      } catch (error) {
        return { outcome: 'retry', reason: `reading the rollups for the push failed: ${error instanceof Error ? error.message : String(error)}` };
      }
      try {
        const response = await fetch(target, { method: 'PUT', headers, body: snapshot.render(), signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
        const text = response.ok ? '' : (await response.text()).slice(0, 500);
        return classifyStatus(response.status, `Pushgateway answered ${response.status}: ${text.trim()}`, retryAfterMs(response.headers.get('retry-after'), options.clock.now()));
      } catch (error) {
        return { outcome: 'retry', reason: `Pushgateway request failed: ${error instanceof Error ? error.message : String(error)}` };
      }
    },
  };
}
