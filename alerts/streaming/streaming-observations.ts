import type { SliCounts } from '../../aggregator/slo-sli';
import { sliCounts } from '../../aggregator/slo-sli';
import { getMetric } from '../../shared/metric-catalogue';
import { seriesKey } from '../../shared/series-key';
import type { EventSelector, SloSpec } from '../../shared/slo-catalogue';
import { BURN_WINDOWS, type BurnWindow } from '../../shared/time-windows';
import { evaluateBurnRateRule } from '../evaluate/burn-rate-evaluator';
import { RuleDataSnapshot } from '../evaluate/rule-data';
import type { WindowCounts } from '../evaluate/slo-windows';
import { BURN_WINDOW_NAMES } from '../evaluate/slo-windows';
import { evaluateThresholdRule } from '../evaluate/threshold-evaluator';
import type { AlertInstance, Observation } from '../model/alert-instance';
import { fingerprintOf } from '../model/labels';
import { ROLLUP_CUTOFF_MS, selectorTallyKey, thresholdKey, type StreamingPlan } from './plan';
import { addFields, type TallyFields, type TallyRead } from './tally-store';

const MINUTE_MS = 60_000;

/** The rollup part of each burn rule's long window: per SLO id, its SLI counts over [floor(now) − long, cutoff). */
export type LongWindowHead = ReadonlyMap<string, SliCounts>;

/** Where the long window's rollup part ends: the minute {@link ROLLUP_CUTOFF_MS} before now's. */
export function rollupCutoffMs(nowMs: number): number {
  return Math.floor(nowMs / MINUTE_MS) * MINUTE_MS - ROLLUP_CUTOFF_MS;
}

/** The oldest slot any streaming rule reads at `nowMs`. */
export function oldestSlotMs(plan: StreamingPlan, nowMs: number): number {
  let oldest = rollupCutoffMs(nowMs);
  for (const rule of plan.thresholdRules) oldest = Math.min(oldest, nowMs - rule.windowSeconds * 1000);
  return oldest;
}

/**
 * The streaming rules' observations at `nowMs` from the tallies (pure; issue #15).
 *
 * - A threshold rule's window is the slots that start within it ("ending now", the current slot
 *   partial) — up to one slot (10 s) less than the scheduled window, never more; slots of events
 *   stamped in the future (clock skew, up to the wire format's 15 minutes) count once their time comes.
 * - A burn rule's short window is read the same way; its long window is `head` (the rollups up to
 *   the cutoff) plus the slots since the cutoff.
 * - An instance that resolved counts only slots that start after it resolved: the events of the
 *   episode the scheduled path already closed (late ones included) never fire it again.
 */
export function streamingObservations(plan: StreamingPlan, tallies: TallyRead, head: LongWindowHead, instances: ReadonlyMap<string, AlertInstance>, nowMs: number): Observation[] {
  const since = (fingerprint: string, fromMs: number): number => {
    const instance = instances.get(fingerprint);
    return instance?.state === 'resolved' && instance.resolvedAtMs !== null ? Math.max(fromMs, instance.resolvedAtMs + 1) : fromMs;
  };
  const out: Observation[] = [];
  for (const rule of plan.thresholdRules) {
    const fields = sumSlots(tallies.get(thresholdKey(rule)), since(fingerprintOf(rule.id, {}), nowMs - rule.windowSeconds * 1000), nowMs);
    const snapshot = new RuleDataSnapshot(nowMs).setTotals(rule.windowSeconds, [
      { name: rule.metric, seriesKey: seriesKey(rule.where), eventCount: fields.n ?? 0, valueSum: fields.s ?? 0, valueMax: null },
    ]);
    out.push(...evaluateThresholdRule(rule, snapshot));
  }
  const cutoff = rollupCutoffMs(nowMs);
  for (const rule of plan.burnRules) {
    const pair = rule.windows[0];
    if (!pair) continue;
    const from = since(fingerprintOf(rule.id, {}), nowMs - BURN_WINDOWS[pair.shortWindow] * 1000);
    const shortCounts = sloCounts(rule.slo, tallies, from, nowMs);
    const tail = sloCounts(rule.slo, tallies, since(fingerprintOf(rule.id, {}), cutoff), nowMs);
    const headCounts = head.get(rule.slo.id) ?? { good: 0, total: 0 };
    const longCounts = { good: headCounts.good + tail.good, total: headCounts.total + tail.total };
    const counts = {} as Record<BurnWindow, WindowCounts>;
    for (const w of BURN_WINDOW_NAMES) counts[w] = { total: 0, bad: 0 };
    counts[pair.shortWindow] = windowCounts(shortCounts);
    counts[pair.longWindow] = windowCounts(longCounts);
    out.push(evaluateBurnRateRule(rule, counts));
  }
  return out;
}

function windowCounts(c: SliCounts): WindowCounts {
  return { total: c.total, bad: Math.max(0, c.total - c.good) };
}

/** An SLO's SLI counts over the tallied slots from `fromMs`, by the SLO job's selector rules (aggregator/slo-sli.ts). */
function sloCounts(slo: SloSpec, tallies: TallyRead, fromMs: number, toMs: number): SliCounts {
  return sliCounts(slo, (selector: EventSelector) => {
    const fields = sumSlots(tallies.get(selectorTallyKey(selector)), fromMs, toMs);
    if (selector.maxMs !== undefined) return fields.g ?? 0;
    return (getMetric(selector.metric).kind === 'count' ? fields.v : fields.e) ?? 0;
  });
}

/** The slots from `fromMs` up to `toMs` (the evaluation time: events stamped in the future count once their time has come, as in the scheduled window). */
function sumSlots(slots: ReadonlyMap<number, TallyFields> | undefined, fromMs: number, toMs: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (!slots) return out;
  for (const [slotMs, fields] of slots) if (slotMs >= fromMs && slotMs <= toMs) addFields(out, fields);
  return out;
}
