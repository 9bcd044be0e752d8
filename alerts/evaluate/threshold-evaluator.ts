import { compare } from '../../shared/alert-rules';
import { histogramQuantile } from '../../shared/histogram';
import type { ThresholdAlertRule } from '../model/alert-rule';
import type { Observation } from '../model/alert-instance';
import { fingerprintOf, type Labels } from '../model/labels';
import { ruleLabels } from '../model/alert-rule';
import { matchesWhere, type RuleDataSnapshot, type WhereEntries } from './rule-data';

/** Per-group accumulator while scanning a rule's series. */
interface Group {
  readonly tags: Record<string, string>;
  eventCount: number;
  valueSum: number;
  valueMax: number | null;
  buckets: Map<number, number> | undefined;
}

/**
 * Evaluates a threshold rule on a snapshot: one observation per group of its `groupBy` tags.
 *
 * Semantics (documented in docs/ALERTS.md):
 * - The window is the rule's `windowSeconds` of 1-minute rollups ending now.
 * - `sum` adds the values (for count metrics: what was counted), `count` adds event counts,
 *   `avg` is sum ÷ count, `max` the largest value, `p95` the nearest-rank 95th percentile of the
 *   merged histogram buckets (DDSketch-style, within 1% of the true value: shared/histogram.ts).
 * - A series missing a `groupBy` tag is grouped without it (as Prometheus' `sum by`).
 * - An ungrouped rule with no data observes 0 for sum/count and "no data" for avg/max/p95;
 *   "no data" never breaches. A grouped rule with no data observes nothing.
 */
export function evaluateThresholdRule(rule: ThresholdAlertRule, data: RuleDataSnapshot): Observation[] {
  const where: WhereEntries = Object.entries(rule.where);
  const groups = new Map<string, Group>();
  const groupOf = (tags: Readonly<Record<string, string>>): Group => {
    const groupTags: Record<string, string> = {};
    for (const key of rule.groupBy) if (Object.prototype.hasOwnProperty.call(tags, key)) groupTags[key] = tags[key] as string;
    const fingerprint = fingerprintOf(rule.id, groupTags);
    let group = groups.get(fingerprint);
    if (!group) groups.set(fingerprint, (group = { tags: groupTags, eventCount: 0, valueSum: 0, valueMax: null, buckets: undefined }));
    return group;
  };

  if (rule.aggregation === 'p95') {
    for (const series of data.histogram(rule.metric, rule.windowSeconds)) {
      const tags = data.tags(series.seriesKey);
      if (!matchesWhere(tags, where)) continue;
      const group = groupOf(tags);
      const merged = (group.buckets ??= new Map());
      for (const [bucket, count] of series.buckets) {
        merged.set(bucket, (merged.get(bucket) ?? 0) + count);
        group.eventCount += count;
      }
    }
  } else {
    for (const series of data.totals(rule.windowSeconds, rule.metric)) {
      const tags = data.tags(series.seriesKey);
      if (!matchesWhere(tags, where)) continue;
      const group = groupOf(tags);
      group.eventCount += series.eventCount;
      group.valueSum += series.valueSum;
      if (series.valueMax !== null) group.valueMax = group.valueMax === null ? series.valueMax : Math.max(group.valueMax, series.valueMax);
    }
  }
  if (groups.size === 0 && rule.groupBy.length === 0) groupOf({});

  const base = ruleLabels(rule);
  const observations: Observation[] = [];
  for (const [fingerprint, group] of groups) {
    const value = aggregate(rule, group);
    const labels: Labels = { ...group.tags, ...base };
    observations.push({
      fingerprint,
      ruleId: rule.id,
      labels,
      value,
      threshold: rule.threshold,
      breaching: value !== null && compare(rule.comparator, value, rule.threshold),
      detail: { aggregation: rule.aggregation, metric: rule.metric, windowSeconds: rule.windowSeconds, events: group.eventCount },
    });
  }
  return observations;
}

function aggregate(rule: ThresholdAlertRule, group: Group): number | null {
  switch (rule.aggregation) {
    case 'sum':
      return group.valueSum;
    case 'count':
      return group.eventCount;
    case 'avg':
      return group.eventCount > 0 ? group.valueSum / group.eventCount : null;
    case 'max':
      return group.valueMax;
    case 'p95':
      return group.buckets ? (histogramQuantile([...group.buckets], 0.95) ?? null) : null;
  }
}
