import pLimit from 'p-limit';
import { BURN_WINDOWS, type BurnWindow } from '../../shared/time-windows';
import {
  alertBurnWindowGood,
  alertBurnWindowTotals,
  alertSeriesHistogram,
  alertSeriesTotals,
  burnFromParam,
} from '../../sql/queries/alert-rules';
import type { Params, Warehouse } from '../../sql/warehouse';
import { RuleDataSnapshot, type DataNeed, type SeriesBuckets } from './rule-data';
import { BURN_WINDOW_NAMES } from './sli-counts';

/** Port: fetches what the rules need at `nowMs`. */
export interface RuleDataSource {
  fetch(needs: readonly DataNeed[], nowMs: number): Promise<RuleDataSnapshot>;
}

/** Queries in flight at once (DuckDB serialises them anyway; BigQuery benefits). */
const QUERY_CONCURRENCY = 4;

const num = (v: unknown): number => (typeof v === 'number' ? v : v === null || v === undefined ? 0 : Number(v));

/**
 * Reads rule data from the warehouse rollups (sql/queries/alert-rules.ts). Burn rates are computed
 * from the rollups for the exact windows ending at `now`, rather than read from slo_status: the
 * aggregator writes slo_status at its own `computed_at`, and the minimum-traffic guard needs the
 * event counts per window, which slo_status does not keep.
 */
export class WarehouseRuleDataSource implements RuleDataSource {
  constructor(private readonly warehouse: Warehouse) {}

  async fetch(needs: readonly DataNeed[], nowMs: number): Promise<RuleDataSnapshot> {
    const snapshot = new RuleDataSnapshot();
    const limit = pLimit(QUERY_CONCURRENCY);
    await Promise.all(needs.map((need) => limit(() => this.fetchOne(need, nowMs, snapshot))));
    return snapshot;
  }

  private async fetchOne(need: DataNeed, nowMs: number, snapshot: RuleDataSnapshot): Promise<void> {
    switch (need.kind) {
      case 'totals': {
        const rows = await this.warehouse.query(alertSeriesTotals, { from_ms: nowMs - need.windowSeconds * 1000, to_ms: nowMs });
        snapshot.setTotals(
          need.windowSeconds,
          rows.map((r) => ({
            name: String(r.name),
            seriesKey: String(r.series_key),
            eventCount: num(r.event_count),
            valueSum: num(r.value_sum),
            valueMax: r.value_max === null ? null : num(r.value_max),
          })),
        );
        return;
      }
      case 'histogram': {
        const rows = await this.warehouse.query(alertSeriesHistogram, { from_ms: nowMs - need.windowSeconds * 1000, to_ms: nowMs, name: need.metric });
        const bySeries = new Map<string, Array<[number, number]>>();
        for (const r of rows) {
          const key = String(r.series_key);
          let list = bySeries.get(key);
          if (!list) bySeries.set(key, (list = []));
          list.push([num(r.bucket), num(r.bucket_count)]);
        }
        const series: SeriesBuckets[] = [...bySeries].map(([seriesKey, buckets]) => ({ seriesKey, buckets }));
        snapshot.setHistograms(need.metric, need.windowSeconds, series);
        return;
      }
      case 'window-totals': {
        const rows = await this.warehouse.query(alertBurnWindowTotals, { ...burnParams(nowMs), name: need.metric });
        snapshot.setWindowTotals(
          need.metric,
          rows.map((r) => ({ seriesKey: String(r.series_key), valueSum: perWindow(r, 'sum'), eventCount: perWindow(r, 'count') })),
        );
        return;
      }
      case 'window-good': {
        const rows = await this.warehouse.query(alertBurnWindowGood, { ...burnParams(nowMs), name: need.metric, max_bucket: need.maxBucket });
        snapshot.setWindowGood(
          need.metric,
          need.maxBucket,
          rows.map((r) => ({ seriesKey: String(r.series_key), good: perWindow(r, 'good') })),
        );
        return;
      }
    }
  }
}

function burnParams(nowMs: number): Params {
  const params: Params = { to_ms: nowMs };
  for (const w of Object.keys(BURN_WINDOWS) as BurnWindow[]) params[burnFromParam(w)] = nowMs - BURN_WINDOWS[w] * 1000;
  return params;
}

function perWindow(row: Record<string, unknown>, prefix: string): Record<BurnWindow, number> {
  const out = {} as Record<BurnWindow, number>;
  for (const w of BURN_WINDOW_NAMES) out[w] = num(row[`${prefix}_${w}`]);
  return out;
}
