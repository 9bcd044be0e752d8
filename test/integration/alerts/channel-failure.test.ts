import type { EvaluationReport } from '../../../alerts/run/evaluate-run';
import type { HttpStandIn, ScriptedResponse } from './support/http-stand-in';
import { AlertEnv, MIN, T0 } from './support/alert-env';
import { PAGERDUTY, startPagerDutyStandIn } from './support/pagerduty-stand-in';
import { startSlackStandIn } from './support/slack-stand-in';
import { SmtpStandIn } from './support/smtp-stand-in';

const FAILING = 'pipeline-channel-failing{failing_channel=pagerduty}';
const texts = (slack: HttpStandIn) => slack.requests.map((r) => (r.body as { text: string }).text);
const channelTransitions = (report: EvaluationReport) => report.transitions.filter((t) => t.ruleId === 'pipeline-channel-failing').map((t) => [t.fingerprint, t.severity, t.from, t.to]);

/**
 * PagerDuty refuses every event while a P0 keeps firing: after 10 minutes of failed deliveries the
 * P1 `pipeline-channel-failing` alert reaches oncall Slack and ops e-mail — never PagerDuty — once;
 * when PagerDuty accepts again it resolves, once. Every evaluation a minute apart on the injected
 * clock; the stand-ins count what they received.
 */
describe.each<[string, ScriptedResponse]>([
  ['HTTP 500 (retried with backoff)', PAGERDUTY.serverError],
  ['HTTP 400 (failed for good at the first attempt)', PAGERDUTY.badRequest],
])('a PagerDuty that answers every event with %s', (_name, refusal) => {
  let env: AlertEnv;
  let slack: HttpStandIn;
  let pagerduty: HttpStandIn;
  let smtp: SmtpStandIn;
  const reports: EvaluationReport[] = [];

  beforeAll(async () => {
    [slack, pagerduty, smtp] = await Promise.all([startSlackStandIn(), startPagerDutyStandIn(), new SmtpStandIn().start()]);
    env = await AlertEnv.open({
      SLACK_ONCALL_WEBHOOK: slack.url,
      PAGERDUTY_INTEGRATION_KEY: 'channel-failure-routing-key',
      PAGERDUTY_EVENTS_URL: pagerduty.url,
      SMTP_URL: smtp.url(),
      OPS_EMAIL: 'ops@avalo.test',
    });
    // A P0 (function-errors-critical: more than 50 in 5 minutes) that fires from T0 on, for PagerDuty and oncall Slack.
    await env.seedCounts('infra.function.error.count', { function: 'ingest' }, T0 - 5 * MIN, T0 + 60 * MIN, 20);
    pagerduty.answer(...Array.from({ length: 200 }, () => refusal));
  });
  afterAll(async () => {
    await env.close();
    await Promise.all([slack.close(), pagerduty.close(), smtp.close()]);
  });

  const run = async (minute: number) => {
    const report = await env.evaluate(T0 + minute * MIN);
    reports.push(report);
    return report;
  };

  it('does not fire in the first 10 minutes of failures', async () => {
    for (let m = 0; m <= 9; m++) expect(channelTransitions(await run(m))).toEqual([]);
    expect(pagerduty.requests.length).toBeGreaterThan(0);
    expect(pagerduty.requests.every((r) => r.status === refusal.status)).toBe(true);
    expect(texts(slack)).toEqual(['[FIRING:1] [P0] Cloud Function errors (infrastructure): 100 > 50']);
    expect(smtp.messages).toHaveLength(0);
  });

  it('fires once PagerDuty has refused every delivery for 10 minutes: to oncall Slack and ops e-mail, not to PagerDuty', async () => {
    const fired: EvaluationReport[] = [];
    for (let m = 10; m <= 12; m++) {
      const report = await run(m);
      if (channelTransitions(report).length > 0) fired.push(report);
    }
    expect(fired.map(channelTransitions)).toEqual([[[FAILING, 'P1', 'inactive', 'firing']]]);
    expect(fired[0]!.recorded.filter((n) => n.fingerprint === FAILING).map((n) => n.channel).sort()).toEqual(['oncall-slack', 'ops-email']);

    const title = /^\[FIRING:1\] \[P1\] Notification channel failing \{failing_channel=pagerduty\} \(infrastructure\): 1\d(\.\d)? min >= 10 min$/;
    expect(texts(slack)).toEqual([expect.stringContaining('[P0] Cloud Function errors'), expect.stringMatching(title)]);
    expect(slack.requests[1]!.raw).toContain('docs/OPERATIONS.md#runbook-pipeline-channel-failing');
    expect(smtp.messages.map((m) => [m.to && 'text' in m.to ? m.to.text : '', m.subject])).toEqual([['ops@avalo.test', expect.stringMatching(title)]]);
    expect(pagerduty.raws()).not.toContain('pipeline-channel-failing');
    expect([slack.invalid(), pagerduty.invalid()]).toEqual([[], []]);
  });

  it('sends nothing twice while PagerDuty keeps refusing', async () => {
    for (let m = 13; m <= 20; m++) expect(channelTransitions(await run(m))).toEqual([]);
    expect(slack.requests).toHaveLength(2);
    expect(smtp.messages).toHaveLength(1);
    expect(pagerduty.raws()).not.toContain('pipeline-channel-failing');
    // PagerDuty only ever saw the P0's trigger (retried while it was retryable).
    expect(new Set(pagerduty.requests.map((r) => (r.body as { dedup_key: string }).dedup_key))).toEqual(new Set(['function-errors-critical']));
  });

  it('resolves, once, after PagerDuty accepts a delivery again', async () => {
    pagerduty.reset(); // from now on: 202
    // The function errors stop: the P0 resolves, and its resolve (or, on 500, the trigger's next
    // retry) is a delivery PagerDuty accepts, which ends the run of failures.
    await env.seedCounts('infra.function.error.count', { function: 'ingest' }, T0 + 20 * MIN, T0 + 60 * MIN, 0);
    for (let m = 21; m <= 60 && !reports.some((r) => channelTransitions(r).some(([, , , to]) => to === 'resolved')); m++) await run(m);
    const resolved = reports.flatMap(channelTransitions).filter(([, , , to]) => to === 'resolved');
    expect(resolved).toEqual([[FAILING, 'P1', 'firing', 'resolved']]);
    expect(pagerduty.requests.some((r) => r.status === 202)).toBe(true);
    expect(texts(slack).filter((t) => t.includes('Notification channel failing'))).toEqual([expect.stringMatching(/^\[FIRING:1\]/), expect.stringMatching(/^Resolved: .* — was /)]);
    expect(smtp.messages.map((m) => m.subject)).toEqual([expect.stringMatching(/^\[FIRING:1\]/), expect.stringMatching(/^Resolved: \[P1\] Notification channel failing/)]);
    expect(pagerduty.raws()).not.toContain('pipeline-channel-failing');
  });
});
