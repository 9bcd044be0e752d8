import { METRICS, isMetricName, type ModuleId, type Severity } from '../shared';
import { latestSloStatus, recentMetrics } from '../sql/queries/status';
import type { Warehouse } from '../sql/warehouse';
import type { FiringPath } from '../alerts/model/alert-instance';

/** An alert instance that is pending or firing now (from the alert state store, issue #6). */
export interface ActiveAlert {
  fingerprint: string;
  ruleId: string;
  module: ModuleId;
  severity: Severity;
  state: 'pending' | 'firing';
  sinceMs: number;
  summary: string;
  runbook: string;
  /** The rule's title (its annotations' name); absent from sources that do not know it. */
  name?: string;
  /** The last evaluated value and what it is compared with, for "14 > 10 events"; absent when unknown. */
  value?: number | null;
  threshold?: number;
  comparator?: string;
  unit?: string;
  /**
   * Which path fired it (issue #15): `streaming` as the events arrived, `scheduled` on the rollups;
   * null while pending (alerts/model/firing-path.ts). Absent from sources that do not know it.
   */
  firedBy?: FiringPath | null;
}

/** Where active alerts come from; the alert state store provides one. */
export type ActiveAlertsSource = (nowMs: number) => Promise<ActiveAlert[]>;

export interface SloSnapshot {
  sloId: string;
  status: string;
  attainment: number | null;
  objective: number;
  budgetRemaining: number | null;
  budgetMinutesRemaining: number | null;
  exhaustionHours: number | null;
  burnRates: Record<string, number | null>;
  computedMs: number;
}

/** What the feature matrix and the dashboard judge modules by, read once per request. */
export interface LiveSignals {
  nowMs: number;
  slos: SloSnapshot[];
  alerts: ActiveAlert[];
  /** Newest 1-minute window with data, per module, within {@link METRICS_FRESH_MS}. */
  moduleLastMetricMs: Partial<Record<ModuleId, number>>;
  /** Whether the alert state could be read at all (false: alerts unknown, not "none"). */
  alertsKnown: boolean;
}

/** A module whose metrics have not arrived for this long is "no data". */
export const METRICS_FRESH_MS = 15 * 60_000;
/** SLO rows older than this are ignored (the aggregator is stale; the health endpoint says so). */
export const SLO_FRESH_MS = 60 * 60_000;

type SloRow = {
  slo_id: string;
  status: string;
  attainment: number | null;
  objective: number;
  budget_remaining: number | null;
  budget_minutes_remaining: number | null;
  exhaustion_hours: number | null;
  burn_rates: string | null;
  computed_ms: number;
};

function parseBurnRates(text: string | null): Record<string, number | null> {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, number | null>) : {};
  } catch {
    return {};
  }
}

/** Reads the live signals: latest SLO status, recent metric arrival per module, active alerts. */
export async function loadLiveSignals(warehouse: Warehouse, alerts: ActiveAlertsSource | undefined, nowMs: number): Promise<LiveSignals> {
  const [sloRows, metricRows, alertResult] = await Promise.all([
    warehouse.query<SloRow>(latestSloStatus, { since_ms: nowMs - SLO_FRESH_MS, now_ms: nowMs }),
    warehouse.query<{ name: string; last_window_ms: number }>(recentMetrics, { since_ms: nowMs - METRICS_FRESH_MS, now_ms: nowMs }),
    alerts ? alerts(nowMs).then((a) => ({ known: true, alerts: a })) : Promise.resolve({ known: false, alerts: [] as ActiveAlert[] }),
  ]);
  const moduleLastMetricMs: Partial<Record<ModuleId, number>> = {};
  for (const row of metricRows) {
    if (!isMetricName(row.name)) continue;
    const module = METRICS[row.name].module;
    moduleLastMetricMs[module] = Math.max(moduleLastMetricMs[module] ?? 0, row.last_window_ms);
  }
  const slos = sloRows.map((r) => ({
    sloId: r.slo_id,
    status: r.status,
    attainment: r.attainment,
    objective: r.objective,
    budgetRemaining: r.budget_remaining,
    budgetMinutesRemaining: r.budget_minutes_remaining,
    exhaustionHours: r.exhaustion_hours,
    burnRates: parseBurnRates(r.burn_rates),
    computedMs: r.computed_ms,
  }));
  return { nowMs, slos, alerts: alertResult.alerts, moduleLastMetricMs, alertsKnown: alertResult.known };
}
