import { componentUsd, type CostLine, type WriteApi } from '../aggregator/cost/cost-model';
import { costReport, monthOf } from '../aggregator/cost/cost-report';
import { loadPrices } from '../aggregator/cost/prices-file';
import type { ObservabilityConfig } from '../shared';
import type { Warehouse } from '../sql/warehouse';

/**
 * The dashboard's Cost card: `obs cost` for the month in progress (aggregator/cost/, docs/COST.md),
 * in brief. The report reads a month of metric_events, which on BigQuery is billed like any query,
 * so a card is computed at most once an hour per warehouse (a day on BigQuery) and reused by the refreshes in between
 * (`computedAtMs` says when). Contract: `error` is set (and every other figure absent) when the
 * report could not be made — a bad OBS_PRICES_FILE, a warehouse error — so the rest of the
 * dashboard still renders.
 */
export interface CostCard {
  readonly month: string;
  readonly computedAtMs: number;
  readonly error?: string;
  readonly writeApi?: WriteApi;
  /** At list prices, so far this month; and after the monthly free tiers. */
  readonly listUsd?: number;
  readonly billedUsd?: number;
  readonly listUsdPerMillionCalls?: number | null;
  readonly components?: Readonly<Record<CostLine['component'], number>>;
  /** The same month through the other write path. */
  readonly alternative?: { readonly writeApi: WriteApi; readonly listUsd: number };
  readonly events?: number;
  readonly calls?: number;
  /** The costliest modules, most first (at most 5). */
  readonly topModules?: ReadonlyArray<{ readonly module: string; readonly listUsd: number; readonly events: number }>;
  /** Scans estimated from the stored data and the job schedule (DuckDB; BigQuery without its job statistics); absent when measured. */
  readonly scansEstimated?: true;
}

/**
 * How long a computed card is reused: an hour on DuckDB; a day on BigQuery, where each report is a
 * billed read of the month's events and the tables' sizes (CostReport.reportReadBytes).
 */
export const COST_CARD_TTL_MS = 3_600_000;
export const COST_CARD_TTL_BIGQUERY_MS = 86_400_000;
const TOP_MODULES = 5;

const cache = new WeakMap<Warehouse, CostCard>();

/** The card for the month of `nowMs`, from the cache when it is under an hour old. */
export async function loadCostCard(warehouse: Warehouse, config: ObservabilityConfig, nowMs: number, env: Readonly<Record<string, string | undefined>> = process.env): Promise<CostCard> {
  const month = monthOf(nowMs);
  const cached = cache.get(warehouse);
  const ttlMs = warehouse.dialect === 'bigquery' ? COST_CARD_TTL_BIGQUERY_MS : COST_CARD_TTL_MS;
  if (cached && cached.month === month && !cached.error && nowMs >= cached.computedAtMs && nowMs - cached.computedAtMs < ttlMs) return cached;
  let card: CostCard;
  try {
    const r = await costReport(warehouse, { month, nowMs, writeApi: config.bigqueryWriteApi, retention: config.retention, prices: loadPrices(env) });
    card = {
      month,
      computedAtMs: nowMs,
      writeApi: r.writeApi,
      listUsd: r.priced.listUsd,
      billedUsd: r.priced.billedUsd,
      listUsdPerMillionCalls: r.priced.listUsdPerMillionCalls,
      components: { pubsub: componentUsd(r.priced, 'pubsub'), ingest: componentUsd(r.priced, 'ingest'), storage: componentUsd(r.priced, 'storage'), scans: componentUsd(r.priced, 'scans') },
      alternative: { writeApi: r.alternative.writeApi, listUsd: r.alternative.listUsd },
      events: r.usage.events,
      calls: r.usage.calls,
      topModules: r.modules.slice(0, TOP_MODULES).map((m) => ({ module: m.module, listUsd: m.listUsd, events: m.events })),
      ...(r.scans.source === 'estimated' ? { scansEstimated: true as const } : {}),
    };
  } catch (error) {
    card = { month, computedAtMs: nowMs, error: error instanceof Error ? error.message : String(error) };
  }
  cache.set(warehouse, card);
  return card;
}
