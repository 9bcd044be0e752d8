import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { getSlo, SLOS, type SloSpec } from '../../../shared/slo-catalogue';
import { prometheusCounterName } from '../../../shared/provider-metric-names';
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
    // 7 burn windows + 4 long-window event counts + 2 alerts per SLO; ai-response-latency (3 s) is
    // left out: the exporter has no le=3000 bucket (exporters/prometheus-text.ts).
    expect(out).toContain(`SUCCESS: ${(SLOS.length - 1) * 13} rules found`);
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
});
