import { FakeClock } from '../../../shared/clock';
import { silentLogger } from '../../../shared/logger';
import { createLinks } from '../../../alerts/notifiers/links';
import { buildNotifiers } from '../../../alerts/notifiers/registry';
import { MinIntervalLimiter } from '../../../alerts/notify/rate-limiter';
import { createRedactor } from '../../../shared/redaction';
import { loadConfig } from '../../../shared/config';
import { T0 } from './helpers';

function targets(env: Record<string, string>): Record<string, string> {
  const config = loadConfig(env);
  const clock = new FakeClock(T0);
  const notifiers = buildNotifiers(
    { config, links: createLinks({ dashboardBaseUrl: 'http://localhost:8080' }), clock, redactor: createRedactor([]), logger: silentLogger, slackLimiter: new MinIntervalLimiter(1_000, clock), timeoutMs: 1_000 },
    '/tmp/outbox.jsonl',
  );
  const out = Object.fromEntries([...notifiers].map(([channel, n]) => [channel, n.target]));
  for (const n of notifiers.values()) (n as { close?: () => void }).close?.();
  return out;
}

describe('the table of notifiers', () => {
  it('sends every channel to the outbox when nothing is configured', () => {
    expect(Object.values(targets({}))).toEqual(Array(5).fill('outbox /tmp/outbox.jsonl'));
  });

  it('uses a channel\'s real notifier once its variables are set; e-mail needs SMTP_URL and the address', () => {
    expect(
      targets({
        SLACK_ONCALL_WEBHOOK: 'https://hooks.slack.com/services/T/B/x',
        PAGERDUTY_INTEGRATION_KEY: 'key',
        SMTP_URL: 'smtp://mail.example.com:587',
        FINANCE_EMAIL: 'finance@example.com',
      }),
    ).toEqual({
      'oncall-slack': 'slack incoming webhook',
      'safety-slack': 'outbox /tmp/outbox.jsonl',
      pagerduty: 'pagerduty https://events.pagerduty.com/v2/enqueue',
      'ops-email': 'outbox /tmp/outbox.jsonl',
      'finance-email': 'e-mail to finance@example.com',
    });
  });
});
