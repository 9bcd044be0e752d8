import { ceilTo, DEFAULT_ROLLUP_TIMING, floorTo, ingestRange, planSpans, type Span } from '../../../aggregator/rollup-plan';

const T = Date.UTC(2026, 10, 26, 12, 0, 0);
const timing = { ...DEFAULT_ROLLUP_TIMING, settleMs: 10_000, rescanMs: 60_000, lateHorizonMs: 7 * 86_400_000 };
const span = (fromMin: number, toMin: number, events = 1): Span => ({ fromMs: T + fromMin * 60_000, toMs: T + toMin * 60_000, minutes: toMin - fromMin, events });

describe('the watermark rule (ingestRange)', () => {
  it('processes everything ingested up to now − settle on the first run, with no event-time horizon', () => {
    expect(ingestRange(null, T, timing)).toEqual({ afterMs: 0, uptoMs: T - 10_000, horizonMs: 0, nextWatermarkMs: T - 10_000 });
  });

  it('re-scans an overlap below the watermark, so rows stamped at or just before it are never skipped', () => {
    const r = ingestRange(T - 70_000, T, timing);
    expect(r.afterMs).toBe(T - 130_000);
    expect(r.uptoMs).toBe(T - 10_000);
    expect(r.nextWatermarkMs).toBe(T - 10_000);
    // An event ingested exactly at the old watermark is inside (after, upto].
    expect(T - 70_000).toBeGreaterThan(r.afterMs);
    expect(T - 70_000).toBeLessThanOrEqual(r.uptoMs);
  });

  it('bounds the event time it scans by the late-data horizon once a watermark exists', () => {
    expect(ingestRange(T - 60_000, T, timing).horizonMs).toBe(T - 10_000 - 7 * 86_400_000);
  });

  it('never moves the watermark backwards when run for an earlier time (--at in the past)', () => {
    const r = ingestRange(T, T - 3_600_000, timing);
    expect(r.nextWatermarkMs).toBe(T);
    expect(r.uptoMs).toBeLessThan(r.afterMs);
  });
});

describe('planSpans', () => {
  it('merges spans closer than the gap and keeps distant ones apart', () => {
    const planned = planSpans([span(0, 2), span(5, 6), span(60, 61)], { spanMergeGapMs: 10 * 60_000, maxSpans: 24 });
    expect(planned).toEqual([
      { fromMs: T, toMs: T + 6 * 60_000, minutes: 3, events: 2 },
      { fromMs: T + 60 * 60_000, toMs: T + 61 * 60_000, minutes: 1, events: 1 },
    ]);
  });

  it('caps the number of spans by merging the closest neighbours first', () => {
    const planned = planSpans([span(0, 1), span(100, 101), span(130, 131), span(1000, 1001)], { spanMergeGapMs: 0, maxSpans: 2 });
    expect(planned.map((s) => [(s.fromMs - T) / 60_000, (s.toMs - T) / 60_000])).toEqual([
      [0, 131],
      [1000, 1001],
    ]);
    expect(planned.reduce((n, s) => n + s.events, 0)).toBe(4);
  });

  it('sorts unsorted input and returns nothing for nothing', () => {
    expect(planSpans([])).toEqual([]);
    expect(planSpans([span(50, 51), span(0, 1)], { spanMergeGapMs: 0, maxSpans: 5 }).map((s) => s.fromMs)).toEqual([T, T + 50 * 60_000]);
  });
});

describe('window alignment', () => {
  it.each([
    [T + 59_999, 60_000, T, T + 60_000],
    [T, 3_600_000, T, T],
    [T + 1, 86_400_000, Date.UTC(2026, 10, 26), Date.UTC(2026, 10, 27)],
  ])('floorTo/ceilTo(%d, %d)', (ms, unit, floor, ceil) => {
    expect(floorTo(ms, unit)).toBe(floor);
    expect(ceilTo(ms, unit)).toBe(ceil);
  });
});
