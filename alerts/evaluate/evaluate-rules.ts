import type { AlertRule } from '../model/alert-rule';
import type { Observation } from '../model/alert-instance';
import { evaluateBurnRateRule } from './burn-rate-evaluator';
import { needKey, type DataNeed, type RuleDataSnapshot } from './rule-data';
import { emptyWindowCounts } from './slo-windows';
import { evaluateThresholdRule } from './threshold-evaluator';

/** Everything the rules need fetched for one run, deduplicated. */
export function dataNeeds(rules: readonly AlertRule[]): DataNeed[] {
  const needs = new Map<string, DataNeed>();
  const add = (need: DataNeed) => needs.set(needKey(need), need);
  const slos = new Map<string, Extract<AlertRule, { kind: 'slo_burn' }>['slo']>();
  for (const rule of rules) {
    if (rule.kind === 'slo_burn') slos.set(rule.slo.id, rule.slo);
    else if (rule.aggregation === 'p95') add({ kind: 'histogram', metric: rule.metric, windowSeconds: rule.windowSeconds });
    else add({ kind: 'totals', windowSeconds: rule.windowSeconds });
  }
  if (slos.size > 0) add({ kind: 'slo-windows', slos: [...slos.values()] });
  return [...needs.values()];
}

/**
 * Evaluates every rule on one snapshot. Pure: the same rules and data give the same observations.
 * An SLO without counts in the snapshot is evaluated as "no events" (never fires).
 */
export function evaluateRules(rules: readonly AlertRule[], data: RuleDataSnapshot): Observation[] {
  const out: Observation[] = [];
  for (const rule of rules) {
    if (rule.kind === 'threshold') {
      for (const observation of evaluateThresholdRule(rule, data)) out.push(observation);
      continue;
    }
    out.push(evaluateBurnRateRule(rule, data.sloWindows(rule.slo.id) ?? emptyWindowCounts()));
  }
  return out;
}
