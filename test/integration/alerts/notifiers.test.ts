import { readFileSync } from 'node:fs';
import { sendWithRetry } from '../../../alerts/notify/retry-policy';
import type { Notifier } from '../../../alerts/notifiers/notifier';
import type { HttpStandIn } from './support/http-stand-in';
import { AlertEnv, T0 } from './support/alert-env';
import { batchOf, walletInstance } from './support/batches';
import { PAGERDUTY, startPagerDutyStandIn } from './support/pagerduty-stand-in';
import { SLACK, startSlackStandIn } from './support/slack-stand-in';
import { SmtpStandIn } from './support/smtp-stand-in';

/**
 * Each notifier against a local stand-in of its service: payloads checked on every request, and
 * the answers that exercise the one retry policy — success, 400, 429 with Retry-After, 500.
 * Waits go through the fake clock: the tests assert how long the code waited, without waiting.
 */
describe('notifiers against stand-ins of Slack, PagerDuty and an SMTP server', () => {
  let slack: HttpStandIn;
  let pagerduty: HttpStandIn;
  let smtp: SmtpStandIn;
  let env: AlertEnv;
  let notifiers: ReadonlyMap<string, Notifier>;

  beforeAll(async () => {
    [slack, pagerduty, smtp] = await Promise.all([startSlackStandIn(), startPagerDutyStandIn(), new SmtpStandIn().start()]);
    env = await AlertEnv.open({
      SLACK_ONCALL_WEBHOOK: slack.url,
      PAGERDUTY_INTEGRATION_KEY: 'pd-routing-key-0123456789abcdef',
      PAGERDUTY_EVENTS_URL: pagerduty.url,
      SMTP_URL: smtp.url(),
      OPS_EMAIL: 'ops@avalo.test',
      FINANCE_EMAIL: 'finance@avalo.test,cfo@avalo.test',
    });
    notifiers = env.runtime().notifiers;
  });
  afterAll(async () => {
    await env.close();
    await Promise.all([slack.close(), pagerduty.close(), smtp.close()]);
  });
  beforeEach(() => {
    slack.reset();
    pagerduty.reset();
    // Time only moves forward (the Slack limiter remembers when each webhook is free again).
    env.clock.set(env.clock.now() + 3_600_000);
    env.clock.waits.length = 0;
  });

  const send = (channel: string, batch = batchOf(channel as never)) => sendWithRetry(() => notifiers.get(channel)!.send(batch), env.clock);

  describe('Slack incoming webhook', () => {
    it('200 "ok" is success; the payload passes the Block Kit checks', async () => {
      const outcome = await send('oncall-slack');
      expect(outcome.result).toEqual({ outcome: 'ok', detail: 'HTTP 200 ok' });
      expect(slack.invalid()).toEqual([]);
      expect(slack.requests).toHaveLength(1);
    });

    it('honours 429 Retry-After and then succeeds', async () => {
      slack.answer(SLACK.rateLimited(7));
      const outcome = await send('oncall-slack');
      expect([outcome.result.outcome, outcome.attempts]).toEqual(['ok', 2]);
      expect(outcome.waitsMs).toEqual([7_000]);
    });

    it('retries 500 with backoff; gives up for this run after the policy\'s attempts', async () => {
      slack.answer(SLACK.serverError, SLACK.serverError, SLACK.serverError);
      const outcome = await send('oncall-slack');
      expect(outcome.result).toMatchObject({ outcome: 'retryable', reason: 'HTTP 500: internal_error' });
      expect(outcome.attempts).toBe(3);
    });

    it('a 400 is permanent and not retried', async () => {
      slack.answer(SLACK.invalidPayload);
      const outcome = await send('oncall-slack');
      expect([outcome.result, outcome.attempts]).toEqual([{ outcome: 'permanent', reason: 'HTTP 400: invalid_payload' }, 1]);
    });

    it('sends at most one message per second per webhook', async () => {
      await send('oncall-slack');
      await send('oncall-slack');
      await send('oncall-slack');
      expect(slack.requests).toHaveLength(3);
      expect(env.clock.waits).toEqual([1_000, 1_000]);
    });
  });

  describe('PagerDuty Events API v2', () => {
    it('202 is success, and every event is valid against PagerDuty\'s OpenAPI schema', async () => {
      const outcome = await send('pagerduty', batchOf('pagerduty', walletInstance(), walletInstance({ state: 'resolved', resolvedAtMs: T0 + 1 })));
      expect(outcome.result.outcome).toBe('ok');
      expect(pagerduty.invalid()).toEqual([]);
      expect(pagerduty.requests.map((r) => (r.body as { event_action: string }).event_action)).toEqual(['trigger', 'resolve']);
    });

    it('the stand-in really validates: an event without a routing key is refused by the schema', async () => {
      const response = await fetch(pagerduty.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event_action: 'trigger', payload: { summary: 's', source: 'x', severity: 'fatal' } }) });
      expect(response.status).toBe(400);
      expect(pagerduty.requests[0]!.problems).toEqual(expect.arrayContaining(["/ must have required property 'routing_key'", '/payload/severity must be equal to one of the allowed values']));
    });

    it('retries 429 (Retry-After) and 500, then succeeds', async () => {
      pagerduty.answer(PAGERDUTY.rateLimited(2), PAGERDUTY.serverError);
      const outcome = await send('pagerduty');
      expect([outcome.result.outcome, outcome.attempts, outcome.waitsMs]).toEqual(['ok', 3, [2_000, 1_000]]);
    });

    it('never retries a 400', async () => {
      pagerduty.answer(PAGERDUTY.badRequest);
      const outcome = await send('pagerduty');
      expect(outcome.attempts).toBe(1);
      expect(outcome.result).toMatchObject({ outcome: 'permanent', reason: expect.stringContaining('HTTP 400') });
    });
  });

  describe('e-mail over SMTP (a real smtp-server, parsed with mailparser)', () => {
    it('sends one e-mail with plain text and HTML to every FINANCE_EMAIL address', async () => {
      const outcome = await send('finance-email', batchOf('finance-email', walletInstance(), walletInstance({ fingerprint: 'payout-failures-high', ruleId: 'payout-failures-high', severity: 'P1' })));
      expect(outcome.result.outcome).toBe('ok');
      const mail = smtp.messages.at(-1)!;
      expect(mail.to && 'value' in mail.to ? mail.to.value.map((a) => a.address) : []).toEqual(['finance@avalo.test', 'cfo@avalo.test']);
      expect(mail.from?.text).toContain('observability-alerts@avalo.test');
      expect(mail.subject).toBe('[FIRING:2] [P0] Wallet spend failures (wallet): 25 > 10 and 1 more');
      expect(mail.text).toContain('FIRING: [P0] Wallet spend failures (wallet): 25 > 10');
      expect(mail.html).toContain('<h3');
    });

    it('retries an SMTP 451 and succeeds; a 550 is permanent', async () => {
      smtp.failNext(451);
      const retried = await send('ops-email');
      expect([retried.result.outcome, retried.attempts]).toEqual(['ok', 2]);
      smtp.failNext(550);
      const refused = await send('ops-email');
      expect([refused.result.outcome, refused.attempts]).toEqual(['permanent', 1]);
    });
  });

  describe('outbox for unconfigured channels', () => {
    it('writes the safety Slack message (SLACK_SAFETY_WEBHOOK unset) to the outbox as JSON lines', async () => {
      const safety = notifiers.get('safety-slack')!;
      expect(safety.target).toBe(`outbox ${env.outboxPath}`);
      const outcome = await send('safety-slack');
      expect(outcome.result.outcome).toBe('ok');
      const entries = readFileSync(env.outboxPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(entries.at(-1)).toMatchObject({
        channel: 'safety-slack',
        reason: 'SLACK_SAFETY_WEBHOOK is not set',
        notifications: [{ kind: 'firing', fingerprint: 'wallet-spend-failures-critical', severity: 'P0' }],
        message: { text: '[FIRING:1] [P0] Wallet spend failures (wallet): 25 > 10' },
      });
    });
  });
});
