import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { secretVariants } from '../../../shared/redaction';
import { configSecrets } from '../../../alerts/run/runtime';
import { thresholdRules } from '../../../alerts/rules/threshold-rules';
import { CHANNEL_IDS } from '../../../shared/channels';
import { freePort } from '../../../cli/local/emulators';
import { AlertEnv, MIN, T0 } from './support/alert-env';
import { thresholdRule } from '../../unit/alerts/helpers';
import { SmtpStandIn } from './support/smtp-stand-in';

const ROUTING_KEY = 'R0UT1NG-KEY-7f3a9c2e5b1d4068a9e2';
const SLACK_TOKEN_PATH = '/services/T0SECRET/B0SECRET/xoxSECRETt0ken1234567890';
const SAFETY_TOKEN_PATH = '/services/T0SECRET/B0SAFETY/safetySECRETt0ken987654';
const SMTP_PASSWORD = 'p@ss:w0rd/S3CRET';

/**
 * No notifier leaks a secret (STYLE.md, after Alertmanager): every channel is configured with
 * a distinctive secret and made to fail — a server that echoes the secret back in its error body,
 * a closed port, rejected SMTP credentials — and then every place text goes is searched: the
 * evaluation reports, every log line, every alert_log row, the outbox file, notifier targets.
 */
describe('secrets never appear in reports, logs, alert_log or the outbox', () => {
  it('for every notifier, whatever goes wrong', async () => {
    // A "Slack" and a "PagerDuty" that echo what they were sent (URL and body) in a 500/400 answer.
    const echo = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.writeHead(req.url?.startsWith('/v2/enqueue') ? 400 : 500, { 'content-type': 'text/plain' });
        res.end(`cannot handle ${req.url} with ${body.slice(0, 200)}`);
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const echoPort = (echo.address() as AddressInfo).port;
    const closedPort = await freePort();
    const smtp = await new SmtpStandIn().start();

    const env = await AlertEnv.open({
      SLACK_ONCALL_WEBHOOK: `http://127.0.0.1:${echoPort}${SLACK_TOKEN_PATH}`,
      SLACK_SAFETY_WEBHOOK: `http://127.0.0.1:${closedPort}${SAFETY_TOKEN_PATH}`,
      PAGERDUTY_INTEGRATION_KEY: ROUTING_KEY,
      PAGERDUTY_EVENTS_URL: `http://127.0.0.1:${echoPort}/v2/enqueue`,
      SMTP_URL: smtp.url(SMTP_PASSWORD), // the server expects another password: authentication fails
      OPS_EMAIL: 'ops@avalo.test',
      FINANCE_EMAIL: 'finance@avalo.test',
    });
    try {
      await env.seedCounts('product.wallet.spend.failed', {}, T0 - 5 * MIN, T0, 5); // P0 wallet: PagerDuty, oncall Slack, finance e-mail
      await env.seedCounts('product.safety.incident.count', {}, T0 - 30 * MIN, T0, 1); // P1 safety: oncall + safety Slack
      await env.seedCounts('product.support.ticket.created', {}, T0 - 5 * MIN, T0, 1); // the P3 rule below: ops e-mail
      const p3 = thresholdRule({ id: 'support-tickets-p3', severity: 'P3', module: 'support', metric: 'product.support.ticket.created', threshold: 1 });
      const runtime = env.runtime({ rules: [...thresholdRules(), p3] });

      const reports = [await env.evaluate(T0, runtime), await env.evaluate(T0 + 2 * MIN, runtime)];
      const failedChannels = new Set(reports.flatMap((r) => r.deliveries.filter((d) => d.outcome !== 'delivered').map((d) => d.channel)));
      expect([...failedChannels].sort()).toEqual([...CHANNEL_IDS].sort()); // every notifier was made to fail

      const haystacks: Array<[string, string]> = [
        ['reports', JSON.stringify(reports)],
        ['log lines', env.logger.lines.join('\n')],
        ['alert_log', JSON.stringify(await env.alertLog())],
        ['targets', JSON.stringify([...runtime.notifiers.values()].map((n) => n.target))],
        ['outbox', existsSync(env.outboxPath) ? readFileSync(env.outboxPath, 'utf8') : ''],
      ];
      // The reasons are there (so the test looks at real error text) …
      expect(haystacks[0]![1]).toContain('HTTP 500');
      expect(haystacks[0]![1]).toContain('HTTP 400');
      expect(haystacks[0]![1]).toContain('ECONNREFUSED');
      expect(haystacks[0]![1]).toMatch(/EAUTH|Invalid login|535/);
      expect(haystacks[0]![1]).toContain('[REDACTED]');
      // … and not one secret, in any form.
      const secrets = secretVariants(configSecrets(env.config));
      expect(secrets).toEqual(expect.arrayContaining([ROUTING_KEY, SMTP_PASSWORD, SLACK_TOKEN_PATH.slice(1)]));
      for (const [where, text] of haystacks) {
        for (const secret of [...secrets, 'xoxSECRETt0ken1234567890', 'safetySECRETt0ken987654', encodeURIComponent(SMTP_PASSWORD)]) {
          expect({ where, leaked: text.includes(secret) ? secret : null }).toEqual({ where, leaked: null });
        }
      }
    } finally {
      await env.close();
      await smtp.close();
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});
