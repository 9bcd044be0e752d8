import { RuleDataSnapshot, type SeriesTotal } from '../../../alerts/evaluate/rule-data';
import { evaluateThresholdRule } from '../../../alerts/evaluate/threshold-evaluator';
import { bucketIndex } from '../../../shared/histogram';
import { thresholdRule } from './helpers';

const total = (seriesKey: string, eventCount: number, valueSum: number, valueMax: number | null = null): SeriesTotal => ({
  name: 'product.wallet.spend.failed',
  seriesKey,
  eventCount,
  valueSum,
  valueMax,
});

describe('threshold rule evaluation on rollups', () => {
  const data = new RuleDataSnapshot().setTotals(600, [
    total('feature=chat,reason=timeout', 4, 8, 5),
    total('feature=chat,reason=conflict', 2, 3, 2),
    total('feature=gifts,reason=timeout', 1, 1, 1),
  ]);

  it.each([
    ['sum adds the values', 'sum', 12],
    ['count adds the event counts', 'count', 7],
    ['avg is sum over count', 'avg', 12 / 7],
    ['max is the largest value', 'max', 5],
  ] as const)('%s', (_name, aggregation, expected) => {
    const [obs] = evaluateThresholdRule(thresholdRule({ aggregation }), data);
    expect(obs!.value).toBeCloseTo(expected, 10);
    expect(obs!.fingerprint).toBe('test-rule');
  });

  it('breaches only when the comparator holds: 12 > 10 fires, 12 > 12 does not, 12 >= 12 does', () => {
    expect(evaluateThresholdRule(thresholdRule({ threshold: 10 }), data)[0]!.breaching).toBe(true);
    expect(evaluateThresholdRule(thresholdRule({ threshold: 12 }), data)[0]!.breaching).toBe(false);
    expect(evaluateThresholdRule(thresholdRule({ threshold: 12, comparator: '>=' }), data)[0]!.breaching).toBe(true);
  });

  it('filters series by the where tags', () => {
    const [obs] = evaluateThresholdRule(thresholdRule({ where: { reason: 'timeout' } }), data);
    expect(obs!.value).toBe(9);
  });

  it('splits into one instance per groupBy value, each with its own fingerprint and label', () => {
    const observations = evaluateThresholdRule(thresholdRule({ groupBy: ['feature'] }), data);
    expect(observations.map((o) => [o.fingerprint, o.value, o.labels.feature])).toEqual([
      ['test-rule{feature=chat}', 11, 'chat'],
      ['test-rule{feature=gifts}', 1, 'gifts'],
    ]);
    expect(observations[0]!.labels).toMatchObject({ alertname: 'test-rule', severity: 'P2', module: 'wallet', kind: 'threshold' });
  });

  it('an ungrouped rule without data observes 0 for sum (not breaching) and "no data" for max', () => {
    const empty = new RuleDataSnapshot();
    expect(evaluateThresholdRule(thresholdRule(), empty)).toMatchObject([{ value: 0, breaching: false }]);
    expect(evaluateThresholdRule(thresholdRule({ aggregation: 'max', comparator: '<', threshold: 1 }), empty)).toMatchObject([{ value: null, breaching: false }]);
  });

  it('a grouped rule without data observes nothing', () => {
    expect(evaluateThresholdRule(thresholdRule({ groupBy: ['feature'] }), new RuleDataSnapshot())).toEqual([]);
  });

  it('p95 reads the merged histogram buckets of every matching series (within 1% of the true value)', () => {
    // 90 requests at 100 ms and 10 at 2,000 ms spread over two series: the 95th is 2,000 ms.
    const histo = new RuleDataSnapshot().setHistograms('infra.http.request.latency_ms', 300, [
      { seriesKey: 'tier=core', buckets: [[bucketIndex(100), 60], [bucketIndex(2_000), 4]] },
      { seriesKey: 'tier=secondary', buckets: [[bucketIndex(100), 30], [bucketIndex(2_000), 6]] },
    ]);
    const rule = thresholdRule({ metric: 'infra.http.request.latency_ms', aggregation: 'p95', windowSeconds: 300, threshold: 1_000 });
    const [obs] = evaluateThresholdRule(rule, histo);
    expect(obs!.value).toBeGreaterThan(2_000 * 0.99);
    expect(obs!.value).toBeLessThan(2_000 * 1.01);
    expect(obs!.breaching).toBe(true);
    expect(evaluateThresholdRule({ ...rule, where: { tier: 'core' } }, histo)[0]!.value).toBeGreaterThan(1_900);
  });
});
