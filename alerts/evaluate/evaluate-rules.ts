import type { AlertRule } from '../model/alert-rule';
import type { Observation } from '../model/alert-instance';
import { evaluateBurnRateRule } from './burn-rate-evaluator';
import { needKey, type DataNeed, type RuleDataSnapshot } from './rule-data';
import { sliDataNeeds, sliWindowCounts, type SliWindowCounts } from './sli-counts';
import { evaluateThresholdRule } from './threshold-evaluator';

/** Everything the rules need fetched for one run, deduplicated. */
export function dataNeeds(rules: readonly AlertRule[]): DataNeed[] {
  const needs = new Map<string, DataNeed>();
  const add = (need: DataNeed) => needs.set(needKey(need), need);
  for (const rule of rules) {
    if (rule.kind === 'slo_burn') sliDataNeeds(rule.slo.sli).forEach(add);
    else if (rule.aggregation === 'p95') add({ kind: 'histogram', metric: rule.metric, windowSeconds: rule.windowSeconds });
    else add({ kind: 'totals', windowSeconds: rule.windowSeconds });
  }
  return [...needs.values()];
}

/**
 * Evaluates every rule on one snapshot. Pure: the same rules and data give the same observations.
 * SLI counts are computed once per SLO and shared by its page and ticket rules.
 */
export function evaluateRules(rules: readonly AlertRule[], data: RuleDataSnapshot): Observation[] {
  const sliCache = new Map<string, SliWindowCounts>();
  const out: Observation[] = [];
  for (const rule of rules) {
    if (rule.kind === 'threshold') {
      for (const observation of evaluateThresholdRule(rule, data)) out.push(observation);
      continue;
    }
    let counts = sliCache.get(rule.slo.id);
    if (!counts) sliCache.set(rule.slo.id, (counts = sliWindowCounts(rule.slo.sli, data)));
    out.push(evaluateBurnRateRule(rule, counts));
  }
  return out;
}
