import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { getSlo, SLOS, type SloSpec } from '../../../shared/slo-catalogue';
import { prometheusCounterName, prometheusHistogramNames } from '../../../shared/provider-metric-names';
import { seriesKey } from '../../../shared/series-key';
import type { EventRow } from '../../../sql/warehouse';
import { BURN_ALERT_NAME, prometheusRuleGroups, prometheusRulesYaml } from '../../../slo-as-code/prometheus-rules';
import { AlertEnv, MIN, T0 } from '../alerts/support/alert-env';

/**
 * The exported Prometheus rules against the pipeline's own evaluator, on the same traffic:
 * events go through the local warehouse, the aggregator and the alert evaluator (as the alert
 * integration tests do), minute by minute; the same events become counters sampled at every minute
 * (what the Prometheus exporter exposes: the closed minutes' sums, shared/provider-metric-names.ts)
 * in a `promtool test rules` file whose expected alerts, minute by minute, are the tiers the
 * evaluator had firing. promtool (Debian, installed by .ci/run) must be on the PATH.
 */

const SUCCESS = 'product.wallet.spend.success';
const FAILED = 'product.wallet.spend.failed';
const SLO = getSlo('wallet-spend-success') as SloSpec;

/** Series start (counters at 0), failures start, and the minutes compared. */
const START = T0 + 2 * 1_440 * MIN;
const FAIL_FROM = START + 7 * 60 * MIN;
const COMPARE_FROM = FAIL_FROM;
const COMPARE_TO = FAIL_FROM + 16 * MIN;

interface SeriesEvents {
  readonly name: string;
  readonly tags: Record<string, string>;
  readonly perMinute: (minuteMs: number) => number;
}

/** The traffic: 100 spends a minute; from FAIL_FROM, 5 of every 100 fail (a 100× burn of 99.95%). */
const TRAFFIC: SeriesEvents[] = [
  { name: SUCCESS, tags: { feature: 'chat' }, perMinute: (m) => (m < FAIL_FROM ? 100 : 95) },
  { name: FAILED, tags: { feature: 'chat', reason: 'timeout' }, perMinute: (m) => (m < FAIL_FROM ? 0 : 5) },
];

function promtoolAvailable(): boolean {
  return spawnSync('promtool', ['--version']).status === 0;
}

describe('exported Prometheus burn-rate rules fire in the same minute as the pipeline evaluator', () => {
  let dir: string;
  beforeAll(() => {
    if (!promtoolAvailable()) throw new Error('promtool is not installed (Debian package prometheus; .ci/run installs it)');
    dir = mkdtempSync(join(tmpdir(), 'obs-promtool-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the rules file of the whole catalogue passes promtool check rules', () => {
    const file = join(dir, 'catalogue-rules.yml');
    writeFileSync(file, prometheusRulesYaml(SLOS));
    const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    // 7 burn windows + 4 long-window event counts + 2 alerts per SLO, every SLO: ai-response-latency's
    // 3 s is an le bound of the exporter (shared/provider-metric-names.ts prometheusBucketBoundsMs).
    expect(out).toContain(`SUCCESS: ${SLOS.length * 13} rules found`);
    expect(readFileSync(file, 'utf8')).toContain('product_ai_response_latency_ms_bucket{le="3000"}');
  });

  /**
   * The counter value a scrape at minute boundary `t` reads. `monotonic`: every closed minute since
   * START. `hourly`: what exporters/prometheus-exporter.ts exposes — the closed minutes of the UTC
   * hour of the newest one, [hour(t − 1 min), t), so the counter drops at each hour (a reset).
   */
  function counterAt(series: SeriesEvents, t: number, mode: 'monotonic' | 'hourly'): number {
    const from = mode === 'monotonic' ? START : Math.floor((t - MIN) / (60 * MIN)) * 60 * MIN;
    let sum = 0;
    for (let m = Math.max(from, START); m < t; m += MIN) sum += series.perMinute(m);
    return sum;
  }

  it.each(['monotonic', 'hourly'] as const)('wallet-spend-success at a 100× burn (%s counters): the ticket, then the page, in the evaluator\'s minutes, with the same labels', async (mode) => {
    const env = await AlertEnv.open();
    const firing = new Map<number, string[]>();
    try {
      for (const series of TRAFFIC) {
        for (let m = START; m < COMPARE_TO; m += MIN) {
          const n = series.perMinute(m);
          if (n > 0) await env.insertCountEvents(series.name, series.tags, m, m + MIN, n);
        }
      }
      for (let at = COMPARE_FROM; at <= COMPARE_TO; at += MIN) {
        await env.aggregate(at);
        await env.evaluate(at);
        const instances = await env.runtime().store.loadInstances();
        firing.set(
          at,
          instances.filter((i) => i.state === 'firing' && i.ruleId.startsWith(`slo-${SLO.id}-burn-`)).map((i) => i.ruleId).sort(),
        );
      }
    } finally {
      await env.close();
    }
    // The scenario does what it is meant to: the page starts firing inside the compared minutes, after the ticket.
    const firstPage = [...firing.entries()].find(([, ids]) => ids.includes(`slo-${SLO.id}-burn-page`))?.[0];
    const firstTicket = [...firing.entries()].find(([, ids]) => ids.includes(`slo-${SLO.id}-burn-ticket`))?.[0];
    expect(firstPage).toBe(FAIL_FROM + 9 * MIN); // 1h burn (5 × 9) / 6,000 / 0.0005 = 15 > 14.4; 8 minutes give 13.3
    expect(firstTicket).toBeLessThan(firstPage!);

    // The promtool test: counters sampled every minute from START (value: events before that minute).
    const inputSeries = TRAFFIC.map((series) => {
      const values: number[] = [];
      for (let t = START; t <= COMPARE_TO; t += MIN) values.push(counterAt(series, t, mode));
      const labels = Object.entries(series.tags).sort().map(([k, v]) => `${k}="${v}"`).join(',');
      return { series: `${prometheusCounterName(series.name)}{${labels},job="obs",instance="pushgateway"}`, values: values.join(' ') };
    });
    const [group] = prometheusRuleGroups([SLO]);
    const alertRules = group!.rules.filter((r): r is Extract<typeof r, { alert: string }> => 'alert' in r);
    const alertTests = [...firing.entries()].map(([at, ids]) => ({
      eval_time: `${(at - START) / MIN}m`,
      alertname: BURN_ALERT_NAME,
      exp_alerts: ids.map((id) => {
        const rule = alertRules.find((r) => r.labels.rule_id === id)!;
        return { exp_labels: { ...rule.labels }, exp_annotations: { ...rule.annotations } };
      }),
    }));
    if (mode === 'hourly') expect(inputSeries[0]!.values).toMatch(/ 6000 100 /); // the reset at an hour
    const rulesFile = join(dir, `wallet-rules-${mode}.yml`);
    const testFile = join(dir, `wallet-test-${mode}.yml`);
    writeFileSync(rulesFile, prometheusRulesYaml([SLO]));
    writeFileSync(testFile, stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: inputSeries, alert_rule_test: alertTests }] }, { lineWidth: 0 }));
    const run = spawnSync('promtool', ['test', 'rules', testFile], { encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`).toContain('SUCCESS');
    expect(run.status).toBe(0);
    // A check that the comparison can fail: expecting the page one minute early is refused.
    const early = alertTests.map((t) => ({ ...t }));
    const pageIndex = early.findIndex((t) => t.eval_time === `${(firstPage! - MIN - START) / MIN}m`);
    const pageRule = alertRules.find((r) => r.labels.tier === 'page')!;
    early[pageIndex] = { ...early[pageIndex]!, exp_alerts: [...early[pageIndex]!.exp_alerts, { exp_labels: { ...pageRule.labels }, exp_annotations: { ...pageRule.annotations } }] };
    writeFileSync(testFile, stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: inputSeries, alert_rule_test: early }] }, { lineWidth: 0 }));
    const failing = spawnSync('promtool', ['test', 'rules', testFile], { encoding: 'utf8' });
    expect(failing.status).not.toBe(0);
  });
  /**
   * A latency SLO through the histogram series: ai-response-latency (95% within 3 s), 20 responses
   * a minute of 1 s, then from FAIL_FROM all of 5 s. The exporter's `_bucket{le="3000"}` counts the
   * 1 s responses (their rollup bucket is under 3 s, the SLO job's rule) and `_count` all of them;
   * the expected alerts are again the evaluator's, minute by minute.
   */
  it.each(['monotonic', 'hourly'] as const)('ai-response-latency (3 s) when every response turns slow (%s counters): the ticket, then the page, in the evaluator\'s minutes', async (mode) => {
    const slo = getSlo('ai-response-latency') as SloSpec;
    const metric = 'product.ai.response.latency_ms';
    const PER_MINUTE = 20;
    const latencyAt = (m: number) => (m < FAIL_FROM ? 1_000 : 5_000);
    const compareFrom = FAIL_FROM + 20 * MIN;
    const compareTo = FAIL_FROM + 46 * MIN;
    const env = await AlertEnv.open();
    const firing = new Map<number, string[]>();
    try {
      const rows: EventRow[] = [];
      for (let m = START, n = 0; m < compareTo; m += MIN) {
        for (let i = 0; i < PER_MINUTE; i++, n++) {
          const ts = m + i * 1_000;
          rows.push({ event_id: `latency-${n}`, name: metric, kind: 'timing', value: latencyAt(m), event_ts_ms: ts, ingest_ts_ms: ts, series_key: seriesKey({}), tags: '{}', service: 'ai', environment: 'test', message_id: null });
        }
      }
      await env.warehouse.insertEvents(rows);
      for (let at = compareFrom; at <= compareTo; at += MIN) {
        await env.aggregate(at);
        await env.evaluate(at);
        const instances = await env.runtime().store.loadInstances();
        firing.set(at, instances.filter((i) => i.state === 'firing' && i.ruleId.startsWith(`slo-${slo.id}-burn-`)).map((i) => i.ruleId).sort());
      }
    } finally {
      await env.close();
    }
    const firstPage = [...firing.entries()].find(([, ids]) => ids.includes(`slo-${slo.id}-burn-page`))?.[0];
    const firstTicket = [...firing.entries()].find(([, ids]) => ids.includes(`slo-${slo.id}-burn-ticket`))?.[0];
    // 1h: 44 slow minutes of 60 = 0.733 / 0.05 = 14.7 > 14.4 (43 give 14.3); 5m: all slow.
    expect(firstPage).toBe(FAIL_FROM + 44 * MIN);
    // 3d holds the 7 h of traffic: 23 / 443 = 0.052 > 0.05 (22 give 0.0498); 6h: 23 / 360 > 0.05.
    expect(firstTicket).toBe(FAIL_FROM + 23 * MIN);

    // The histogram series the exporter writes for the SLI: _count (every response) and _bucket{le="3000"} (the fast ones).
    const names = prometheusHistogramNames(metric);
    const series: Array<{ selector: string; events: SeriesEvents }> = [
      { selector: `${names.count}{job="obs",instance="pushgateway"}`, events: { name: metric, tags: {}, perMinute: () => PER_MINUTE } },
      { selector: `${names.bucket}{le="3000",job="obs",instance="pushgateway"}`, events: { name: metric, tags: {}, perMinute: (m) => (latencyAt(m) <= 3_000 ? PER_MINUTE : 0) } },
    ];
    const inputSeries = series.map(({ selector, events }) => {
      const values: number[] = [];
      for (let t = START; t <= compareTo; t += MIN) values.push(counterAt(events, t, mode));
      return { series: selector, values: values.join(' ') };
    });
    const [group] = prometheusRuleGroups([slo]);
    const alertRules = group!.rules.filter((r): r is Extract<typeof r, { alert: string }> => 'alert' in r);
    const alertTests = [...firing.entries()].map(([at, ids]) => ({
      eval_time: `${(at - START) / MIN}m`,
      alertname: BURN_ALERT_NAME,
      exp_alerts: ids.map((id) => {
        const rule = alertRules.find((r) => r.labels.rule_id === id)!;
        return { exp_labels: { ...rule.labels }, exp_annotations: { ...rule.annotations } };
      }),
    }));
    const rulesFile = join(dir, `ai-latency-rules-${mode}.yml`);
    const testFile = join(dir, `ai-latency-test-${mode}.yml`);
    const rulesYaml = prometheusRulesYaml([slo]);
    expect(rulesYaml).toContain(`${names.bucket}{le="3000"}`);
    writeFileSync(rulesFile, rulesYaml);
    const write = (tests: typeof alertTests) => writeFileSync(testFile, stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: inputSeries, alert_rule_test: tests }] }, { lineWidth: 0 }));
    write(alertTests);
    const run = spawnSync('promtool', ['test', 'rules', testFile], { encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`).toContain('SUCCESS');
    expect(run.status).toBe(0);
    // The comparison can fail: the page one minute early is refused.
    const pageRule = alertRules.find((r) => r.labels.tier === 'page')!;
    write(alertTests.map((t) => (t.eval_time === `${(firstPage! - MIN - START) / MIN}m` ? { ...t, exp_alerts: [...t.exp_alerts, { exp_labels: { ...pageRule.labels }, exp_annotations: { ...pageRule.annotations } }] } : t)));
    expect(spawnSync('promtool', ['test', 'rules', testFile], { encoding: 'utf8' }).status).not.toBe(0);
  }, 300_000);
});
