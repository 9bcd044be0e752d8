import { histogramQuantile } from '../../shared/histogram';
import { METRICS } from '../../shared/metric-catalogue';
import type { AnomalyAlertRule } from '../model/alert-rule';
import type { Observation } from '../model/alert-instance';
import { fingerprintOf, type Labels } from '../model/labels';
import { ruleLabels } from '../model/alert-rule';
import { matchesWhere, type DataNeed, type RuleDataSnapshot, type WhereEntries } from '../evaluate/rule-data';
import { anomalyRanges, type AnomalyMinuteRow, type AnomalyMinutesRead, type AnomalyRanges } from './anomaly-data';
import { judgeWindow, type JudgedMinute, type MinuteValues } from './anomaly-model';
import { percentileOf, type AnomalyValue } from './anomaly-params';

/** What one anomaly rule reads: its metric's minutes, judged minutes plus the fallback's hours, and the past weeks. */
export function anomalyNeed(rule: AnomalyAlertRule): Extract<DataNeed, { kind: 'anomaly-minutes' }> {
  return {
    kind: 'anomaly-minutes',
    metric: rule.metric,
    histogram: percentileOf(rule.value) !== undefined,
    judgedMinutes: rule.params.consecutiveMinutes,
    weeks: rule.params.weeks,
    neighbourMinutes: rule.params.neighbourMinutes,
    recentMinutes: Math.round(rule.params.fallbackHours * 60),
  };
}

/** One group's rollups of one minute, merged over its series. */
interface MinuteAccumulator {
  eventCount: number;
  valueSum: number;
  lastSum: number | null;
  buckets: Map<number, number> | undefined;
}

/** One group's minutes, read by the model through {@link MinuteValues}. */
export class GroupMinutes implements MinuteValues {
  private readonly minutes = new Map<number, MinuteAccumulator>();

  /**
   * @param counted what `count` and `rate` count: the values of a count metric (an event carries
   *   how many it counts: `metricCount(name, 12)`), the calls of a timing or a gauge.
   */
  constructor(
    private readonly value: AnomalyValue,
    private readonly counted: 'values' | 'calls',
    private readonly ranges: AnomalyRanges,
    private readonly weeksWithData: readonly boolean[],
  ) {}

  add(row: AnomalyMinuteRow): void {
    let acc = this.minutes.get(row.minuteMs);
    if (!acc) this.minutes.set(row.minuteMs, (acc = { eventCount: 0, valueSum: 0, lastSum: null, buckets: undefined }));
    acc.eventCount += row.eventCount;
    acc.valueSum += row.valueSum;
    if (row.lastValue !== null) acc.lastSum = (acc.lastSum ?? 0) + row.lastValue;
    if (row.buckets) {
      const merged = (acc.buckets ??= new Map());
      for (const [bucket, count] of row.buckets) merged.set(bucket, (merged.get(bucket) ?? 0) + count);
    }
  }

  weekHasData(week: number): boolean {
    return this.weeksWithData[week - 1] === true;
  }

  /**
   * A counted value of a minute without a rollup row is 0 where the read covered it (the recent
   * range, or a past week with data): no events were counted. A percentile or a gauge has none.
   */
  valueAt(minuteMs: number): number | null {
    const acc = this.minutes.get(minuteMs);
    switch (this.value) {
      case 'count':
        return acc ? this.countOf(acc) : this.covered(minuteMs) ? 0 : null;
      case 'rate':
        return acc ? this.countOf(acc) / 60 : this.covered(minuteMs) ? 0 : null;
      case 'last':
        return acc?.lastSum ?? null;
      default: {
        if (!acc?.buckets) return null;
        return histogramQuantile([...acc.buckets], percentileOf(this.value) as number) ?? null;
      }
    }
  }

  private countOf(acc: MinuteAccumulator): number {
    return this.counted === 'values' ? acc.valueSum : acc.eventCount;
  }

  private covered(minuteMs: number): boolean {
    if (minuteMs >= this.ranges.recent[0] && minuteMs < this.ranges.recent[1]) return true;
    return this.ranges.weeks.some(([from, to], i) => this.weeksWithData[i] === true && minuteMs >= from && minuteMs < to);
  }
}

/** Which past weeks had any row of the rule's (filtered) series: the rollups existed then. */
export function weeksWithData(rows: readonly AnomalyMinuteRow[], ranges: AnomalyRanges): boolean[] {
  return ranges.weeks.map(([from, to]) => rows.some((r) => r.minuteMs >= from && r.minuteMs < to));
}

/** The minutes of every group of a rule over one read: the `where` filter applied, series merged per `groupBy`. */
export function groupMinutes(rule: AnomalyAlertRule, read: AnomalyMinutesRead, tagsOf: (seriesKey: string) => Readonly<Record<string, string>>, shape = anomalyNeed(rule)): Map<string, { tags: Record<string, string>; minutes: GroupMinutes }> {
  const where: WhereEntries = Object.entries(rule.where);
  const ranges = anomalyRanges(shape, read.endMs);
  const rows = read.rows.filter((r) => matchesWhere(tagsOf(r.seriesKey), where));
  const weeks = weeksWithData(rows, ranges);
  const counted = (METRICS[rule.metric] as { kind: string } | undefined)?.kind === 'count' ? 'values' : 'calls';
  const groups = new Map<string, { tags: Record<string, string>; minutes: GroupMinutes }>();
  const groupOf = (tags: Readonly<Record<string, string>>) => {
    const groupTags: Record<string, string> = {};
    for (const key of rule.groupBy) if (Object.prototype.hasOwnProperty.call(tags, key)) groupTags[key] = tags[key] as string;
    const fingerprint = fingerprintOf(rule.id, groupTags);
    let group = groups.get(fingerprint);
    if (!group) groups.set(fingerprint, (group = { tags: groupTags, minutes: new GroupMinutes(rule.value, counted, ranges, weeks) }));
    return group;
  };
  for (const row of rows) groupOf(tagsOf(row.seriesKey)).minutes.add(row);
  if (groups.size === 0 && rule.groupBy.length === 0) groupOf({});
  return groups;
}

/**
 * Evaluates an anomaly rule: one observation per group of its `groupBy` tags, breaching when each
 * of the last `consecutiveMinutes` whole minutes before the rollups' watermark lies outside its
 * band on a watched side. The value is the last judged minute's; the threshold the band edge it is
 * compared with (the upper one above the baseline, the lower one below). Without a read (the
 * rollups never ran) the rule observes nothing.
 */
export function evaluateAnomalyRule(rule: AnomalyAlertRule, data: RuleDataSnapshot): Observation[] {
  const need = anomalyNeed(rule);
  const read = data.anomalyMinutes(need);
  if (!read) return [];
  const base = ruleLabels(rule);
  const observations: Observation[] = [];
  for (const [fingerprint, group] of groupMinutes(rule, read, (key) => data.tags(key), need)) {
    const { breaching, minutes } = judgeWindow(group.minutes, read.endMs, rule.params);
    const last = minutes[minutes.length - 1] as JudgedMinute;
    const labels: Labels = { ...group.tags, ...base };
    observations.push({
      fingerprint,
      ruleId: rule.id,
      labels,
      value: last.value,
      threshold: edgeOf(last),
      breaching,
      detail: {
        metric: rule.metric,
        value: rule.value,
        minuteMs: last.minuteMs,
        baseline: last.band?.baseline ?? null,
        lower: last.band?.lower ?? null,
        upper: last.band?.upper ?? null,
        band: last.band?.source ?? null,
        minutesOutside: trailingOutside(minutes),
        weeksOfHistory: Array.from({ length: rule.params.weeks }, (_, i) => i + 1).filter((w) => group.minutes.weekHasData(w)).length,
      },
    });
  }
  return observations;
}

/** The band edge a minute is compared with: the upper one when its value is above the baseline. */
function edgeOf(minute: JudgedMinute): number {
  if (!minute.band) return 0;
  return minute.value !== null && minute.value >= minute.band.baseline ? minute.band.upper : minute.band.lower;
}

function trailingOutside(minutes: readonly JudgedMinute[]): number {
  let n = 0;
  for (let i = minutes.length - 1; i >= 0 && minutes[i]?.side !== undefined; i--) n++;
  return n;
}
