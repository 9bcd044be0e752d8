import type { EventSelector, SloSpec } from '../../shared/slo-catalogue';
import { selectorKey } from '../../sql/queries/slo-fragments';
import type { AlertRule, BurnRateAlertRule, ThresholdAlertRule } from '../model/alert-rule';
import type { WhereEntries } from '../evaluate/rule-data';
import { BURN_WINDOWS } from '../../shared/time-windows';
import { TALLY_RETENTION_MS } from './tally-store';

/**
 * Which rules stream (issue #15), and what their tallies are. Data, from the rule catalogue:
 * threshold rules marked `streaming: true` (the P0 rules), and the page tier of every SLO marked
 * streaming — only its fast-burn pair (the Workbook's 1h AND 5m at 14.4×), the pair whose minutes
 * matter; the slower 6h/30m pair stays with the scheduled evaluator.
 *
 * A streaming threshold rule reads its whole window from the tallies (so the window must fit in
 * their retention, with a margin); a burn rule reads its short window from the tallies and its
 * long window from the rollups up to {@link ROLLUP_CUTOFF_MS} ago plus the tallies since.
 */

/** The long window's minutes older than this come from the rollups (complete by then), the rest from the tallies. */
export const ROLLUP_CUTOFF_MS = 15 * 60_000;

/** One thing ingest tallies for streaming rules: a threshold rule's metric, or one SLI selector. */
export interface StreamInput {
  /** The tally key. */
  readonly key: string;
  readonly metric: string;
  readonly where: WhereEntries;
  /** Latency selectors: the threshold of "good" (counter `g`). */
  readonly maxMs?: number;
}

export interface StreamingPlan {
  readonly thresholdRules: readonly ThresholdAlertRule[];
  /** Page-tier burn rules, each with only its fast-burn window pair. */
  readonly burnRules: readonly BurnRateAlertRule[];
  /** Inputs per metric name: ingest looks up each event's name once; other metrics cost nothing more. */
  readonly byMetric: ReadonlyMap<string, readonly StreamInput[]>;
  /** Every tally key the rules read. */
  readonly keys: readonly string[];
}

export const thresholdKey = (rule: ThresholdAlertRule): string => `t|${rule.id}`;
export const selectorTallyKey = (selector: EventSelector): string => `s|${selectorKey(selector)}`;

/** Why a rule marked streaming cannot stream, or undefined. */
export function streamingProblem(rule: AlertRule): string | undefined {
  if (rule.kind === 'threshold') {
    if (rule.groupBy.length > 0) return 'a streaming threshold rule cannot group by tags yet (groupBy must be empty)';
    if (rule.aggregation !== 'sum' && rule.aggregation !== 'count' && rule.aggregation !== 'avg') return `a streaming threshold rule must aggregate with sum, count or avg, not ${rule.aggregation}`;
    if (rule.comparator === '<' || rule.comparator === '<=') return 'a streaming threshold rule must compare with > or >= (a partial window reads low, so "fewer than" would fire falsely)';
    if (rule.windowSeconds * 1000 > TALLY_RETENTION_MS - 2 * 60_000) return `a streaming threshold rule's window must be at most ${(TALLY_RETENTION_MS - 2 * 60_000) / 60_000} minutes (the tallies' retention), got ${rule.windowSeconds / 60}`;
    return undefined;
  }
  if (rule.kind === 'slo_burn') {
    if (rule.tier !== 'page') return 'only the page tier of a burn-rate rule streams';
    const fast = rule.windows[0];
    if (!fast || BURN_WINDOWS[fast.shortWindow] * 1000 > ROLLUP_CUTOFF_MS) return 'the fast-burn short window must fit in the tallies';
    return undefined;
  }
  return `${rule.kind} rules do not stream`;
}

/** The streaming plan of a rule set: the rules with `streaming: true`. Throws, naming the rule, when one cannot stream. */
export function streamingPlan(rules: readonly AlertRule[]): StreamingPlan {
  const thresholdRules: ThresholdAlertRule[] = [];
  const burnRules: BurnRateAlertRule[] = [];
  const inputs = new Map<string, StreamInput>();
  for (const rule of rules) {
    if (rule.kind === 'pipeline' || rule.kind === 'anomaly' || rule.kind === 'slo_forecast' || !rule.streaming) continue;
    const problem = streamingProblem(rule);
    if (problem) throw new Error(`alert rule ${rule.id} is marked streaming: ${problem}`);
    if (rule.kind === 'threshold') {
      thresholdRules.push(rule);
      inputs.set(thresholdKey(rule), { key: thresholdKey(rule), metric: rule.metric, where: Object.entries(rule.where) });
    } else {
      burnRules.push({ ...rule, windows: rule.windows.slice(0, 1) });
      for (const selector of sloSelectors(rule.slo)) {
        const key = selectorTallyKey(selector);
        inputs.set(key, { key, metric: selector.metric, where: Object.entries(selector.where ?? {}), ...(selector.maxMs !== undefined ? { maxMs: selector.maxMs } : {}) });
      }
    }
  }
  const byMetric = new Map<string, StreamInput[]>();
  for (const input of inputs.values()) {
    const list = byMetric.get(input.metric);
    if (list) list.push(input);
    else byMetric.set(input.metric, [input]);
  }
  return { thresholdRules, burnRules, byMetric, keys: [...inputs.keys()] };
}

export function sloSelectors(slo: SloSpec): EventSelector[] {
  return [...slo.sli.total, ...(slo.sli.good ?? []), ...(slo.sli.bad ?? [])];
}

export function isEmptyPlan(plan: StreamingPlan): boolean {
  return plan.keys.length === 0;
}
