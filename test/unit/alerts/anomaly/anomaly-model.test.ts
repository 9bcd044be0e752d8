import { bandAt, fallbackBand, judgeWindow, mad, median, MINUTE_MS, seasonalBand, sideOf, WEEK_MS, type MinuteValues } from '../../../../alerts/anomaly/anomaly-model';
import { anomalyParamsProblem, DEFAULT_ANOMALY_PARAMS, type AnomalyParams } from '../../../../alerts/anomaly/anomaly-params';
import { normal, rng } from '../../aggregator/support';

const PARAMS: AnomalyParams = { ...DEFAULT_ANOMALY_PARAMS, absoluteFloor: 1 };
const NOW = Date.UTC(2026, 10, 23, 12, 0); // a Monday, minute-aligned

/** A series given as a function of time, with every past week present unless listed. */
function series(valueAt: (ms: number) => number | null, missingWeeks: number[] = []): MinuteValues {
  return { valueAt, weekHasData: (w) => !missingWeeks.includes(w) };
}

/** A daily cycle between 20 and 180 events a minute, plus noise; the same every week. */
function seasonal(seed: number): (ms: number) => number {
  const random = rng(seed);
  const cache = new Map<number, number>();
  return (ms) => {
    let v = cache.get(ms);
    if (v === undefined) {
      const day = ((ms % 86_400_000) / 86_400_000) * 2 * Math.PI;
      v = Math.max(0, Math.round(100 + 80 * Math.sin(day) + 6 * normal(random)));
      cache.set(ms, v);
    }
    return v;
  };
}

describe('anomaly model: robust statistics', () => {
  it('computes the median and the median absolute deviation', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(mad([1, 2, 3, 4, 100], 3)).toBe(1);
  });

  it('keeps the baseline inside the clean samples whatever outliers take less than half of them (random cases)', () => {
    const random = rng(7);
    for (let trial = 0; trial < 200; trial++) {
      const clean = Array.from({ length: 20 }, () => 50 + 10 * normal(random));
      const outliers = Math.floor(random() * 10); // at most 9 of 20 replaced
      const samples = clean.map((v, i) => (i < outliers ? v + (random() < 0.5 ? -1 : 1) * 1e6 * random() : v));
      const band = seasonalBand(samples, PARAMS)!;
      expect(band.baseline).toBeGreaterThanOrEqual(Math.min(...clean));
      expect(band.baseline).toBeLessThanOrEqual(Math.max(...clean));
      expect(band.upper - band.lower).toBeLessThan(1000);
    }
  });

  it('does not alarm on a tiny change of a flat series: the band has a floor', () => {
    const band = seasonalBand(Array(20).fill(200), PARAMS)!;
    expect(sideOf(204, band, 'both')).toBeUndefined();
    expect(sideOf(196, band, 'both')).toBeUndefined();
    expect(sideOf(260, band, 'both')).toBe('above');
    const quiet = seasonalBand(Array(20).fill(0), PARAMS)!;
    expect(sideOf(3, quiet, 'both')).toBeUndefined();
    expect(sideOf(5, quiet, 'both')).toBe('above');
  });

  it('watches only the sides the direction names', () => {
    const band = seasonalBand([10, 11, 9, 10, 10], PARAMS)!;
    expect(sideOf(100, band, 'down')).toBeUndefined();
    expect(sideOf(-100, band, 'up')).toBeUndefined();
    expect(sideOf(100, band, 'up')).toBe('above');
    expect(sideOf(-100, band, 'down')).toBe('below');
  });

  it('refuses parameters that cannot work, naming the parameter', () => {
    expect(anomalyParamsProblem(PARAMS)).toBeUndefined();
    expect(anomalyParamsProblem({ ...PARAMS, weeks: 6 })).toMatch(/weeks must be/);
    expect(anomalyParamsProblem({ ...PARAMS, minWeeks: 5 })).toMatch(/minWeeks/);
    expect(anomalyParamsProblem({ ...PARAMS, k: 0 })).toMatch(/k must be positive/);
    expect(anomalyParamsProblem({ ...PARAMS, consecutiveMinutes: 0 })).toMatch(/consecutiveMinutes/);
  });
});

describe('anomaly model: the seasonal band follows the minute of the week', () => {
  const f = seasonal(1);

  it('keeps an ordinary week inside the band at the daily peak and trough', () => {
    for (const hour of [0, 6, 12, 18]) {
      const end = NOW + hour * 3_600_000;
      expect(judgeWindow(series(f), end, PARAMS).breaching).toBe(false);
    }
  });

  it('breaches after N minutes in a row outside the band, not after N − 1', () => {
    const dropFrom = NOW - 5 * MINUTE_MS;
    const dropped = (ms: number) => (ms >= dropFrom && ms < NOW ? 0.3 * f(ms) : f(ms));
    const verdict = judgeWindow(series(dropped), NOW, PARAMS);
    expect(verdict.breaching).toBe(true);
    expect(verdict.minutes.every((m) => m.side === 'below' && m.band?.source === 'seasonal')).toBe(true);
    const shorter = (ms: number) => (ms >= dropFrom + MINUTE_MS && ms < NOW ? 0.3 * f(ms) : f(ms));
    expect(judgeWindow(series(shorter), NOW, PARAMS).breaching).toBe(false);
  });

  it('is not moved by an incident in one of the past weeks', () => {
    // A week ago the series was at zero for the whole hour; the other three weeks were normal.
    const incident = (ms: number) => (ms >= NOW - WEEK_MS - 3_600_000 && ms < NOW - WEEK_MS + 3_600_000 ? 0 : f(ms));
    const band = bandAt(series(incident), NOW - MINUTE_MS, PARAMS)!;
    const clean = bandAt(series(f), NOW - MINUTE_MS, PARAMS)!;
    expect(Math.abs(band.baseline - clean.baseline)).toBeLessThan(0.1 * clean.baseline);
    expect(judgeWindow(series(incident), NOW, PARAMS).breaching).toBe(false);
  });

  it('falls back to the rolling quantile band while fewer than minWeeks past weeks have data', () => {
    const young = series(f, [2, 3, 4]);
    expect(bandAt(young, NOW - MINUTE_MS, PARAMS)?.source).toBe('fallback');
    const spiked = series((ms) => (ms >= NOW - 5 * MINUTE_MS && ms < NOW ? 3 * f(ms) + 100 : f(ms)), [2, 3, 4]);
    expect(judgeWindow(spiked, NOW, PARAMS).breaching).toBe(true);
    expect(judgeWindow(young, NOW, PARAMS).breaching).toBe(false);
  });

  it('has no fallback band with fewer than 15 recent minutes, and judges nothing then', () => {
    expect(fallbackBand([1, 2, 3], PARAMS)).toBeUndefined();
    const empty = series((ms) => (ms >= NOW - 10 * MINUTE_MS ? 1000 : null), [1, 2, 3, 4]);
    expect(judgeWindow(empty, NOW, PARAMS).breaching).toBe(false);
  });
});
