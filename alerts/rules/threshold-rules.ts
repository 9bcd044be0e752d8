import { ALERT_RULES, type ThresholdRule } from '../../shared/alert-rules';
import { METRICS } from '../../shared/metric-catalogue';
import type { ThresholdAlertRule } from '../model/alert-rule';
import { RESERVED_LABELS } from '../model/labels';

/**
 * The catalogue's threshold rules as alert rules. Bad configuration fails here, at start-up, with
 * the rule named: a p95 of a metric that is not a timing, a window that is not whole minutes (the
 * rollups are 1-minute windows), or grouping by a reserved label.
 */
export function thresholdRules(source: readonly ThresholdRule[] = ALERT_RULES): ThresholdAlertRule[] {
  return source.map((rule) => {
    const problem = checkRule(rule);
    if (problem) throw new Error(`alert rule ${rule.id}: ${problem}`);
    return {
      kind: 'threshold',
      id: rule.id,
      name: rule.name,
      severity: rule.severity,
      module: rule.module,
      metric: rule.metric,
      where: rule.where ?? {},
      aggregation: rule.aggregation,
      windowSeconds: rule.windowSeconds,
      comparator: rule.comparator,
      threshold: rule.threshold,
      forSeconds: rule.forSeconds,
      keepFiringForSeconds: rule.keepFiringForSeconds,
      groupBy: rule.groupBy,
      summary: rule.summary,
      runbook: rule.runbook,
      ...(rule.streaming ? { streaming: true } : {}),
    };
  });
}

function checkRule(rule: ThresholdRule): string | undefined {
  const metric = METRICS[rule.metric] as { kind: string } | undefined;
  if (!metric) return `metric ${rule.metric} is not in the catalogue`;
  if (rule.aggregation === 'p95' && metric.kind !== 'timing') return `p95 needs a timing metric; ${rule.metric} is a ${metric.kind}`;
  if (!Number.isInteger(rule.windowSeconds / 60) || rule.windowSeconds <= 0) return `windowSeconds must be a positive multiple of 60 (rollups are 1-minute windows), got ${rule.windowSeconds}`;
  if (rule.forSeconds < 0 || rule.keepFiringForSeconds < 0) return 'forSeconds and keepFiringForSeconds must not be negative';
  const reserved = rule.groupBy.find((key) => (RESERVED_LABELS as readonly string[]).includes(key));
  if (reserved) return `groupBy may not use the reserved label "${reserved}"`;
  return undefined;
}
