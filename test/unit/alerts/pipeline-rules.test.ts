import { evaluatePipelineRule } from '../../../alerts/evaluate/pipeline-evaluator';
import { RuleDataSnapshot } from '../../../alerts/evaluate/rule-data';
import { inhibitor } from '../../../alerts/mute/inhibition';
import { routeAlert } from '../../../alerts/routing/route-tree';
import { ROUTES } from '../../../alerts/routing/routes';
import { pipelineRules } from '../../../alerts/rules/pipeline-rules';
import { defaultAlertRules } from '../../../alerts/rules/rule-set';
import { PIPELINE_ALERT_RULES, PIPELINE_JOBS } from '../../../shared/alert-rules';
import { CHANNEL_IDS } from '../../../shared/channels';
import { ALERTS_JOB, ROLLUP_JOB } from '../../../sql/job-state';

const MIN = 60_000;
const DAY = 1_440 * MIN;
const NOW = Date.UTC(2026, 10, 26, 3, 0, 0);
const rule = (id: string) => pipelineRules().find((r) => r.id === id)!;
const evaluate = (id: string, snapshot: RuleDataSnapshot) => evaluatePipelineRule(rule(id), snapshot);

describe('the pipeline rules (catalogue)', () => {
  it('are in the default rule set with their severities, and read the job names the jobs write', () => {
    const ids = defaultAlertRules().filter((r) => r.kind === 'pipeline').map((r) => [r.id, r.severity]);
    expect(ids).toEqual([
      ['pipeline-stale-rollups', 'P1'],
      ['pipeline-stale-alerts', 'P1'],
      ['pipeline-dead-letters', 'P2'],
      ['pipeline-module-absent', 'P2'],
      ['pipeline-channel-failing', 'P1'],
      ['pipeline-export-lag-datadog', 'P2'],
      ['pipeline-export-lag-gcp', 'P2'],
      ['pipeline-export-lag-prometheus', 'P2'],
    ]);
    expect(PIPELINE_JOBS).toEqual({ rollup: ROLLUP_JOB, alerts: ALERTS_JOB });
  });

  it('refuses bad configuration at start-up, naming the rule', () => {
    const bad = { ...PIPELINE_ALERT_RULES[2]!, check: { type: 'dead-letter-ratio' as const, windowSeconds: 90, maxPercent: 1, minMessages: 100 } };
    expect(() => pipelineRules([bad])).toThrow('alert rule pipeline-dead-letters: windowSeconds must be a positive multiple of 60, got 90');
  });
});

describe('pipeline-stale', () => {
  const jobs = (rollupWatermarkMs: number, alertsLastRunMs: number, rollupLastRunMs = rollupWatermarkMs + 10_000) =>
    new RuleDataSnapshot(NOW).setJobStates([
      { job: 'rollup', watermarkMs: rollupWatermarkMs, lastRunMs: rollupLastRunMs },
      { job: 'alerts', watermarkMs: null, lastRunMs: alertsLastRunMs },
    ]);

  it.each([
    ['a watermark 4 min 50 s old is fresh', NOW - 290_000, false, 4.8],
    ['a watermark exactly 5 min old is fresh', NOW - 5 * MIN, false, 5],
    ['a watermark 5 min 6 s old is stale', NOW - 306_000, true, 5.1],
  ])('rollups: %s', (_name, watermarkMs, breaching, value) => {
    expect(evaluate('pipeline-stale-rollups', jobs(watermarkMs, NOW - MIN))[0]).toMatchObject({ fingerprint: 'pipeline-stale-rollups', breaching, value });
  });

  it('alerts: measured against the rollup job, which kept running — stale after a gap, not when the whole schedule stopped', () => {
    expect(evaluate('pipeline-stale-alerts', jobs(NOW - 10_000, NOW - 9 * MIN, NOW))[0]).toMatchObject({ breaching: true, value: 9 });
    expect(evaluate('pipeline-stale-alerts', jobs(NOW - 20 * MIN, NOW - 20 * MIN, NOW - 20 * MIN))[0]).toMatchObject({ breaching: false, value: 0 });
  });

  it('a job that never ran observes no data (never fires)', () => {
    expect(evaluate('pipeline-stale-rollups', new RuleDataSnapshot(NOW).setJobStates([]))[0]).toMatchObject({ value: null, breaching: false });
  });
});

describe('pipeline-export-lag', () => {
  const cursor = (job: string, watermarkMs: number) => new RuleDataSnapshot(NOW).setJobStates([{ job, watermarkMs, lastRunMs: NOW }]);
  it.each([
    ['a cursor 2 min behind (a healthy exporter) is fresh', 'datadog', NOW - 2 * MIN, false, 2],
    ['a cursor exactly 10 min behind is fresh', 'gcp', NOW - 10 * MIN, false, 10],
    ['a cursor 12 min behind (a provider refusing for ten minutes) fires', 'prometheus', NOW - 12 * MIN, true, 12],
  ])('%s', (_name, exporter, watermarkMs, breaching, value) => {
    expect(evaluate(`pipeline-export-lag-${exporter}`, cursor(`export:${exporter}`, watermarkMs))[0]).toMatchObject({ breaching, value });
  });

  it('an exporter that is not configured (no cursor row) is never judged', () => {
    expect(evaluate('pipeline-export-lag-gcp', cursor('export:datadog', NOW - 60 * MIN))[0]).toMatchObject({ value: null, breaching: false });
  });
});

describe('pipeline-dead-letters', () => {
  const counts = (messages: number, deadLetteredMessages: number) => new RuleDataSnapshot(NOW).setDeadLetters(600, { messages, deadLetteredMessages, deadLetters: deadLetteredMessages });
  it.each([
    ['2 of 100 messages (2%)', 100, 2, true, 2],
    ['1 of 100 messages (exactly 1%)', 100, 1, false, 1],
    ['50 of 99 messages: under the 100-message minimum', 99, 50, false, 50.51],
    ['no messages at all', 0, 0, false, 0],
  ])('%s', (_name, messages, dead, breaching, value) => {
    expect(evaluate('pipeline-dead-letters', counts(messages, dead))[0]).toMatchObject({ breaching, value });
  });
});

describe('pipeline-module-absent', () => {
  const today = Math.floor(NOW / DAY) * DAY;
  // 2,000 a day: about 21 expected in 15 minutes, above the rule's 10.
  const days = (metric: string, from: number, to: number, events = 2_000) => Array.from({ length: to - from + 1 }, (_, i) => ({ metric, dayStartMs: today - (from + i) * DAY, events }));
  const snapshot = (rows: Parameters<RuleDataSnapshot['setModuleActivity']>[2]['rows']) => new RuleDataSnapshot(NOW).setModuleActivity(9, 900, { rows, windowEndMs: NOW });

  it('one instance per module active on each of the last 7 days; it breaches when the module is silent', () => {
    const observations = evaluate(
      'pipeline-module-absent',
      snapshot([
        ...days('product.call.started.count', 1, 7),
        ...days('product.chat.message.count', 1, 7),
        { metric: 'product.chat.message.count', dayStartMs: null, events: 3 },
        ...days('product.support.ticket.created', 1, 6),
      ]),
    );
    expect(observations.map((o) => [o.fingerprint, o.labels.module, o.value, o.breaching])).toEqual([
      ['pipeline-module-absent{module=chat}', 'chat', 3, false],
      ['pipeline-module-absent{module=calls}', 'calls', 0, true],
    ]);
  });

  it('does not judge a module too quiet to expect 10 events in 15 minutes (900 a day: 9.4 expected), and judges one at 1,000 a day (10.4)', () => {
    expect(evaluate('pipeline-module-absent', snapshot(days('product.call.started.count', 1, 7, 900)))).toEqual([]);
    expect(evaluate('pipeline-module-absent', snapshot(days('product.call.started.count', 1, 7, 1_000)))).toMatchObject([{ breaching: true }]);
  });

  it('keeps a module silent for up to 2 whole days active (the alert does not resolve at midnight), not 3', () => {
    expect(evaluate('pipeline-module-absent', snapshot(days('product.call.started.count', 3, 9)))).toMatchObject([{ breaching: true }]);
    expect(evaluate('pipeline-module-absent', snapshot(days('product.call.started.count', 4, 9)))).toEqual([]);
  });
});

describe('pipeline-channel-failing', () => {
  const deliveries = (firstFailureAgoMs: number, lastSuccessAgoMs: number | null) =>
    new RuleDataSnapshot(NOW).setChannelDeliveries(3_600, [
      { channel: 'pagerduty', attempts: 4, lastSuccessMs: lastSuccessAgoMs === null ? null : NOW - lastSuccessAgoMs, failuresSinceSuccess: 3, firstFailureSinceSuccessMs: NOW - firstFailureAgoMs, lastFailureMs: NOW - MIN },
    ]);
  it.each([
    ['failing for 9.9 minutes', 594_000, null, false],
    ['failing for 10 minutes, nothing succeeded in the hour', 10 * MIN, null, true],
    ['failing for 25 minutes since a success 26 minutes ago', 25 * MIN, 26 * MIN, true],
  ])('%s', (_name, ago, success, breaching) => {
    const [o] = evaluate('pipeline-channel-failing', deliveries(ago, success));
    expect(o).toMatchObject({ fingerprint: 'pipeline-channel-failing{failing_channel=pagerduty}', breaching, labels: { failing_channel: 'pagerduty', severity: 'P1', kind: 'pipeline' } });
  });

  it('a channel whose last attempt succeeded does not breach', () => {
    const snapshot = new RuleDataSnapshot(NOW).setChannelDeliveries(3_600, [{ channel: 'oncall-slack', attempts: 5, lastSuccessMs: NOW - MIN, failuresSinceSuccess: 0, firstFailureSinceSuccessMs: null, lastFailureMs: NOW - 20 * MIN }]);
    expect(evaluate('pipeline-channel-failing', snapshot)).toMatchObject([{ value: 0, breaching: false }]);
  });
});

describe('routing and muting of the pipeline alerts', () => {
  const labels = (failing: string) => ({ alertname: 'pipeline-channel-failing', severity: 'P1', module: 'infrastructure', kind: 'pipeline', failing_channel: failing });
  it.each([
    ['pagerduty', ['oncall-slack', 'ops-email']],
    ['oncall-slack', ['pagerduty', 'ops-email']],
    ['ops-email', ['pagerduty', 'oncall-slack']],
    ['safety-slack', ['pagerduty', 'oncall-slack', 'ops-email']],
    ['finance-email', ['pagerduty', 'oncall-slack', 'ops-email']],
  ])('a failing %s is reported to %j, never to itself', (failing, expected) => {
    expect(routeAlert(ROUTES, labels(failing)).map((r) => r.channel)).toEqual(expected);
  });

  it('no route, whatever it lists, delivers a channel-failure alert to the failing channel', () => {
    const everywhere = { name: 'root', receivers: CHANNEL_IDS };
    for (const channel of CHANNEL_IDS) expect(routeAlert(everywhere, labels(channel)).map((r) => r.channel)).not.toContain(channel);
  });

  it('an infrastructure P0 does not mute the pipeline alerts (it still mutes other infrastructure alerts)', () => {
    const muter = inhibitor([{ fingerprint: 'function-errors-critical', labels: { alertname: 'function-errors-critical', severity: 'P0', module: 'infrastructure', kind: 'threshold' } }]);
    expect(muter.mutes(labels('pagerduty'), 'pipeline-channel-failing{failing_channel=pagerduty}')).toBeUndefined();
    expect(muter.mutes({ alertname: 'api-latency-medium', severity: 'P2', module: 'infrastructure', kind: 'threshold' }, 'api-latency-medium')).toMatchObject({ rule: 'p0-mutes-module' });
  });
});
