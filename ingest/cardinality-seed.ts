import { rollupSeriesSeed } from '../sql/queries/rollup-read';
import type { Warehouse } from '../sql/warehouse';
import { CardinalityLimiter, type CardinalityLimiterOptions } from './cardinality-limiter';

const DAY_MS = 86_400_000;

/**
 * A cardinality limiter seeded with the series already stored today (the day rollups, so as fresh
 * as the last rollup run: a minute locally), so that a restarted ingest process does not grant
 * every metric a fresh allowance. One query, at most metrics × the limit small rows.
 *
 * A failed seed query does not stop ingest: the limiter starts unseeded (per-process limits for
 * the rest of the day) and the failure is reported through `warn`.
 */
export async function loadCardinalityLimiter(
  warehouse: Warehouse,
  nowMs: number,
  options: CardinalityLimiterOptions & { readonly warn?: (message: string) => void } = {},
): Promise<CardinalityLimiter> {
  const limiter = new CardinalityLimiter(options);
  const dayMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  try {
    const rows = await warehouse.query(rollupSeriesSeed, { day_ms: dayMs, max_series: limiter.maxSeriesPerMetricPerDay });
    limiter.seed(
      dayMs,
      rows.map((r) => ({ name: String(r.name), seriesKey: String(r.series_key) })),
    );
  } catch (error) {
    (options.warn ?? console.warn)(`ingest: could not seed the cardinality limiter from today's rollups; limits start per process: ${error instanceof Error ? error.message : String(error)}`);
  }
  return limiter;
}
