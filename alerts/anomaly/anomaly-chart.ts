import { parseSeriesKey } from '../../shared/series-key';
import type { Warehouse } from '../../sql/warehouse';
import type { AnomalyAlertRule } from '../model/alert-rule';
import { anomalyNeed, groupMinutes } from './anomaly-evaluator';
import { judgeMinute, MINUTE_MS } from './anomaly-model';
import { anomalyEndMs, readAnomalyMinutes } from './anomaly-read';

/** The dashboard's band chart (GET /api/anomaly): the last 6 hours of each rule's groups. */
export const ANOMALY_CHART_MINUTES = 360;
/** Groups charted per rule: the busiest ones. */
export const ANOMALY_CHART_MAX_GROUPS = 6;

/** One minute of a chart: [minute ms, value, baseline, lower, upper] (null where there is none). */
export type AnomalyChartPoint = [number, number | null, number | null, number | null, number | null];

export interface AnomalyChartGroup {
  /** The group's `groupBy` tags ({} for an ungrouped rule). */
  readonly tags: Record<string, string>;
  readonly points: AnomalyChartPoint[];
  /** Minutes in a row outside the band at the end of the chart (the rule breaches at `consecutiveMinutes`). */
  readonly minutesOutside: number;
  readonly band: 'seasonal' | 'fallback' | null;
}

export interface AnomalyChart {
  readonly ruleId: string;
  readonly name: string;
  readonly severity: string;
  readonly module: string;
  readonly metric: string;
  readonly value: string;
  readonly direction: string;
  readonly k: number;
  readonly consecutiveMinutes: number;
  /** Where the charted minutes end (the rollups' watermark, whole minutes); null before the rollups ever ran. */
  readonly endMs: number | null;
  readonly groups: AnomalyChartGroup[];
}

/**
 * Value, baseline and band of each minute of the last {@link ANOMALY_CHART_MINUTES}, per group,
 * computed by the same model and the same reads as the evaluator (a chart is the evaluator's view
 * of every minute, not only of the last N).
 */
export async function anomalyChart(warehouse: Warehouse, rule: AnomalyAlertRule, nowMs: number): Promise<AnomalyChart> {
  const head = {
    ruleId: rule.id,
    name: rule.name,
    severity: rule.severity,
    module: rule.module,
    metric: rule.metric,
    value: rule.value,
    direction: rule.params.direction,
    k: rule.params.k,
    consecutiveMinutes: rule.params.consecutiveMinutes,
  };
  const endMs = await anomalyEndMs(warehouse, nowMs);
  if (endMs === null) return { ...head, endMs, groups: [] };
  const shape = { ...anomalyNeed(rule), judgedMinutes: ANOMALY_CHART_MINUTES };
  const read = await readAnomalyMinutes(warehouse, shape, endMs);
  if (read.rows.length === 0) return { ...head, endMs, groups: [] }; // nothing to chart (the evaluator still observes an ungrouped rule's 0)
  const tagCache = new Map<string, Record<string, string>>();
  const tagsOf = (key: string) => {
    let tags = tagCache.get(key);
    if (!tags) tagCache.set(key, (tags = parseSeriesKey(key)));
    return tags;
  };
  const groups: Array<AnomalyChartGroup & { volume: number }> = [];
  for (const group of groupMinutes(rule, read, tagsOf, shape).values()) {
    const points: AnomalyChartPoint[] = [];
    let minutesOutside = 0;
    let volume = 0;
    let band: AnomalyChartGroup['band'] = null;
    for (let i = ANOMALY_CHART_MINUTES; i >= 1; i--) {
      const judged = judgeMinute(group.minutes, endMs - i * MINUTE_MS, rule.params);
      points.push([judged.minuteMs, judged.value, judged.band?.baseline ?? null, judged.band?.lower ?? null, judged.band?.upper ?? null]);
      minutesOutside = judged.side ? minutesOutside + 1 : 0;
      volume += Math.abs(judged.value ?? 0);
      band = judged.band?.source ?? band;
    }
    groups.push({ tags: group.tags, points, minutesOutside, band, volume });
  }
  groups.sort((a, b) => b.volume - a.volume);
  return { ...head, endMs, groups: groups.slice(0, ANOMALY_CHART_MAX_GROUPS).map(({ volume: _volume, ...g }) => g) };
}
