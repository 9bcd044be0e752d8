import { CardinalityLimiter, isOverflowSeriesKey, OVERFLOW_SERIES_KEY, selectorTagValues, type StoredSeries } from '../../../ingest/cardinality-limiter';
import { parseSeriesKey, seriesKey } from '../../../shared/series-key';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 10, 12, 0);
const METRIC = 'infra.http.request.count';
const stored = (tags: Record<string, string>): StoredSeries => ({ seriesKey: seriesKey(tags), tagsJson: JSON.stringify(tags) });
const endpoint = (i: number) => ({ tier: 'core', status_class: '2xx', endpoint: `/api/e${i}` });

/** Sends `count` distinct endpoints; returns the series keys they were stored under. */
function send(limiter: CardinalityLimiter, from: number, count: number, nowMs = T0, metric = METRIC): string[] {
  const out: string[] = [];
  for (let i = from; i < from + count; i++) out.push(limiter.seriesOf(metric, endpoint(i), stored(endpoint(i)), nowMs).seriesKey);
  return out;
}

describe('CardinalityLimiter', () => {
  it.each([
    ['under the limit, every series is stored as itself', 3, 0],
    ['at the limit exactly, every series is still stored as itself', 5, 0],
    ['beyond the limit, each new series folds into the overflow series', 8, 3],
  ])('%s', (_name, series, folded) => {
    const limiter = new CardinalityLimiter({ maxSeriesPerMetricPerDay: 5 });
    const keys = send(limiter, 0, series);
    expect(keys.filter(isOverflowSeriesKey)).toHaveLength(folded);
    expect(keys.slice(0, Math.min(series, 5)).every((k) => !isOverflowSeriesKey(k))).toBe(true);
    expect(limiter.stats.foldedEvents).toBe(folded);
    expect(limiter.stats.foldedByMetric).toEqual(folded > 0 ? { [METRIC]: folded } : {});
  });

  it('keeps admitting a series it admitted earlier the same day, even at the limit', () => {
    const limiter = new CardinalityLimiter({ maxSeriesPerMetricPerDay: 2 });
    send(limiter, 0, 5);
    expect(send(limiter, 0, 2, T0 + 3_600_000).some(isOverflowSeriesKey)).toBe(false);
    expect(send(limiter, 2, 1, T0 + 3_600_000).every(isOverflowSeriesKey)).toBe(true);
  });

  it('counts each metric separately', () => {
    const limiter = new CardinalityLimiter({ maxSeriesPerMetricPerDay: 2 });
    send(limiter, 0, 2);
    expect(send(limiter, 0, 2, T0, 'infra.http.request.latency_ms').some(isOverflowSeriesKey)).toBe(false);
    expect(limiter.stats.metricsAtLimit).toEqual([METRIC, 'infra.http.request.latency_ms'].sort());
  });

  it('a new UTC day resets the allowance and drops the old day’s sets', () => {
    const limiter = new CardinalityLimiter({ maxSeriesPerMetricPerDay: 3 });
    send(limiter, 0, 10);
    const nextDay = Math.floor(T0 / DAY) * DAY + DAY;
    expect(send(limiter, 100, 3, nextDay).some(isOverflowSeriesKey)).toBe(false);
    expect(limiter.stats).toMatchObject({ dayMs: nextDay, admittedSeries: 3 });
  });

  it('holds at most the limit per metric in memory, however many series arrive', () => {
    const limiter = new CardinalityLimiter({ maxSeriesPerMetricPerDay: 100 });
    send(limiter, 0, 50_000);
    expect(limiter.stats.admittedSeries).toBe(100);
    expect(limiter.stats.foldedEvents).toBe(49_900);
  });

  it('folds into tags {"overflow":"true"} plus the tag values SLO and alert selectors select', () => {
    const limiter = new CardinalityLimiter({ maxSeriesPerMetricPerDay: 1 });
    send(limiter, 0, 1);
    const core5xx = limiter.seriesOf(METRIC, { tier: 'core', status_class: '5xx', endpoint: '/x', region: 'eu' }, stored({ endpoint: '/x' }), T0);
    expect(parseSeriesKey(core5xx.seriesKey)).toEqual({ overflow: 'true', status_class: '5xx', tier: 'core' });
    expect(JSON.parse(core5xx.tagsJson)).toEqual({ overflow: 'true', status_class: '5xx', tier: 'core' });
    // A value no selector selects is dropped: 4xx is "not 5xx" to every SLI.
    const core4xx = limiter.seriesOf(METRIC, { tier: 'core', status_class: '4xx', endpoint: '/y' }, stored({ endpoint: '/y' }), T0);
    expect(core4xx.seriesKey).toBe('overflow=true,tier=core');
    const other = limiter.seriesOf('product.wallet.spend.success', { feature: 'a' }, stored({ feature: 'a' }), T0);
    expect(limiter.seriesOf('product.wallet.spend.success', { feature: 'b' }, stored({ feature: 'b' }), T0).seriesKey).toBe(OVERFLOW_SERIES_KEY);
    expect(other.seriesKey).toBe('feature=a');
  });

  it('seeding with series already stored today means a restart grants no fresh allowance', () => {
    const limiter = new CardinalityLimiter({ maxSeriesPerMetricPerDay: 3 });
    limiter.seed(Math.floor(T0 / DAY) * DAY, [
      { name: METRIC, seriesKey: seriesKey(endpoint(0)) },
      { name: METRIC, seriesKey: seriesKey(endpoint(1)) },
      { name: METRIC, seriesKey: OVERFLOW_SERIES_KEY },
    ]);
    expect(send(limiter, 0, 2).some(isOverflowSeriesKey)).toBe(false);
    expect(send(limiter, 50, 2).map(isOverflowSeriesKey)).toEqual([false, true]);
  });

  it('refuses a limit below 1 at construction (configuration errors fail fast)', () => {
    expect(() => new CardinalityLimiter({ maxSeriesPerMetricPerDay: 0 })).toThrow(/maxSeriesPerMetricPerDay/);
  });

  it('derives the kept tags from the catalogues: core/secondary tiers and 5xx on HTTP requests', () => {
    const kept = selectorTagValues().get(METRIC);
    expect([...(kept?.get('tier') ?? [])].sort()).toEqual(['core', 'secondary']);
    expect([...(kept?.get('status_class') ?? [])]).toEqual(['5xx']);
  });

  it('recognises overflow series keys wherever the overflow tag sorts', () => {
    expect(isOverflowSeriesKey('overflow=true')).toBe(true);
    expect(isOverflowSeriesKey('method=GET,overflow=true,tier=core')).toBe(true);
    expect(isOverflowSeriesKey('endpoint=overflow=true')).toBe(false);
    expect(isOverflowSeriesKey('endpoint=/a\\,overflow\\=true')).toBe(false);
  });
});
