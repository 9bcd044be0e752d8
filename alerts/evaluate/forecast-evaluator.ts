import type { SloStatus } from '../../aggregator/slo-status';
import { calendarMonthMs } from '../../shared/slo-window';
import { BURN_WINDOWS, type BurnWindow } from '../../shared/time-windows';
import type { Observation } from '../model/alert-instance';
import { ruleLabels, type ForecastAlertRule } from '../model/alert-rule';
import { fingerprintOf } from '../model/labels';

const HOUR_MS = 3_600_000;

/**
 * What a forecast reads of an SLO: its status as the aggregator computes it for the evaluation's
 * `now` (aggregator/slo-status.ts) — budget left, burn per window, the window and its counts.
 */
export type ForecastInput = Pick<SloStatus, 'budget' | 'burnRates' | 'window' | 'endMs' | 'windows'>;

/** One burn window's projection. */
export interface ForecastProjection {
  readonly window: BurnWindow;
  /** Burn rate over the window; null without events. */
  readonly burn: number | null;
  /** When the budget runs out at that burn (epoch ms); null when it never does (no burn, no data). */
  readonly exhaustionMs: number | null;
  readonly beforeWindowEnd: boolean;
}

/** The numbers behind a forecast, kept in the alert's detail. */
export interface Forecast {
  /** Fraction of the budget left as `obs slo status` shows it (1 − consumed/allowed so far); null = no data. */
  readonly budgetRemaining: number | null;
  /** Events per hour now: the longest burn window's events ÷ its hours. */
  readonly eventsPerHour: number;
  /**
   * The budget left, in hours of burning at 1× (a whole budget is the window's length at 1×):
   * length − bad events in the window ÷ ((1 − objective) × events per hour). Null without data.
   */
  readonly budgetLeftHours: number | null;
  /** The end the budget must last to: the calendar month's end, or now + one rolling window. */
  readonly windowEndMs: number;
  readonly projections: readonly ForecastProjection[];
  readonly longWindowEvents: number;
  readonly lowTraffic: boolean;
  /** The later of the projections (the one both windows agree on); null when any window never exhausts. */
  readonly exhaustionMs: number | null;
  readonly fires: boolean;
}

/**
 * The forecast of one SLO at `input.endMs` (docs/ALERTS.md "Budget forecasts").
 *
 * Budget in hours at 1×: burning at 1× spends the whole budget in exactly one window at steady
 * traffic (SRE Workbook ch. 5), so a budget is the window's length L in "1× hours", and burning at
 * b spends b of them per hour. At the traffic of now (r events an hour, over the longest burn
 * window) one 1× hour allows (1 − objective) × r bad events, so the budget left is
 * L − bad ÷ ((1 − objective) × r), with `bad` the bad events in the SLO's window so far. With a
 * full window at steady traffic this is remaining × L; with a short history (a new SLO, the 2nd of
 * the month) it counts the window's whole budget, not the few events seen so far.
 * - rolling window: the end is now + L. Conservative: bad events that age out of the window in the
 *   meantime are not given back, so the projection is never later than the truth at a steady burn.
 * - calendar month: L is the month's length in its zone (DST included) and the end its last instant.
 * Exhaustion at burn b: now + max(0, left) ÷ b hours. A spent budget still burning projects "now".
 *
 * It fires when the longest burn window saw at least the rule's minimum events, and EVERY burn
 * window projects exhaustion strictly before the window's end. For a full rolling window that is
 * b > remaining in both windows: with the whole budget left it is the ticket tier's 3d/6h burn
 * condition (b > 1), and it warns earlier the more budget is already spent.
 */
export function forecastBudget(rule: Pick<ForecastAlertRule, 'burnWindows' | 'minEventsInLongWindow' | 'slo'>, input: ForecastInput): Forecast {
  const lengthHours = input.window.lengthDays * 24;
  const remaining = input.budget.remaining;
  const calendar = input.window.calendar;
  const windowEndMs = calendar ? calendarMonthMs(input.window.startMs, calendar.timeZone).endMs : input.endMs + lengthHours * HOUR_MS;
  const longest = [...rule.burnWindows].sort((a, b) => BURN_WINDOWS[b] - BURN_WINDOWS[a])[0];
  const longWindowEvents = longest === undefined ? 0 : (input.windows[longest]?.total ?? 0);
  const eventsPerHour = longest === undefined ? 0 : longWindowEvents / (BURN_WINDOWS[longest] / 3_600);
  const budgetLeftHours = remaining === null || !(eventsPerHour > 0) ? null : lengthHours - input.budget.consumed / ((1 - rule.slo.objective) * eventsPerHour);
  const projections = rule.burnWindows.map((window): ForecastProjection => {
    const burn = input.burnRates[window] ?? null;
    const exhaustionMs = budgetLeftHours === null || burn === null || !(burn > 0) ? null : input.endMs + Math.round((Math.max(0, budgetLeftHours) / burn) * HOUR_MS);
    return { window, burn, exhaustionMs, beforeWindowEnd: exhaustionMs !== null && exhaustionMs < windowEndMs };
  });
  const lowTraffic = longWindowEvents < rule.minEventsInLongWindow;
  const times = projections.map((p) => p.exhaustionMs);
  const exhaustionMs = times.length > 0 && times.every((t) => t !== null) ? Math.max(...times) : null;
  const fires = !lowTraffic && projections.length > 0 && projections.every((p) => p.beforeWindowEnd);
  return { budgetRemaining: remaining, eventsPerHour, budgetLeftHours, windowEndMs, projections, longWindowEvents, lowTraffic, exhaustionMs, fires };
}

/**
 * Evaluates a forecast rule on its SLO's status (undefined: nothing computed, never fires). The
 * value is the projected exhaustion instant and the threshold the window's end, so "value <
 * threshold" reads as the condition and every message shows the date (unit `at`).
 */
export function evaluateForecastRule(rule: ForecastAlertRule, input: ForecastInput | undefined): Observation {
  const forecast = input ? forecastBudget(rule, input) : undefined;
  return {
    fingerprint: fingerprintOf(rule.id, {}),
    ruleId: rule.id,
    labels: ruleLabels(rule),
    value: forecast?.exhaustionMs ?? null,
    threshold: forecast?.windowEndMs ?? 0,
    breaching: forecast?.fires ?? false,
    detail: {
      slo: rule.slo.id,
      objective: rule.slo.objective,
      ...(forecast
        ? {
            budgetRemaining: forecast.budgetRemaining,
            budgetLeftHours: forecast.budgetLeftHours,
            eventsPerHour: forecast.eventsPerHour,
            windowEnd: new Date(forecast.windowEndMs).toISOString(),
            projectedExhaustion: forecast.exhaustionMs === null ? null : new Date(forecast.exhaustionMs).toISOString(),
            projections: forecast.projections.map((p) => ({ ...p, exhaustion: p.exhaustionMs === null ? null : new Date(p.exhaustionMs).toISOString() })),
            longWindowEvents: forecast.longWindowEvents,
            lowTraffic: forecast.lowTraffic,
          }
        : { noData: true }),
      minEventsInLongWindow: rule.minEventsInLongWindow,
    },
  };
}
