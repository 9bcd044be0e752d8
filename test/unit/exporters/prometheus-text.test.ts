import { escapeLabelValue, PrometheusSnapshot, prometheusLabelName, prometheusName } from '../../../exporters/prometheus-text';
import { bucketIndex } from '../../../shared/histogram';
import { PROMETHEUS_LADDER_BOUNDS_MS, prometheusBucketBoundsMs } from '../../../shared/provider-metric-names';
import { SLOS, useSloCatalogue, type SloSpec } from '../../../shared/slo-catalogue';
import type { MinuteSeries } from '../../../exporters/types';
import { describeWhenAvailable } from '../../support/ci-gate';
import { PROMTOOL_BIN, prometheusBinaries, promtool } from '../../integration/exporters/support/prometheus-binaries';

const HOUR = Date.UTC(2026, 10, 27, 10, 0, 0);

const series = (over: Partial<MinuteSeries>): MinuteSeries => ({
  minuteMs: HOUR,
  name: 'product.wallet.spend.success',
  seriesKey: '',
  tags: {},
  kind: 'count',
  eventCount: 1,
  valueSum: 1,
  valueMin: 1,
  valueMax: 1,
  lastValue: 1,
  histogram: [],
  ...over,
});

function snapshot(): PrometheusSnapshot {
  const s = new PrometheusSnapshot(HOUR);
  const weird = { feature: 'chat "vip" \\ room\nline two', '0bad-key': 'x', __reserved: 'y' };
  s.addMinute(HOUR, [
    series({ tags: weird, valueSum: 3 }),
    series({ name: 'infra.pipeline.alerts.retry_waiting', kind: 'gauge', lastValue: 2 }),
    series({ name: 'product.wallet.spend.latency_ms', kind: 'timing', tags: { feature: 'chat' }, eventCount: 3, valueSum: 4 + 40 + 700, histogram: [4, 40, 700].map((v) => [bucketIndex(v), 1] as [number, number]) }),
  ]);
  s.addMinute(HOUR + 60_000, [series({ tags: weird, valueSum: 4 }), series({ name: 'infra.pipeline.alerts.retry_waiting', kind: 'gauge', lastValue: 7 })]);
  return s;
}

describe('the Prometheus text exposition (exporters/prometheus-text.ts)', () => {
  it('sanitises metric and label names and escapes label values', () => {
    expect(prometheusName('product.wallet.spend-success')).toBe('product_wallet_spend_success');
    expect(prometheusName('9lives')).toBe('_9lives');
    expect(prometheusLabelName('0bad-key')).toBe('_0bad_key');
    expect(prometheusLabelName('__reserved')).toBe('tag__reserved');
    expect(escapeLabelValue('a "b" \\ c\nd')).toBe('a \\"b\\" \\\\ c\\nd');
  });

  it('sums counters over the hour\'s minutes, keeps the newest gauge and builds cumulative histogram buckets', () => {
    const text = snapshot().render();
    expect(text).toContain('# TYPE product_wallet_spend_success_total counter');
    expect(text).toContain('product_wallet_spend_success_total{_0bad_key="x",feature="chat \\"vip\\" \\\\ room\\nline two",tag__reserved="y"} 7');
    expect(text).toContain('infra_pipeline_alerts_retry_waiting 7');
    expect(text).toContain('# TYPE product_wallet_spend_latency_ms histogram');
    expect(text).toContain('product_wallet_spend_latency_ms_bucket{feature="chat",le="5"} 1');
    expect(text).toContain('product_wallet_spend_latency_ms_bucket{feature="chat",le="50"} 2');
    expect(text).toContain('product_wallet_spend_latency_ms_bucket{feature="chat",le="500"} 2');
    expect(text).toContain('product_wallet_spend_latency_ms_bucket{feature="chat",le="1000"} 3');
    expect(text).toContain('product_wallet_spend_latency_ms_bucket{feature="chat",le="+Inf"} 3');
    expect(text).toContain('product_wallet_spend_latency_ms_sum{feature="chat"} 744');
    expect(text).toContain(`obs_export_minute_end_seconds ${(HOUR + 120_000) / 1000}`);
  });

  it('adds every latency threshold of the SLO catalogue in use to the fixed ladder, sorted and once each, read when a snapshot is built', () => {
    // The built-in catalogue: 500 ms and 60 s are on the ladder; ai-response-latency's 3 s is not.
    expect(prometheusBucketBoundsMs(SLOS)).toEqual([5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 3_000, 5_000, 10_000, 30_000, 60_000]);
    const imported: SloSpec = {
      ...SLOS.find((s) => s.id === 'api-latency')!,
      id: 'wallet-spend-latency',
      sli: { total: [{ metric: 'product.wallet.spend.latency_ms' }], good: [{ metric: 'product.wallet.spend.latency_ms', maxMs: 2_000 }, { metric: 'product.wallet.spend.latency_ms', maxMs: 3_000 }] },
    };
    const timing = series({ name: 'product.wallet.spend.latency_ms', kind: 'timing', eventCount: 3, valueSum: 1_500 + 2_500 + 4_000, histogram: [1_500, 2_500, 4_000].map((v) => [bucketIndex(v), 1] as [number, number]) });
    try {
      useSloCatalogue([...SLOS, imported]);
      const s = new PrometheusSnapshot(HOUR);
      expect(s.boundsMs).toEqual([5, 10, 25, 50, 100, 250, 500, 1_000, 2_000, 2_500, 3_000, 5_000, 10_000, 30_000, 60_000]);
      s.addMinute(HOUR, [timing]);
      const text = s.render();
      const les = [...text.matchAll(/^product_wallet_spend_latency_ms_bucket\{le="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]);
      expect(les.map(([le]) => le)).toEqual([...s.boundsMs.map(String), '+Inf']);
      // 1.5 s is under 2 s; 2.5 s under 3 s (its rollup bucket ends at 2,540.9 ms, so not under 2,500); 4 s under 5 s.
      expect(Object.fromEntries(les)).toMatchObject({ '1000': 0, '2000': 1, '2500': 1, '3000': 2, '5000': 3, '+Inf': 3 });
    } finally {
      useSloCatalogue(SLOS);
    }
    // The catalogue is read per snapshot: back on the built-in one, no le="2000".
    const after = new PrometheusSnapshot(HOUR);
    after.addMinute(HOUR, [timing]);
    expect(after.render()).not.toContain('le="2000"');
    expect(after.render()).toContain('product_wallet_spend_latency_ms_bucket{le="3000"} 2');
    expect(PROMETHEUS_LADDER_BOUNDS_MS.every((b) => after.boundsMs.includes(b))).toBe(true);
  });

  describeWhenAvailable('promtool', prometheusBinaries([PROMTOOL_BIN]), () => {
    it('parses with `promtool check metrics` (the format\'s own linter), whose only remark is the catalogue\'s `_ms` unit suffix', () => {
      const result = promtool(['check', 'metrics'], snapshot().render());
      // Exit 3 is "lint problems found"; a parse error is exit 1. The one problem it may name is the
      // unit in the catalogue's names (`latency_ms`), kept so thresholds read the same everywhere.
      const remarks = (result.stdout + result.stderr).split('\n').filter((l) => l.trim() !== '');
      expect(remarks.filter((l) => !l.includes('should not contain abbreviated units'))).toEqual([]);
      expect([0, 3]).toContain(result.status);
    });
  });
});
