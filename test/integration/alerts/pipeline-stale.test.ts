import { ALERTS_JOB, recordJobRun } from '../../../sql/job-state';
import type { EvaluationReport } from '../../../alerts/run/evaluate-run';
import type { HttpStandIn } from './support/http-stand-in';
import { AlertEnv, MIN, T0 } from './support/alert-env';
import { startSlackStandIn } from './support/slack-stand-in';

const texts = (slack: HttpStandIn) => slack.requests.map((r) => (r.body as { text: string }).text);
const pipelineTransitions = (report: EvaluationReport) =>
  report.transitions.filter((t) => t.ruleId.startsWith('pipeline-stale')).map((t) => [t.fingerprint, t.severity, t.from, t.to, t.value]);

/**
 * The `pipeline-stale` rules through the real pipeline: the rollup job (aggregator) and the alert
 * evaluator write their job_state rows in DuckDB as they do on schedule; a P1 reaches oncall Slack
 * when one of them falls 5 minutes behind and resolves once it is fresh again.
 */
describe('pipeline-stale: the rollups or the evaluator fall behind', () => {
  let env: AlertEnv;
  let slack: HttpStandIn;

  beforeAll(async () => {
    slack = await startSlackStandIn();
    env = await AlertEnv.open({ SLACK_ONCALL_WEBHOOK: slack.url });
    await env.insertCountEvents('product.chat.message.sent', {}, T0 - 30 * MIN, T0 + 40 * MIN, 3);
  });
  afterAll(async () => {
    await env.close();
    await slack.close();
  });

  /** One scheduled evaluation, recording its job_state row after it succeeded (as the scheduled handler does). */
  const evaluate = async (at: number) => {
    const report = await env.evaluate(at);
    await recordJobRun(env.warehouse, ALERTS_JOB, at, { runId: report.runId });
    return report;
  };
  /** One minute of both schedules: the rollup job, then the evaluation. */
  const tick = async (at: number) => {
    await env.aggregate(at);
    return evaluate(at);
  };

  it('stays quiet while both jobs run every minute', async () => {
    for (let m = 0; m <= 2; m++) expect(pipelineTransitions(await tick(T0 + m * MIN))).toEqual([]);
    expect(slack.requests).toHaveLength(0);
  });

  it('fires pipeline-stale-rollups (P1) once the rollup watermark is more than 5 minutes old, while the evaluator runs', async () => {
    // The rollup job stops after T0+2m; its watermark stays at T0+2m − 10 s (the settle time), so
    // at T0+7m it is 5 min 10 s old. The evaluator keeps running.
    for (let m = 3; m <= 6; m++) expect(pipelineTransitions(await evaluate(T0 + m * MIN))).toEqual([]);
    const report = await evaluate(T0 + 7 * MIN);
    expect(pipelineTransitions(report)).toEqual([['pipeline-stale-rollups', 'P1', 'inactive', 'firing', 5.1]]);
    expect(texts(slack)).toEqual(['[FIRING:1] [P1] Rollups stale (infrastructure): 5.1 min > 5 min']);
    expect(slack.requests[0]!.raw).toContain('docs/OPERATIONS.md#runbook-pipeline-stale-rollups');
    expect(slack.invalid()).toEqual([]);
    // Still stale a minute later: no second message.
    expect(pipelineTransitions(await evaluate(T0 + 8 * MIN))).toEqual([]);
    expect(pipelineTransitions(await evaluate(T0 + 9 * MIN))).toEqual([]);
    expect(slack.requests).toHaveLength(1);
  });

  it('resolves pipeline-stale-rollups at the first evaluation after the rollup job ran again', async () => {
    const report = await tick(T0 + 10 * MIN);
    expect(pipelineTransitions(report)).toEqual([['pipeline-stale-rollups', 'P1', 'firing', 'resolved', 0.1]]);
    expect(texts(slack)[1]).toBe('Resolved: [P1] Rollups stale (infrastructure) — was 5.1 min > 5 min, now 0.1 min');
  });

  it('fires pipeline-stale-alerts at the first evaluation after a gap of more than 5 minutes, and resolves at the next one on schedule', async () => {
    await tick(T0 + 11 * MIN);
    // The evaluator stops for 9 minutes (it cannot page about that itself: the dead man's switch
    // does); the rollup job keeps running.
    for (let m = 12; m <= 20; m++) await env.aggregate(T0 + m * MIN);
    expect(slack.requests).toHaveLength(2);
    const after = await tick(T0 + 20 * MIN);
    expect(pipelineTransitions(after)).toEqual([['pipeline-stale-alerts', 'P1', 'inactive', 'firing', 9]]);
    expect(texts(slack)[2]).toBe('[FIRING:1] [P1] Alert evaluation stale (infrastructure): 9 min > 5 min');

    const next = await tick(T0 + 21 * MIN);
    expect(pipelineTransitions(next)).toEqual([['pipeline-stale-alerts', 'P1', 'firing', 'resolved', 1]]);
    expect(texts(slack)[3]).toBe('Resolved: [P1] Alert evaluation stale (infrastructure) — was 9 min > 5 min, now 1 min');
    expect(slack.requests).toHaveLength(4);
  });

  it('fires pipeline-stale-alerts when the evaluator ran within 5 minutes but not since: 5 minutes is not stale, 5.1 is', async () => {
    await tick(T0 + 22 * MIN);
    await env.aggregate(T0 + 27 * MIN);
    expect(pipelineTransitions(await tick(T0 + 27 * MIN))).toEqual([]);
    await env.aggregate(T0 + 32 * MIN + 6_000);
    expect(pipelineTransitions(await tick(T0 + 32 * MIN + 6_000))).toEqual([['pipeline-stale-alerts', 'P1', 'resolved', 'firing', 5.1]]);
  });
});
