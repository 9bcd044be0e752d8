import type { SloCategory, SloSpec } from '../shared/slo-catalogue';
import { BURN_WINDOWS, type BurnWindow } from '../shared/time-windows';
import type { Row } from '../sql/warehouse';
import { sloWindowAt } from '../shared/slo-window';
import type { SliCounts } from './slo-sli';
import { attainment, burnRate, errorBudget, hoursToExhaustion, sloHealth, type ErrorBudget, type SloHealth } from './slo-math';

/** The burn rate that projects exhaustion ("the current burn"): the 1-hour window. */
export const CURRENT_BURN_WINDOW: BurnWindow = '1h';
export const BURN_WINDOW_LABELS = Object.keys(BURN_WINDOWS) as BurnWindow[];

/** One SLO's state as of `computedAtMs`: what `slo_status` stores and `obs slo status` prints. */
export interface SloStatus {
  readonly sloId: string;
  readonly name: string;
  readonly category: SloCategory;
  readonly objective: number;
  readonly windowDays: number;
  /**
   * The SLO's own window of this computation: [startMs, endMs) and its whole length in days — for
   * a calendar-month SLO the month (in its time zone) so far, and the month's length.
   */
  readonly window: { readonly label: string; readonly startMs: number; readonly lengthDays: number; readonly calendar?: { readonly timeZone: string } };
  /** The "now" of the computation. */
  readonly computedAtMs: number;
  /** Every window ends here (exclusive): `computedAtMs` rounded down to the minute. */
  readonly endMs: number;
  readonly goodEvents: number;
  readonly totalEvents: number;
  /** good / total over the SLO window; null = no data. */
  readonly attainment: number | null;
  readonly budget: ErrorBudget;
  /** Per burn window; null = no events in that window. */
  readonly burnRates: Readonly<Record<BurnWindow, number | null>>;
  readonly exhaustionHours: number | null;
  readonly status: SloHealth;
  /** Good and total events per lookback window (burn windows and the SLO window). */
  readonly windows: Readonly<Record<string, SliCounts>>;
  /**
   * Minutes of the SLO window left out by maintenance windows excluded from budgets (issue #16):
   * their events are in none of the counts, and an availability SLO's budget in minutes is
   * (1 − objective) × the window's minutes less these. Absent when none.
   */
  readonly excludedMinutes?: number;
}

/** Applies the SLO maths (slo-math.ts) to one SLO's counts per lookback window. */
export function evaluateSlo(slo: SloSpec, windows: Readonly<Record<string, SliCounts>>, computedAtMs: number, endMs: number, excludedMinutes = 0): SloStatus {
  const window = sloWindowAt(slo, endMs);
  const whole = windows[window.label] ?? { good: 0, total: 0 };
  const budget = errorBudget(whole.good, whole.total, slo.objective, { windowDays: window.lengthDays - excludedMinutes / 1440, inMinutes: slo.category === 'availability' });
  const burnRates = Object.fromEntries(
    BURN_WINDOW_LABELS.map((w) => {
      const c = windows[w] ?? { good: 0, total: 0 };
      return [w, burnRate(c.good, c.total, slo.objective)];
    }),
  ) as Record<BurnWindow, number | null>;
  const exhaustionHours = hoursToExhaustion(budget.remaining, burnRates[CURRENT_BURN_WINDOW], window.lengthDays);
  return {
    sloId: slo.id,
    name: slo.name,
    category: slo.category,
    objective: slo.objective,
    windowDays: slo.windowDays,
    window: { label: window.label, startMs: window.startMs, lengthDays: window.lengthDays, ...(slo.calendar ? { calendar: { timeZone: slo.calendar.timeZone } } : {}) },
    computedAtMs,
    endMs,
    goodEvents: whole.good,
    totalEvents: whole.total,
    attainment: attainment(whole.good, whole.total),
    budget,
    burnRates,
    exhaustionHours,
    status: sloHealth(budget.remaining, exhaustionHours),
    windows,
    ...(excludedMinutes > 0 ? { excludedMinutes } : {}),
  };
}

/** The `slo_status` row of a status (sql/tables.ts; timestamps as epoch ms, JSON as text). */
export function toSloStatusRow(s: SloStatus): Row {
  return {
    slo_id: s.sloId,
    computed_at: s.computedAtMs,
    objective: s.objective,
    window_days: s.windowDays,
    good_events: s.goodEvents,
    total_events: s.totalEvents,
    attainment: s.attainment,
    budget_allowed: s.budget.allowed,
    budget_consumed: s.budget.consumed,
    budget_remaining: s.budget.remaining,
    budget_minutes_remaining: s.budget.minutesRemaining,
    burn_rates: JSON.stringify(s.burnRates),
    exhaustion_hours: s.exhaustionHours,
    status: s.status,
  };
}
