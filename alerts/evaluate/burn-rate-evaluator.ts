import type { BurnWindow } from '../../shared/time-windows';
import type { BurnRateAlertRule } from '../model/alert-rule';
import type { Observation } from '../model/alert-instance';
import { ruleLabels } from '../model/alert-rule';
import { fingerprintOf } from '../model/labels';
import { BURN_WINDOW_NAMES, type SliWindowCounts } from './slo-windows';

/** Per-window burn rates: (bad ÷ total) ÷ (1 − objective); null when the window has no events. */
export function burnRates(counts: SliWindowCounts, objective: number): Record<BurnWindow, number | null> {
  const budget = 1 - objective;
  const out = {} as Record<BurnWindow, number | null>;
  for (const w of BURN_WINDOW_NAMES) {
    const { total, bad } = counts[w];
    out[w] = total > 0 ? bad / total / budget : null;
  }
  return out;
}

/** How one window pair of a rule stood at evaluation time (kept in the alert's detail). */
export interface PairVerdict {
  readonly longWindow: BurnWindow;
  readonly shortWindow: BurnWindow;
  readonly factor: number;
  readonly longBurn: number | null;
  readonly shortBurn: number | null;
  readonly longEvents: number;
  /** True when the long window had too few events to judge (the minimum-traffic guard). */
  readonly lowTraffic: boolean;
  readonly holds: boolean;
}

/**
 * Evaluates a burn-rate rule: it breaches when any window pair holds, i.e. the long window has at
 * least `minEventsInLongWindow` events and the burn rate exceeds the pair's factor over the long
 * AND the short window (SRE Workbook ch. 5). The observed value is the smaller of the two burn
 * rates of the deciding pair, so "value > threshold" reads exactly as the condition.
 */
export function evaluateBurnRateRule(rule: BurnRateAlertRule, counts: SliWindowCounts): Observation {
  const rates = burnRates(counts, rule.slo.objective);
  const pairs: PairVerdict[] = rule.windows.map((pair) => {
    const longBurn = rates[pair.longWindow];
    const shortBurn = rates[pair.shortWindow];
    const longEvents = counts[pair.longWindow].total;
    const lowTraffic = longEvents < rule.minEventsInLongWindow;
    const holds = !lowTraffic && longBurn !== null && shortBurn !== null && longBurn > pair.factor && shortBurn > pair.factor;
    return { longWindow: pair.longWindow, shortWindow: pair.shortWindow, factor: pair.factor, longBurn, shortBurn, longEvents, lowTraffic, holds };
  });
  const first = pairs[0];
  if (first === undefined) throw new Error(`burn-rate rule ${rule.id} has no window pairs`);
  const deciding = pairs.find((p) => p.holds) ?? first;
  const value = deciding.longBurn === null || deciding.shortBurn === null ? null : Math.min(deciding.longBurn, deciding.shortBurn);
  return {
    fingerprint: fingerprintOf(rule.id, {}),
    ruleId: rule.id,
    labels: ruleLabels(rule),
    value,
    threshold: deciding.factor,
    breaching: pairs.some((p) => p.holds),
    detail: {
      slo: rule.slo.id,
      objective: rule.slo.objective,
      tier: rule.tier,
      pairs,
      burnRates: rates,
      events: counts,
      minEventsInLongWindow: rule.minEventsInLongWindow,
    },
  };
}
