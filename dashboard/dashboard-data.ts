import { sloWindowAt } from '../shared/slo-window';
import { activeSlos, getAlertRule, bucketValue, describeConfig, errorBudgetMinutes, type ObservabilityConfig } from '../shared';
import { VERSION } from '../shared/version';
import type { NamedProbe } from '../health/internal-health';
import { loadLiveSignals, type ActiveAlert, type ActiveAlertsSource } from '../health/live-signals';
import { featureMatrix, type ModuleReadiness } from '../health/module-readiness';
import { runProbe, type ComponentHealth } from '../health/probes';
import { quantileSeries, sloBudgetHistory } from '../sql/queries/dashboard';
import type { Warehouse } from '../sql/warehouse';
import { computeBanner, type Banner } from './banner';
import { loadCostCard, type CostCard } from './cost-card';
import { loadPipelineCard, type PipelineCard } from './pipeline-card';
import { QUICK_LINKS, type QuickLink } from './quick-links';
import { loadRecentAlerts, withFiringPaths, type RecentAlert } from './recent-alerts';
import { loadIncidentsCard, type IncidentsCard } from './incidents-card';
import type { IncidentStore } from '../incidents/incident-store';

export { QUICK_LINKS, LOCAL_QUICK_LINKS, type QuickLink } from './quick-links';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The latency chart: p95 of HTTP latency per 15 minutes over the last 24 hours. */
export const LATENCY_CHART = { metric: 'infra.http.request.latency_ms', quantile: 0.95, stepSeconds: 900, spanMs: DAY_MS } as const;

export interface SloRow {
  id: string;
  name: string;
  module: string;
  objective: number;
  attainment: number | null;
  budgetRemaining: number | null;
  budgetMinutesRemaining: number | null;
  budgetMinutesTotal: number | null;
  burnRates: Record<string, number | null>;
  status: string;
  /** Burn-down: [epoch ms, budget remaining fraction] per hour over the SLO window. */
  burnDown: Array<[number, number | null]>;
}

export interface AlertRow extends ActiveAlert {
  ageMs: number;
  name: string;
}

/** Everything the dashboard page shows, in one response (GET /api/dashboard). */
export interface DashboardData {
  generatedAt: number;
  banner: Banner;
  modules: Record<string, ModuleReadiness>;
  overallReady: boolean;
  infrastructure: ComponentHealth[];
  /** The pipeline's own metrics over the last hour (the Pipeline card among the infrastructure cards). */
  pipeline: PipelineCard;
  /** What the month so far costs at list prices (`obs cost` in brief; dashboard/cost-card.ts): the Cost card. */
  cost: CostCard;
  slos: SloRow[];
  latency: { metric: string; quantile: number; points: Array<[number, number]> };
  alerts: AlertRow[];
  /** Firing episodes of the last 24 hours from alert_log, newest first: a resolved P0 stays here. */
  recentAlerts: RecentAlert[];
  /** Open incidents and those that changed in the last 7 days, with their timelines (dashboard/incidents-card.ts, issue #16). */
  incidents: IncidentsCard;
  config: {
    provider: string;
    /** How events travel from the emitters to ingest, as the stack actually runs it (see {@link DashboardSources.transport}). */
    transport: string;
    environment: string;
    warehouse: string;
    version: string;
    settings: Record<string, string | number | undefined>;
  };
  links: QuickLink[];
}

export interface DashboardSources {
  warehouse: Warehouse;
  alerts?: ActiveAlertsSource;
  /** The same probes as GET /health/internal (infrastructure cards). */
  probes: readonly NamedProbe[];
  config: ObservabilityConfig;
  /**
   * The transport in use, in words (the local stack's `transport.description`: the Pub/Sub
   * emulator or the in-process queue). Absent: described from `config.provider`.
   */
  transport?: string;
  /** The quick-link bar; {@link QUICK_LINKS} (production) when absent. */
  quickLinks?: readonly QuickLink[];
  /** Incidents (issue #16): the stack's warehouse table, Firestore in production; absent: the card is empty. */
  incidents?: IncidentStore;
}

/** The transport a configuration implies, for sources that do not say which one runs. */
export function describeTransport(config: Pick<ObservabilityConfig, 'provider'>): string {
  return config.provider === 'pubsub' ? 'Pub/Sub (OBSERVABILITY_PROVIDER=pubsub)' : 'none: emitters drop events (OBSERVABILITY_PROVIDER=none)';
}

/** Reads everything for one render. Queries run concurrently; probes have their own timeouts. */
export async function loadDashboard(sources: DashboardSources, nowMs: number): Promise<DashboardData> {
  const windowMs = Math.max(...activeSlos().map((s) => s.windowDays)) * DAY_MS;
  const [signals, infrastructure, history, latencyRows, pipeline, recentAlerts, cost, incidents] = await Promise.all([
    loadLiveSignals(sources.warehouse, sources.alerts, nowMs),
    Promise.all(sources.probes.map((p) => runProbe(p.name, p.probe, undefined, () => nowMs))),
    sources.warehouse.query<{ slo_id: string; t_ms: number; budget_remaining: number | null }>(sloBudgetHistory, { since_ms: nowMs - windowMs, now_ms: nowMs }),
    sources.warehouse.query<{ t_ms: number; bucket: number }>(quantileSeries, {
      name: LATENCY_CHART.metric,
      q: LATENCY_CHART.quantile,
      step_s: LATENCY_CHART.stepSeconds,
      since_ms: nowMs - LATENCY_CHART.spanMs,
      now_ms: nowMs,
    }),
    loadPipelineCard(sources.warehouse, nowMs),
    loadRecentAlerts(sources.warehouse, nowMs),
    loadCostCard(sources.warehouse, sources.config, nowMs),
    loadIncidentsCard(sources.incidents, nowMs),
  ]);
  const matrix = featureMatrix(signals);
  const slos: SloRow[] = activeSlos().map((spec) => {
    const snapshot = signals.slos.find((s) => s.sloId === spec.id);
    return {
      id: spec.id,
      name: spec.name,
      module: spec.module,
      objective: spec.objective,
      attainment: snapshot?.attainment ?? null,
      budgetRemaining: snapshot?.budgetRemaining ?? null,
      budgetMinutesRemaining: snapshot?.budgetMinutesRemaining ?? null,
      // A calendar-month SLO's budget is its month's (DST and month length included: shared/slo-window.ts).
      budgetMinutesTotal: spec.category === 'availability' ? errorBudgetMinutes({ ...spec, windowDays: sloWindowAt(spec, Math.floor(nowMs / 60_000) * 60_000).lengthDays }) : null,
      burnRates: snapshot?.burnRates ?? {},
      status: snapshot?.status ?? 'no_data',
      burnDown: history.filter((h) => h.slo_id === spec.id).map((h) => [h.t_ms, h.budget_remaining]),
    };
  });
  const alerts = signals.alerts
    .map((a) => ({ ...a, ageMs: Math.max(0, nowMs - a.sinceMs), name: a.name ?? getAlertRule(a.ruleId)?.name ?? a.ruleId }))
    .sort((a, b) => a.severity.localeCompare(b.severity) || a.sinceMs - b.sinceMs);
  const settings = describeConfig(sources.config);
  return {
    generatedAt: nowMs,
    banner: computeBanner(signals, infrastructure),
    modules: matrix.features,
    overallReady: matrix.overallReady,
    infrastructure,
    pipeline,
    cost,
    slos,
    latency: { metric: LATENCY_CHART.metric, quantile: LATENCY_CHART.quantile, points: latencyRows.map((r) => [r.t_ms, bucketValue(r.bucket)]) },
    alerts,
    recentAlerts: withFiringPaths(recentAlerts, signals.alerts),
    incidents,
    config: {
      provider: sources.config.provider,
      transport: sources.transport ?? describeTransport(sources.config),
      environment: sources.config.environment,
      warehouse: sources.config.warehouse,
      version: VERSION,
      settings,
    },
    links: [...(sources.quickLinks ?? QUICK_LINKS)],
  };
}
