import { excludedSpans, mergeSpans, planExclusions } from '../../../aggregator/slo-exclusions';

const MIN = 60_000;
const T = Date.UTC(2026, 10, 20, 10, 0);

describe('planning the minutes excluded from SLO budgets', () => {
  it('widens spans to whole minutes and merges a module\'s overlapping and touching ones, not other modules\'', () => {
    const merged = mergeSpans([
      { module: 'wallet', startMs: T + 30_000, endMs: T + 10 * MIN + 1 },
      { module: 'wallet', startMs: T + 11 * MIN, endMs: T + 20 * MIN },
      { module: 'wallet', startMs: T + 5 * MIN, endMs: T + 6 * MIN },
      { module: 'chat', startMs: T + 5 * MIN, endMs: T + 6 * MIN },
    ]);
    expect(merged.get('wallet')).toEqual([{ startMs: T, endMs: T + 20 * MIN }]);
    expect(merged.get('chat')).toEqual([{ startMs: T + 5 * MIN, endMs: T + 6 * MIN }]);
  });

  it('clips each module\'s spans to each slot, numbers the distinct intervals once, and counts the minutes', () => {
    const plan = planExclusions(
      [
        { module: 'wallet', startMs: T - 30 * MIN, endMs: T + 30 * MIN },
        { module: 'chat', startMs: T - 30 * MIN, endMs: T + 30 * MIN },
      ],
      [
        { label: '5m', fromMs: T - 5 * MIN, toMs: T },
        { label: '1h', fromMs: T - 60 * MIN, toMs: T },
      ],
    );
    expect(plan.intervals).toEqual([
      [0, T - 5 * MIN, T],
      [1, T - 30 * MIN, T],
    ]);
    expect(plan.pieces.get('wallet')).toEqual(new Map([['5m', [0]], ['1h', [1]]]));
    expect(plan.pieces.get('chat')).toEqual(new Map([['5m', [0]], ['1h', [1]]]));
    expect(plan.minutes.get('wallet')).toEqual(new Map([['5m', 5], ['1h', 30]]));
  });

  it('only occurrences marked excludeFromBudget are excluded', () => {
    const occurrence = { id: 'mw-1@x', module: 'wallet' as const, title: 't', startsAt: new Date(T).toISOString(), endsAt: new Date(T + MIN).toISOString() };
    expect(excludedSpans([{ ...occurrence, excludeFromBudget: false }, { ...occurrence, module: 'chat', excludeFromBudget: true }])).toEqual([{ module: 'chat', startMs: T, endMs: T + MIN }]);
  });
});
