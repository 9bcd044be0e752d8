import { exportPoints } from '../../../exporters/export-points';
import { gcmMetricType as exporterGcmType } from '../../../exporters/gcm-exporter';
import { prometheusName, PrometheusSnapshot } from '../../../exporters/prometheus-text';
import type { MinuteSeries } from '../../../exporters/types';
import { bucketIndex } from '../../../shared/histogram';
import { getMetric, METRIC_NAMES } from '../../../shared/metric-catalogue';
import { flattenedEventMetric, gcmMetricType, prometheusBaseName } from '../../../shared/provider-metric-names';
import { seriesKey } from '../../../shared/series-key';
import { join } from 'node:path';
import { SLOS, useSloCatalogue, type SloSpec } from '../../../shared/slo-catalogue';
import { prometheusExpressible, promSelector } from '../../../slo-as-code/sli-promql';
import { loadSloFile } from '../../../slo-as-code/slo-file';

/**
 * The SLO and dashboard generators query series by shared/provider-metric-names.ts; the exporters
 * (exporters/) write them. These tests hold the two to the same names, and check that the series a
 * generated Prometheus SLI selects exist in the exporter's exposition with the values the SLI needs.
 */
const MINUTE = Date.UTC(2026, 10, 26, 12, 0);

function minuteSeries(name: string, tags: Record<string, string>, values: number[]): MinuteSeries {
  const kind = getMetric(name as (typeof METRIC_NAMES)[number]).kind;
  const histogram = new Map<number, number>();
  for (const v of values) histogram.set(bucketIndex(v), (histogram.get(bucketIndex(v)) ?? 0) + 1);
  return {
    minuteMs: MINUTE,
    name,
    seriesKey: seriesKey(tags),
    tags,
    kind,
    eventCount: values.length,
    valueSum: values.reduce((a, b) => a + b, 0),
    valueMin: Math.min(...values),
    valueMax: Math.max(...values),
    lastValue: values[values.length - 1] ?? null,
    histogram: kind === 'timing' ? [...histogram.entries()].sort((a, b) => a[0] - b[0]) : [],
  };
}

/** The value of the exposition sample `metric{labels…}` whose labels include every one of `labels`. */
function sample(text: string, metric: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('metric names: the generators and the exporters agree', () => {
  it('every catalogue metric has the same Prometheus base name and Cloud Monitoring type on both sides', () => {
    for (const name of METRIC_NAMES) {
      expect(prometheusBaseName(name)).toBe(prometheusName(name));
      for (const point of [name, `${name}.count`]) expect(gcmMetricType(point)).toBe(exporterGcmType(point));
    }
  });

  it('the Datadog / Cloud Monitoring point that counts a metric\'s events is one the exporter sends', () => {
    for (const name of METRIC_NAMES) {
      const kind = getMetric(name).kind;
      if (kind === 'gauge') continue;
      const sent = exportPoints([minuteSeries(name, {}, [10, 20])]).map((p) => [p.metric, p.type, p.value]);
      // A count metric's values, a timing's observations: as a count point.
      expect(sent).toContainEqual([flattenedEventMetric(name), 'count', kind === 'count' ? 30 : 2]);
    }
  });

  /** Every selector of every SLO of `slos` finds its series in the exporter's exposition, with the events the SLI counts. */
  function expectEverySelectorExposed(slos: readonly SloSpec[]): void {
    for (const slo of slos) {
      for (const selector of [...slo.sli.total, ...(slo.sli.good ?? []), ...(slo.sli.bad ?? [])]) {
        // One series matching the selector: 3 fast (100 ms) and 2 slow (5 × the threshold, or 1 s) events.
        const slow = (selector.maxMs ?? 200) * 5;
        const snapshot = new PrometheusSnapshot(MINUTE);
        snapshot.addMinute(MINUTE, [minuteSeries(selector.metric, { ...(selector.where ?? {}), region: 'eu' }, [100, 100, 100, slow, slow])]);
        const text = snapshot.render();
        const rendered = promSelector(selector);
        const metric = rendered.split('{')[0]!;
        const labels = Object.fromEntries([...rendered.matchAll(/\b(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
        const value = sample(text, metric, labels);
        const kind = getMetric(selector.metric).kind;
        // count: the values (5 events of values 100…); timing: observations, or the good ones under the threshold.
        const expected = kind === 'count' ? 300 + 2 * slow : selector.maxMs !== undefined ? 3 : 5;
        expect({ slo: slo.id, selector: rendered, value }).toEqual({ slo: slo.id, selector: rendered, value: expected });
      }
    }
  }

  it('every series a Prometheus SLI of the built-in catalogue selects is in the exporter\'s exposition (ai-response-latency\'s le="3000" included)', () => {
    const { slos, unsupported } = prometheusExpressible(SLOS);
    expect(unsupported).toEqual([]);
    expect(slos.map((s) => s.id)).toEqual(SLOS.map((s) => s.id));
    expectEverySelectorExposed(slos);
  });

  it('with OBS_SLO_FILE\'s imported SLOs in use, the 2 s threshold of call-setup-latency is an le bound of the exporter and its SLI\'s series are exposed', () => {
    const catalogue = loadSloFile(join(__dirname, '../../../docs/examples/slos.openslo.yaml')).slos;
    const imported = catalogue.find((s) => s.id === 'call-setup-latency')!;
    expect(imported.sli.good).toEqual([{ metric: 'product.call.setup_latency_ms', where: { call_type: 'video' }, maxMs: 2_000 }]);
    // The built-in catalogue in use: the exporter writes no le="2000", and a generator given the SLO says so.
    expect(new PrometheusSnapshot(MINUTE).boundsMs).not.toContain(2_000);
    expect(prometheusExpressible([imported]).unsupported).toEqual([{ sloId: 'call-setup-latency', reason: expect.stringContaining('its latency threshold 2000 ms is not a bucket bound') }]);
    try {
      useSloCatalogue(catalogue);
      expect(new PrometheusSnapshot(MINUTE).boundsMs).toContain(2_000);
      const { slos, unsupported } = prometheusExpressible(catalogue);
      expect(unsupported).toEqual([]);
      expect(slos.map((s) => s.id)).toEqual(catalogue.map((s) => s.id));
      expect(promSelector(imported.sli.good![0]!)).toBe('product_call_setup_latency_ms_bucket{call_type="video",le="2000"}');
      expectEverySelectorExposed(slos);
    } finally {
      useSloCatalogue(SLOS);
    }
  });
});
