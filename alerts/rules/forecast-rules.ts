import { activeSlos, type SloSpec } from '../../shared/slo-catalogue';
import type { BurnWindow } from '../../shared/time-windows';
import type { ForecastAlertRule } from '../model/alert-rule';
import { MIN_EVENTS_IN_LONG_WINDOW } from './burn-rate-windows';

/**
 * The burns a forecast projects with: the last 6 hours (what is happening now) and the last
 * 3 days (what has been happening). Both must project exhaustion before the window ends, so a
 * short spike that the 3-day burn does not confirm, or a slow leak that has stopped (6 h calm),
 * does not warn. These are the windows of the ticket tier's slowest burn pair (3d/6h, SRE
 * Workbook ch. 5, table 5-8), so the forecast and the ticket burn alert read the same data.
 */
export const FORECAST_BURN_WINDOWS: readonly BurnWindow[] = ['6h', '3d'];

/** Where forecasts point people: docs/OPERATIONS.md's SLO burn runbook (what to do is the same: find what spends the budget). */
export const FORECAST_RUNBOOK = 'docs/OPERATIONS.md#runbook-slo-burn';

export function forecastRuleId(slo: Pick<SloSpec, 'id'>): string {
  return `slo-${slo.id}-budget-forecast`;
}

/** True for the id of a forecast rule (its value and threshold are instants: listings print them as dates). */
export function isForecastRuleId(ruleId: string): boolean {
  return /^slo-.+-budget-forecast$/.test(ruleId);
}

/**
 * One budget-forecast rule per SLO (issue #16): ticket tier, P3, so it routes like the ticket-tier
 * burn alerts (the P3 route: ops e-mail, reminded daily; alerts/routing/routes.ts). No `for`: the
 * 3-day burn already smooths; keep firing for an hour so a projection that wobbles around the
 * window's end does not resolve and re-fire on every evaluation.
 */
export function forecastRules(slos: readonly SloSpec[] = activeSlos(), minEventsInLongWindow = MIN_EVENTS_IN_LONG_WINDOW): ForecastAlertRule[] {
  return slos.map((slo) => {
    const window = slo.calendar ? `calendar month (${slo.calendar.timeZone})` : `rolling ${slo.windowDays}-day window`;
    return {
      kind: 'slo_forecast',
      id: forecastRuleId(slo),
      name: `${slo.name} error budget forecast`,
      severity: 'P3',
      module: slo.module,
      slo,
      burnWindows: FORECAST_BURN_WINDOWS,
      minEventsInLongWindow,
      forSeconds: 0,
      keepFiringForSeconds: 3_600,
      summary: `At the burn of the last ${FORECAST_BURN_WINDOWS.join(' and of the last ')}, ${slo.name} runs out of error budget before its ${window} ends; the value is the projected exhaustion time, the threshold the window's end.`,
      runbook: FORECAST_RUNBOOK,
    };
  });
}
