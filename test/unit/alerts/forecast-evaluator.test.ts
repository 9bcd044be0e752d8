import { evaluateSlo } from '../../../aggregator/slo-status';
import { evaluateForecastRule, forecastBudget } from '../../../alerts/evaluate/forecast-evaluator';
import { forecastRules, FORECAST_BURN_WINDOWS, isForecastRuleId } from '../../../alerts/rules/forecast-rules';
import { formatValue, transitionText } from '../../../alerts/notifiers/message-format';
import { SLOS, type SloSpec } from '../../../shared/slo-catalogue';
import { calendarLabel } from '../../../shared/slo-window';

/**
 * Hand-worked forecasts. Each status is computed by the aggregator's own SLO maths
 * (aggregator/slo-status.ts) from good/total counts per window, as the evaluator gets it.
 * Objective 99% throughout: the allowed bad fraction is 1%, so a window with 0.6% bad burns 0.6×.
 */
const base = SLOS.find((s) => s.id === 'wallet-spend-success') as SloSpec;
const rolling: SloSpec = { ...base, id: 'forecast-rolling', objective: 0.99, windowDays: 30 };
const monthly: SloSpec = { ...base, id: 'forecast-monthly', objective: 0.99, windowDays: 30, calendar: { unit: 'month', timeZone: 'UTC' } };
const berlin: SloSpec = { ...base, id: 'forecast-berlin', objective: 0.99, windowDays: 30, calendar: { unit: 'month', timeZone: 'Europe/Berlin' } };

const at = (iso: string) => Date.parse(iso);
const counts = (total: number, bad: number) => ({ total, good: total - bad });
const ruleOf = (slo: SloSpec) => forecastRules([slo])[0]!;

function status(slo: SloSpec, nowIso: string, windows: Record<string, { total: number; good: number }>) {
  return evaluateSlo(slo, windows, at(nowIso), at(nowIso));
}

describe('budget forecast rules', () => {
  it('one P3 rule per SLO over the 6 h and 3 d burns, labelled with its SLO', () => {
    const rules = forecastRules(SLOS);
    expect(rules).toHaveLength(SLOS.length);
    expect(new Set(rules.map((r) => r.id)).size).toBe(SLOS.length);
    expect(rules[0]).toMatchObject({ kind: 'slo_forecast', severity: 'P3', burnWindows: ['6h', '3d'], minEventsInLongWindow: 100 });
    expect(FORECAST_BURN_WINDOWS).toEqual(['6h', '3d']);
    const obs = evaluateForecastRule(ruleOf(rolling), undefined);
    expect(obs.labels).toMatchObject({ kind: 'slo_forecast', slo: 'forecast-rolling', severity: 'P3' });
    expect(obs.breaching).toBe(false);
    expect(obs.value).toBeNull();
  });

  it('reads its value and threshold as dates in messages and logs (unit `at`)', () => {
    expect(isForecastRuleId('slo-wallet-spend-success-budget-forecast')).toBe(true);
    expect(isForecastRuleId('slo-wallet-spend-success-burn-ticket')).toBe(false);
    expect(formatValue(at('2026-11-25T04:00:00Z'), 'at')).toBe('2026-11-25 04:00Z');
    expect(transitionText({ from: 'inactive', to: 'firing', value: at('2026-11-25T04:00:00Z'), threshold: at('2026-12-01T00:00:00Z') }, 'at')).toBe('inactive → firing (value 2026-11-25 04:00Z, threshold 2026-12-01 00:00Z)');
  });
});

describe('rolling 30-day window (99%), now 2026-11-01T00:00Z', () => {
  // 30 d: 100,000 events, 600 bad → allowed 1,000, remaining 0.4. Traffic now: 10,000 in 3 d =
  // 138.9 an hour, so one 1× hour allows 1.389 bad: 600 bad = 432 of the 720 1× hours → 288 left.
  const windows = (bad3d: number, total3d = 10_000) => ({ '30d': counts(100_000, 600), '6h': counts(1_000, 6), '3d': counts(total3d, bad3d) });

  it('fires: 6 h burns 0.6× (exhausts in 480 h) and 3 d burns 0.5× (576 h), both inside the 720 h window; projected 2026-11-25T00:00Z', () => {
    const s = status(rolling, '2026-11-01T00:00:00Z', windows(50));
    const f = forecastBudget(ruleOf(rolling), s);
    expect(f.budgetRemaining).toBeCloseTo(0.4, 12);
    expect(f.budgetLeftHours).toBeCloseTo(288, 9);
    expect(f.projections.map((p) => [p.window, Number(p.burn!.toFixed(9)), new Date(p.exhaustionMs!).toISOString()])).toEqual([
      ['6h', 0.6, '2026-11-21T00:00:00.000Z'],
      ['3d', 0.5, '2026-11-25T00:00:00.000Z'],
    ]);
    expect(new Date(f.windowEndMs).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(f.fires).toBe(true);
    const obs = evaluateForecastRule(ruleOf(rolling), s);
    expect(obs.breaching).toBe(true);
    expect(obs.value).toBe(at('2026-11-25T00:00:00Z'));
    expect(obs.threshold).toBe(at('2026-12-01T00:00:00Z'));
    expect(obs.detail).toMatchObject({ projectedExhaustion: '2026-11-25T00:00:00.000Z', windowEnd: '2026-12-01T00:00:00.000Z', budgetRemaining: expect.closeTo(0.4, 12) });
  });

  it('does NOT fire when the 3 d burn (0.3×) lasts the budget 960 h, beyond the window, although the 6 h burn alone would exhaust it', () => {
    const f = forecastBudget(ruleOf(rolling), status(rolling, '2026-11-01T00:00:00Z', windows(30)));
    expect(f.projections.map((p) => p.beforeWindowEnd)).toEqual([true, false]);
    expect(new Date(f.exhaustionMs!).toISOString()).toBe('2026-12-11T00:00:00.000Z');
    expect(f.fires).toBe(false);
  });

  it('does NOT fire on 99 events in 3 days (the minimum-traffic guard), whatever they burn', () => {
    const f = forecastBudget(ruleOf(rolling), status(rolling, '2026-11-01T00:00:00Z', windows(20, 99)));
    expect(f.lowTraffic).toBe(true);
    expect(f.projections.every((p) => p.beforeWindowEnd)).toBe(true);
    expect(f.fires).toBe(false);
  });

  it('does NOT fire when nothing failed in the last 6 h: no burn, no exhaustion', () => {
    const s = status(rolling, '2026-11-01T00:00:00Z', { '30d': counts(100_000, 600), '6h': counts(1_000, 0), '3d': counts(10_000, 50) });
    const f = forecastBudget(ruleOf(rolling), s);
    expect(f.projections[0]!.exhaustionMs).toBeNull();
    expect(f.exhaustionMs).toBeNull();
    expect(f.fires).toBe(false);
  });

  it('does NOT fire on one hour of history burning 0.8×: the window\'s whole budget counts, not the hour\'s (20% "left")', () => {
    // 1,000 events, 8 bad, all in the last hour: remaining 1 − 8/10 = 0.2, burn 0.8 everywhere. At 1,000
    // events in 72 h (13.9 an hour), 8 bad = 57.6 1× hours spent → 662.4 left → 828 h at 0.8×, past 720 h.
    // (remaining × 720 h ÷ 0.8 = 180 h would have fired.)
    const s = status(rolling, '2026-11-01T00:00:00Z', { '30d': counts(1_000, 8), '6h': counts(1_000, 8), '3d': counts(1_000, 8) });
    const f = forecastBudget(ruleOf(rolling), s);
    expect(f.budgetRemaining).toBeCloseTo(0.2, 12);
    expect(f.budgetLeftHours).toBeCloseTo(662.4, 9);
    expect(new Date(f.exhaustionMs!).toISOString()).toBe('2026-12-05T12:00:00.000Z');
    expect(f.fires).toBe(false);
  });

  it('a budget already spent and still burning projects now, and fires', () => {
    const s = status(rolling, '2026-11-01T00:00:00Z', { '30d': counts(100_000, 1_200), '6h': counts(1_000, 20), '3d': counts(10_000, 150) });
    const f = forecastBudget(ruleOf(rolling), s);
    expect(f.budgetRemaining).toBeCloseTo(-0.2, 12);
    expect(f.exhaustionMs).toBe(at('2026-11-01T00:00:00Z'));
    expect(f.fires).toBe(true);
  });
});

describe('calendar month (UTC, 99%), now 2026-11-21T00:00Z: 480 h of November gone, 240 h left', () => {
  // Month so far: 20,000 events, 100 bad → allowed 200, remaining 0.5. Traffic now: 3,000 in 3 d =
  // 41.67 an hour (the month's average too), so one 1× hour allows 0.4167 bad: 100 bad = 240 of
  // November's 720 1× hours spent → 480 h left.
  const windows = (total6h: number, bad6h: number) => ({ [calendarLabel('UTC')]: counts(20_000, 100), '6h': counts(total6h, bad6h), '3d': counts(3_000, 90) });

  it('fires: 6 h burns 2.5× (192 h → 2026-11-29T00:00Z) and 3 d burns 3× (160 h → 2026-11-27T16:00Z), both before 2026-12-01', () => {
    const s = status(monthly, '2026-11-21T00:00:00Z', windows(400, 10));
    const f = forecastBudget(ruleOf(monthly), s);
    expect(f.budgetRemaining).toBeCloseTo(0.5, 12);
    expect(f.budgetLeftHours).toBeCloseTo(480, 9);
    expect(f.projections.map((p) => new Date(p.exhaustionMs!).toISOString())).toEqual(['2026-11-29T00:00:00.000Z', '2026-11-27T16:00:00.000Z']);
    expect(new Date(f.windowEndMs).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(f.fires).toBe(true);
    expect(evaluateForecastRule(ruleOf(monthly), s).value).toBe(at('2026-11-29T00:00:00Z'));
  });

  it('does NOT fire when the 6 h burn (2×) runs out exactly at the month end: it must run out before it', () => {
    const f = forecastBudget(ruleOf(monthly), status(monthly, '2026-11-21T00:00:00Z', windows(300, 6)));
    expect(new Date(f.projections[0]!.exhaustionMs!).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(f.projections[0]!.beforeWindowEnd).toBe(false);
    expect(f.fires).toBe(false);
  });

  it('the window ends at midnight in the SLO\'s zone: October 2026 in Europe/Berlin (745 h, DST) ends at 2026-10-31T23:00Z', () => {
    const s = status(berlin, '2026-10-31T11:00:00Z', { [calendarLabel('Europe/Berlin')]: counts(10_000, 100), '6h': counts(100, 50), '3d': counts(1_440, 720) });
    expect(s.window.lengthDays * 24).toBe(745);
    const f = forecastBudget(ruleOf(berlin), s);
    expect(new Date(f.windowEndMs).toISOString()).toBe('2026-10-31T23:00:00.000Z');
    // 20 events an hour (1,440 in 3 d): one 1× hour allows 0.2 bad, so 100 bad = 500 of the month's
    // 745 1× hours → 245 h left; at 50× (half the events bad) that is 4.9 h → 15:54Z, before 23:00Z.
    expect(f.budgetLeftHours).toBeCloseTo(245, 9);
    expect(Math.abs(f.exhaustionMs! - at('2026-10-31T15:54:00Z'))).toBeLessThan(1_000);
    expect(f.fires).toBe(true);
  });
});
