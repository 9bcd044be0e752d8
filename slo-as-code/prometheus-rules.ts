import { stringify } from 'yaml';
import { burnRateRules } from '../alerts/rules/burn-rate-rules';
import { MIN_EVENTS_IN_LONG_WINDOW } from '../alerts/rules/burn-rate-windows';
import type { BurnRateAlertRule } from '../alerts/model/alert-rule';
import type { SloSpec } from '../shared/slo-catalogue';
import { BURN_WINDOWS, type BurnWindow } from '../shared/time-windows';
import { prometheusExpressible, promErrorRatio, promString, promTotal } from './sli-promql';
import { GENERATED_HEADER } from './generated-header';

/**
 * Prometheus recording and multiwindow burn-rate alerting rules for SLOs — the same windows,
 * factors, tiers and minimum-traffic guard as the pipeline's own evaluator, because they are read
 * from it: alerts/rules/burn-rate-rules.ts `burnRateRules` (the SRE Workbook's table as data,
 * alerts/rules/burn-rate-windows.ts) and alerts/evaluate/burn-rate-evaluator.ts's condition:
 *
 *     for any window pair: events(long) >= 100 AND burn(long) > factor AND burn(short) > factor
 *     burn(w) = (bad ÷ total over w) ÷ (1 − objective)
 *
 * Recording rules (Sloth's naming, one group per SLO):
 *   slo:sli_error:ratio_rate<w>{slo_id}   bad ÷ total over each burn window w (5m … 3d)
 *   slo:sli_events:increase<w>{slo_id}    total events over each long window (the traffic guard)
 * Alerting rules: `SloErrorBudgetBurn` with labels slo_id, rule_id (the pipeline's alert id),
 * tier (page | ticket), severity (P1 | P3), module; no `for` (the short window is the pipeline's
 * confirmation). The burn is compared as the evaluator computes it (ratio ÷ budget > factor, with
 * the budget written as the same double), so both decide the same minute.
 */

export const BURN_ALERT_NAME = 'SloErrorBudgetBurn';

export const errorRatioRecord = (w: BurnWindow) => `slo:sli_error:ratio_rate${w}`;
export const eventsRecord = (w: BurnWindow) => `slo:sli_events:increase${w}`;

interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}
interface AlertingRule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  interval: string;
  rules: Array<RecordingRule | AlertingRule>;
}

/** The windows one SLO's rules read: every window its burn rules name, shortest first. */
function windowsOf(rules: readonly BurnRateAlertRule[]): { all: BurnWindow[]; long: BurnWindow[] } {
  const all = new Set<BurnWindow>();
  const long = new Set<BurnWindow>();
  for (const rule of rules) {
    for (const pair of rule.windows) {
      all.add(pair.longWindow).add(pair.shortWindow);
      long.add(pair.longWindow);
    }
  }
  const bySize = (a: BurnWindow, b: BurnWindow) => BURN_WINDOWS[a] - BURN_WINDOWS[b];
  return { all: [...all].sort(bySize), long: [...long].sort(bySize) };
}

/** `slo:sli_error:ratio_rate1h{slo_id="x"}`. */
const recorded = (name: string, slo: SloSpec) => `${name}{slo_id=${promString(slo.id)}}`;

/** The alert expression of one burn rule: any of its window pairs holds. */
export function burnAlertExpr(rule: BurnRateAlertRule): string {
  const slo = rule.slo;
  // The same double the evaluator divides by (1 − objective), printed so it parses back exactly.
  const budget = String(1 - slo.objective);
  const pairs = rule.windows.map((pair) =>
    [
      `${recorded(eventsRecord(pair.longWindow), slo)} >= ${rule.minEventsInLongWindow}`,
      `${recorded(errorRatioRecord(pair.longWindow), slo)} / ${budget} > ${pair.factor}`,
      `${recorded(errorRatioRecord(pair.shortWindow), slo)} / ${budget} > ${pair.factor}`,
    ]
      .map((c) => `(${c})`)
      .join(' and '),
  );
  return pairs.map((p) => `(${p})`).join('\nor\n');
}

/** One rule group per SLO: its recording rules, then a page and a ticket alert (an SLO outside the catalogue in use whose threshold the exporter has no bound for is left out: sli-promql.ts). */
export function prometheusRuleGroups(all: readonly SloSpec[], minEventsInLongWindow = MIN_EVENTS_IN_LONG_WINDOW): RuleGroup[] {
  return prometheusExpressible(all).slos.map((slo) => {
    const rules = burnRateRules([slo], minEventsInLongWindow);
    const { all, long } = windowsOf(rules);
    const labels = { slo_id: slo.id, module: slo.module };
    const recording: RecordingRule[] = [
      ...all.map((w) => ({ record: errorRatioRecord(w), expr: promErrorRatio(slo, w), labels })),
      ...long.map((w) => ({ record: eventsRecord(w), expr: promTotal(slo, w), labels })),
    ];
    const alerting: AlertingRule[] = rules.map((rule) => ({
      alert: BURN_ALERT_NAME,
      expr: burnAlertExpr(rule),
      labels: { slo_id: slo.id, rule_id: rule.id, tier: rule.tier, severity: rule.severity, module: slo.module },
      annotations: { summary: rule.summary, runbook: rule.runbook, title: rule.name },
    }));
    return { name: `slo-${slo.id}`, interval: '1m', rules: [...recording, ...alerting] };
  });
}

/** The rules file (`promtool check rules` accepts it; `rule_files:` in prometheus.yml loads it). */
export function prometheusRulesYaml(slos: readonly SloSpec[]): string {
  return GENERATED_HEADER('obs slo export --format prometheus-rules') + stringify({ groups: prometheusRuleGroups(slos) }, { lineWidth: 0, aliasDuplicateObjects: false });
}
