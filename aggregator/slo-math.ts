/**
 * SLO arithmetic on good/total counts — pure functions of the sums the SQL returns, no clock, no
 * warehouse. Definitions follow the Google SRE Workbook (Beyer et al., 2018), ch. 2
 * "Implementing SLOs" (error budget = 1 − SLO) and ch. 5 "Alerting on SLOs" (burn rate).
 *
 * "No data" is a first-class answer: with zero events there is no attainment, no burn rate and no
 * budget fraction — null, never NaN, 0% or 100% (docs/SLOS.md).
 */

export type SloHealth = 'ok' | 'at_risk' | 'exhausted' | 'no_data';

/** Less than this fraction of the budget left is "at risk" (the seed's daily check: "consumption < 50%"). */
export const AT_RISK_BUDGET_REMAINING = 0.5;
/**
 * A budget that runs out within this many hours at the current (1h) burn rate is "at risk": 72 h is
 * the SRE Workbook's longest alerting window (3d, ch. 5). A 14.4× burn (its fast page) empties a
 * full 30-day budget in 50 h.
 */
export const AT_RISK_EXHAUSTION_HOURS = 72;

/** good / total, or null without events. */
export function attainment(good: number, total: number): number | null {
  return total > 0 ? good / total : null;
}

/**
 * Burn rate: how fast the budget is spent relative to spending it exactly over the SLO window —
 * the bad fraction of a window divided by the allowed bad fraction (1 − objective). 1 spends the
 * budget in exactly one SLO window; 14.4 spends 2% of a 30-day budget in one hour (SRE Workbook
 * ch. 5, table 5-4). Null without events.
 */
export function burnRate(good: number, total: number, objective: number): number | null {
  if (!(total > 0)) return null;
  return (total - good) / total / (1 - objective);
}

export interface ErrorBudget {
  /** Bad events allowed in the window: (1 − objective) × total. 0 without events. */
  readonly allowed: number;
  /** Bad events in the window: total − good. */
  readonly consumed: number;
  /** Fraction of the budget left, 1 − consumed/allowed; negative when overspent; null without events. */
  readonly remaining: number | null;
  /** Availability SLOs: the whole budget as minutes of full outage, (1 − objective) × window (99.9% over 30 days: 43.2). */
  readonly minutesTotal: number | null;
  /** Availability SLOs: remaining × minutesTotal (negative when overspent); null without events. */
  readonly minutesRemaining: number | null;
}

/**
 * The error budget of an event-based SLO over its window. Minutes of full outage are reported for
 * availability SLOs only: "one minute of full outage" burns 1/(window minutes) of all events only
 * when traffic is steady, which is the usual reading of "43.2 minutes a month".
 */
export function errorBudget(good: number, total: number, objective: number, options: { windowDays: number; inMinutes: boolean }): ErrorBudget {
  const allowed = (1 - objective) * total;
  const consumed = total - good;
  const remaining = total > 0 ? 1 - consumed / allowed : null;
  const minutesTotal = options.inMinutes ? (1 - objective) * options.windowDays * 24 * 60 : null;
  const minutesRemaining = minutesTotal !== null && remaining !== null ? remaining * minutesTotal : null;
  return { allowed, consumed, remaining, minutesTotal, minutesRemaining };
}

/**
 * Hours until the remaining budget is spent at `burn`: burning at rate b spends b/window of the
 * whole budget per unit of time, so remaining × window / b. 0 when already spent; null when
 * there is no data or nothing is burning.
 */
export function hoursToExhaustion(remaining: number | null, burn: number | null, windowDays: number): number | null {
  if (remaining === null || burn === null) return null;
  if (remaining <= 0) return 0;
  if (!(burn > 0)) return null;
  return (remaining * windowDays * 24) / burn;
}

/** The status column: no_data, exhausted, at_risk or ok (thresholds above). */
export function sloHealth(remaining: number | null, exhaustionHours: number | null): SloHealth {
  if (remaining === null) return 'no_data';
  if (remaining <= 0) return 'exhausted';
  if (remaining < AT_RISK_BUDGET_REMAINING) return 'at_risk';
  if (exhaustionHours !== null && exhaustionHours < AT_RISK_EXHAUSTION_HOURS) return 'at_risk';
  return 'ok';
}
