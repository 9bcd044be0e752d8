import { MINUTE_MS } from '../aggregator/rollup-plan';
import type { Probe } from '../health/probes';
import type { MetricsExporterName } from '../shared/config';
import { readJobState } from '../sql/job-state';
import type { Warehouse } from '../sql/warehouse';
import { exportJobName, type ExporterState } from './export-job';

/** One exporter's health, from its job_state row (the cursor and what its last run stored). */
export interface ExporterHealth {
  readonly exporter: MetricsExporterName;
  /** Start of the newest minute sent; null before the first. */
  readonly lastMinuteMs: number | null;
  /** now − end of that minute; null before the first. */
  readonly lagMs: number | null;
  /** The last run's error (secret-free); null when its last run went through. */
  readonly lastError: string | null;
  readonly lastErrorAtMs: number | null;
  /** Batches dead-lettered since the cursor was created. */
  readonly deadLettered: number;
  readonly lastRunMs: number | null;
}

export async function readExportHealth(warehouse: Warehouse, exporters: readonly MetricsExporterName[], nowMs: number): Promise<ExporterHealth[]> {
  return Promise.all(
    exporters.map(async (exporter) => {
      const state = await readJobState(warehouse, exportJobName(exporter));
      const stored = (state.lastResult ?? {}) as Partial<ExporterState>;
      const lastMinuteMs = stored.lastMinuteMs ?? null;
      return {
        exporter,
        lastMinuteMs,
        lagMs: lastMinuteMs === null ? null : Math.max(0, nowMs - (lastMinuteMs + MINUTE_MS)),
        lastError: stored.lastError ?? null,
        lastErrorAtMs: stored.lastErrorAtMs ?? null,
        deadLettered: stored.deadLettered ?? 0,
        lastRunMs: state.lastRunMs,
      };
    }),
  );
}

/**
 * Lag limits of the `exporters` component: a minute is closed about 70 s after it ends and the
 * stage runs every minute, so a healthy lag is 1–3 minutes. Past 5 degraded, past 15 error (the
 * jobs' freshness limits).
 */
export const EXPORT_LAG_WARN_MS = 5 * MINUTE_MS;
export const EXPORT_LAG_ERROR_MS = 15 * MINUTE_MS;

/**
 * The `exporters` component of GET /health/internal: per configured exporter the newest minute
 * sent, the lag and the last error. Skipped when no exporter is configured.
 */
export function exportersProbe(exporters: readonly MetricsExporterName[], warehouse: Warehouse, now: () => number): Probe {
  return async () => {
    if (exporters.length === 0) return { status: 'skipped', detail: 'no exporter configured (OBSERVABILITY_PROVIDER / OBS_EXPORTERS)' };
    const health = await readExportHealth(warehouse, exporters, now());
    let worst: 'ok' | 'degraded' | 'error' = 'ok';
    const parts = health.map((h) => {
      const status = h.lagMs === null ? 'degraded' : h.lagMs > EXPORT_LAG_ERROR_MS ? 'error' : h.lagMs > EXPORT_LAG_WARN_MS || h.lastError !== null ? 'degraded' : 'ok';
      if (status === 'error' || (status === 'degraded' && worst === 'ok')) worst = status;
      const through = h.lastMinuteMs === null ? 'nothing exported yet' : `through ${new Date(h.lastMinuteMs).toISOString().slice(0, 16)}Z, lag ${(h.lagMs! / 60_000).toFixed(1)} min`;
      return `${h.exporter}: ${through}${h.deadLettered > 0 ? `, ${h.deadLettered} dead-lettered` : ''}${h.lastError ? `, last error: ${h.lastError.slice(0, 300)}` : ''}`;
    });
    return { status: worst, detail: parts.join('; ') };
  };
}
