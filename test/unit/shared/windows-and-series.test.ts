import fc from 'fast-check';
import { monthRangeMs, parseDurationSeconds, parseInstantMs, parseSeriesKey, seriesKey, windowStartMs } from '../../../shared';

describe('seriesKey', () => {
  it('sorts keys so the same tags in any order give one series', () => {
    expect(seriesKey({ tier: 'core', method: 'GET' })).toBe('method=GET,tier=core');
    expect(seriesKey({ method: 'GET', tier: 'core' })).toBe('method=GET,tier=core');
    expect(seriesKey({})).toBe('');
  });

  it('round-trips any tag map, including separators inside values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), (tags) => {
        expect(parseSeriesKey(seriesKey(tags))).toEqual({ ...tags });
      }),
    );
  });
});

describe('time windows', () => {
  it('aligns windows to the epoch', () => {
    const ts = Date.UTC(2026, 10, 26, 12, 34, 56, 789);
    expect(windowStartMs(ts, 60)).toBe(Date.UTC(2026, 10, 26, 12, 34));
    expect(windowStartMs(ts, 3600)).toBe(Date.UTC(2026, 10, 26, 12));
    expect(windowStartMs(ts, 86_400)).toBe(Date.UTC(2026, 10, 26));
  });

  it('gives calendar months their real length, February included', () => {
    const feb = monthRangeMs('2028-02');
    expect((feb.endMs - feb.startMs) / 86_400_000).toBe(29);
    expect(() => monthRangeMs('2026-13')).toThrow(/YYYY-MM/);
  });

  it('parses durations and instants, and says what is wrong with bad ones', () => {
    expect(parseDurationSeconds('15m')).toBe(900);
    expect(() => parseDurationSeconds('15 minutes')).toThrow(/not a duration/);
    expect(parseInstantMs('2026-11-26T12:00:00Z')).toBe(Date.UTC(2026, 10, 26, 12));
    expect(() => parseInstantMs('yesterday')).toThrow(/"yesterday" is not an ISO-8601 time/);
  });
});
