import { anomalyNeed, evaluateAnomalyRule } from '../anomaly/anomaly-evaluator';
import type { AlertRule } from '../model/alert-rule';
import type { Observation } from '../model/alert-instance';
import { evaluateBurnRateRule } from './burn-rate-evaluator';
import { evaluateForecastRule } from './forecast-evaluator';
import { evaluatePipelineRule } from './pipeline-evaluator';
import { needKey, type DataNeed, type RuleDataSnapshot } from './rule-data';
import { emptyWindowCounts } from './slo-windows';
import { evaluateThresholdRule } from './threshold-evaluator';

/** Everything the rules need fetched for one run, deduplicated. */
export function dataNeeds(rules: readonly AlertRule[]): DataNeed[] {
  const needs = new Map<string, DataNeed>();
  const add = (need: DataNeed) => needs.set(needKey(need), need);
  const slos = new Map<string, Extract<AlertRule, { kind: 'slo_burn' }>['slo']>();
  for (const rule of rules) {
    if (rule.kind === 'slo_burn' || rule.kind === 'slo_forecast') slos.set(rule.slo.id, rule.slo);
    else if (rule.kind === 'pipeline') for (const need of pipelineNeeds(rule)) add(need);
    else if (rule.kind === 'anomaly') add(anomalyNeed(rule));
    else if (rule.aggregation === 'p95') add({ kind: 'histogram', metric: rule.metric, windowSeconds: rule.windowSeconds });
    else add({ kind: 'totals', windowSeconds: rule.windowSeconds });
  }
  if (slos.size > 0) add({ kind: 'slo-windows', slos: [...slos.values()] });
  return [...needs.values()];
}

/** What one pipeline rule reads. */
function pipelineNeeds(rule: Extract<AlertRule, { kind: 'pipeline' }>): DataNeed[] {
  const check = rule.check;
  switch (check.type) {
    case 'job-stale':
      return [{ kind: 'job-state' }];
    case 'dead-letter-ratio':
      return [{ kind: 'dead-letters', windowSeconds: check.windowSeconds }];
    case 'module-absent':
      return [{ kind: 'module-activity', days: check.activeDays + check.maxSilentDays, silentSeconds: check.silentSeconds }];
    case 'channel-failing':
      return [{ kind: 'channel-deliveries', lookbackSeconds: check.lookbackSeconds }];
  }
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
    if (rule.kind === 'pipeline') {
      for (const observation of evaluatePipelineRule(rule, data)) out.push(observation);
      continue;
    }
    if (rule.kind === 'anomaly') {
      for (const observation of evaluateAnomalyRule(rule, data)) out.push(observation);
      continue;
    }
    if (rule.kind === 'slo_forecast') {
      out.push(evaluateForecastRule(rule, data.sloStatus(rule.slo.id)));
      continue;
    }
    out.push(evaluateBurnRateRule(rule, data.sloWindows(rule.slo.id) ?? emptyWindowCounts()));
  }
  return out;
}
