import { activeSlos, type SloSpec } from '../shared/slo-catalogue';
import { burnRateRules } from '../alerts/rules/burn-rate-rules';
import { forecastRules } from '../alerts/rules/forecast-rules';
import { formatInstant } from '../alerts/notifiers/message-format';
import { getAlertRule, isModuleId, type ModuleId, type Severity } from '../shared';
import type { FiringPath } from '../alerts/model/alert-instance';
import { recentAlertEpisodes } from '../sql/queries/dashboard';
import type { Warehouse } from '../sql/warehouse';

/** The dashboard's "Recent alerts" covers the last 24 hours, at most this many episodes. */
export const RECENT_ALERTS_SPAN_MS = 24 * 3_600_000;
export const RECENT_ALERTS_LIMIT = 50;

/**
 * One firing episode of the last 24 hours, from alert_log (sql/queries/dashboard.ts
 * `recentAlertEpisodes`). Contract: `firedAtMs` is null when it fired before the span;
 * `resolvedAtMs` is null while it still fires; `durationMs` is resolved − fired, or now − fired
 * while firing (then `state` is `firing`), and null when the firing is outside the span.
 */
export interface RecentAlert {
  readonly fingerprint: string;
  readonly ruleId: string;
  /** The rule's title from the catalogue; the rule id for a rule no longer in it. */
  readonly title: string;
  readonly module: ModuleId;
  /** The SLO a burn-rate rule watches, so the chart of that SLO can mark it. */
  readonly sloId: string | null;
  readonly severity: Severity;
  readonly state: 'firing' | 'resolved';
  readonly firedAtMs: number | null;
  readonly resolvedAtMs: number | null;
  readonly durationMs: number | null;
  /** The value it fired with. */
  readonly value: number | null;
  /** The value as text when a number would not read: a budget forecast's projected exhaustion (`2026-11-25 04:00Z`). */
  readonly valueText?: string;
  /**
   * Which path fired it (issue #15): `streaming` as the events arrived, `scheduled` on the
   * rollups. From alert_log (the transition's detail), else — for an episode still firing — from
   * the alert state; null when neither says (alert_log rows that did not record it).
   */
  readonly firedBy: FiringPath | null;
}

export type RecentAlertRow = {
  fingerprint: string;
  rule_id: string;
  severity: string;
  fired_ms: number | null;
  resolved_ms: number | null;
  value: number | null;
  fired_by: string | null;
};

interface RuleFacts {
  readonly title: string;
  readonly module: ModuleId;
  readonly sloId: string | null;
  /** True for rules whose value is an instant (budget forecasts: the projected exhaustion). */
  readonly valueIsInstant?: boolean;
}

/** Titles, modules and SLOs of every burn-rate and budget-forecast rule of the catalogue in use, built once per catalogue. */
let rulesOf: { slos: readonly SloSpec[]; rules: ReadonlyMap<string, RuleFacts> } | undefined;
function burnRuleFacts(): ReadonlyMap<string, RuleFacts> {
  const slos = activeSlos();
  if (rulesOf?.slos !== slos) {
    const burns = burnRateRules(slos).map((r): [string, RuleFacts] => [r.id, { title: r.name, module: r.module, sloId: r.slo.id }]);
    const forecasts = forecastRules(slos).map((r): [string, RuleFacts] => [r.id, { title: r.name, module: r.module, sloId: r.slo.id, valueIsInstant: true }]);
    rulesOf = { slos, rules: new Map([...burns, ...forecasts]) };
  }
  return rulesOf.rules;
}

/** What the catalogue says about a rule id; an unknown rule keeps its id as its title. */
export function ruleFacts(ruleId: string): RuleFacts {
  const known = burnRuleFacts().get(ruleId);
  if (known) return known;
  const rule = getAlertRule(ruleId);
  return rule ? { title: rule.name, module: rule.module, sloId: null } : { title: ruleId, module: 'infrastructure', sloId: null };
}

/** Reads the episodes of the last 24 hours. */
export async function loadRecentAlerts(warehouse: Warehouse, nowMs: number): Promise<RecentAlert[]> {
  const rows = await warehouse.query<RecentAlertRow>(recentAlertEpisodes, { since_ms: nowMs - RECENT_ALERTS_SPAN_MS, now_ms: nowMs, limit: RECENT_ALERTS_LIMIT });
  return rows.map((r) => toRecentAlert(r, nowMs));
}

/** One row as the page shows it. Pure. */
export function toRecentAlert(row: RecentAlertRow, nowMs: number): RecentAlert {
  const facts = ruleFacts(row.rule_id);
  const fired = row.fired_ms === null ? null : Number(row.fired_ms);
  const resolved = row.resolved_ms === null ? null : Number(row.resolved_ms);
  const end = resolved ?? nowMs;
  const value = row.value === null || row.value === undefined ? null : Number(row.value);
  return {
    fingerprint: row.fingerprint,
    ruleId: row.rule_id,
    title: facts.title,
    module: isModuleId(facts.module) ? facts.module : 'infrastructure',
    sloId: facts.sloId,
    severity: isSeverity(row.severity) ? row.severity : 'P3',
    state: resolved === null ? 'firing' : 'resolved',
    firedAtMs: fired,
    resolvedAtMs: resolved,
    durationMs: fired === null ? null : Math.max(0, end - fired),
    value,
    ...(facts.valueIsInstant && value !== null ? { valueText: formatInstant(value) } : {}),
    firedBy: isFiringPath(row.fired_by) ? row.fired_by : null,
  };
}

/**
 * The episodes still firing whose path alert_log did not record, given it from the alert state:
 * the active alert of the same fingerprint fired at the same instant is the same episode. Pure.
 */
export function withFiringPaths(recent: readonly RecentAlert[], active: ReadonlyArray<{ fingerprint: string; state: string; sinceMs: number; firedBy?: FiringPath | null }>): RecentAlert[] {
  return recent.map((r) => {
    if (r.firedBy !== null || r.state !== 'firing' || r.firedAtMs === null) return r;
    const same = active.find((a) => a.fingerprint === r.fingerprint && a.state === 'firing' && a.sinceMs === r.firedAtMs);
    return same?.firedBy ? { ...r, firedBy: same.firedBy } : r;
  });
}

const isFiringPath = (s: unknown): s is FiringPath => s === 'streaming' || s === 'scheduled';

const isSeverity = (s: string): s is Severity => s === 'P0' || s === 'P1' || s === 'P2' || s === 'P3';
