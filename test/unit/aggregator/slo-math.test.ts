import { attainment, burnRate, errorBudget, hoursToExhaustion, sloHealth } from '../../../aggregator/slo-math';

describe('SLO maths', () => {
  it('reports no data as null, never NaN, 0% or 100%', () => {
    expect(attainment(0, 0)).toBeNull();
    expect(burnRate(0, 0, 0.999)).toBeNull();
    const budget = errorBudget(0, 0, 0.999, { windowDays: 30, inMinutes: true });
    expect(budget.remaining).toBeNull();
    expect(budget.minutesRemaining).toBeNull();
    expect(budget.minutesTotal).toBeCloseTo(43.2, 10);
    expect(hoursToExhaustion(budget.remaining, null, 30)).toBeNull();
    expect(sloHealth(budget.remaining, null)).toBe('no_data');
  });

  it('gives 99.9% over 30 days an error budget of 43.2 minutes of full outage', () => {
    const b = errorBudget(1_000_000, 1_000_000, 0.999, { windowDays: 30, inMinutes: true });
    expect(b.minutesTotal).toBeCloseTo(43.2, 10);
    expect(b.minutesRemaining).toBeCloseTo(43.2, 10);
    expect(errorBudget(1, 1, 0.995, { windowDays: 30, inMinutes: true }).minutesTotal).toBeCloseTo(216, 10); // 3.6 hours
    expect(errorBudget(1, 1, 0.95, { windowDays: 30, inMinutes: false }).minutesTotal).toBeNull();
  });

  it.each([
    // good, total, objective, allowed, consumed, remaining
    [999_500, 1_000_000, 0.999, 1_000, 500, 0.5],
    [1_000_000, 1_000_000, 0.999, 1_000, 0, 1],
    [998_000, 1_000_000, 0.999, 1_000, 2_000, -1],
    [95, 100, 0.95, 5, 5, 0],
  ])('budget of %d good / %d total at %d: allowed %d, consumed %d, remaining %d', (good, total, objective, allowed, consumed, remaining) => {
    const b = errorBudget(good, total, objective, { windowDays: 30, inMinutes: false });
    expect(b.allowed).toBeCloseTo(allowed, 6);
    expect(b.consumed).toBe(consumed);
    expect(b.remaining).toBeCloseTo(remaining, 9);
  });

  it.each([
    // the SRE Workbook's page threshold: 1.44% errors against 99.9% is a 14.4× burn (ch. 5)
    [98_560, 100_000, 0.999, 14.4],
    [99_900, 100_000, 0.999, 1],
    [100_000, 100_000, 0.999, 0],
    [90, 100, 0.95, 2],
  ])('burn rate of %d good / %d at %d is %d', (good, total, objective, expected) => {
    expect(burnRate(good, total, objective)).toBeCloseTo(expected, 9);
  });

  it('projects exhaustion as remaining × window ÷ burn rate', () => {
    expect(hoursToExhaustion(1, 1, 30)).toBeCloseTo(720, 9); // burn 1 spends the budget in one window
    expect(hoursToExhaustion(1, 14.4, 30)).toBeCloseTo(50, 9);
    expect(hoursToExhaustion(0.5, 10, 30)).toBeCloseTo(36, 9);
    expect(hoursToExhaustion(-0.2, 3, 30)).toBe(0); // already spent
    expect(hoursToExhaustion(0.8, 0, 30)).toBeNull(); // not burning
  });

  it.each([
    [null, null, 'no_data'],
    [0, 0, 'exhausted'],
    [-0.5, 0, 'exhausted'],
    [0.4, null, 'at_risk'],
    [0.9, 50, 'at_risk'],
    [0.9, 100, 'ok'],
    [1, null, 'ok'],
  ] as const)('health with %p of the budget left and exhaustion in %p h is %s', (remaining, hours, status) => {
    expect(sloHealth(remaining, hours)).toBe(status);
  });
});
