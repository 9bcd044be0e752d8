import { createLinks } from '../../../alerts/notifiers/links';
import { emailMessage } from '../../../alerts/notifiers/email/email-message';
import { dedupKeyOf, pagerDutyEvent } from '../../../alerts/notifiers/pagerduty/pagerduty-event';
import { MAX_ALERTS_PER_MESSAGE, slackMessage } from '../../../alerts/notifiers/slack/slack-message';
import { deliveryLine, instanceValueText, transitionText } from '../../../alerts/notifiers/message-format';
import { instance, notification, T0 } from './helpers';

const links = createLinks({ dashboardBaseUrl: 'http://localhost:8080' });
const absolute = createLinks({ dashboardBaseUrl: 'https://obs.example.com/', runbookBaseUrl: 'https://git.example.com/repo/blob/main' });

describe('Slack message', () => {
  it('has text and blocks with severity, value against threshold, module, runbook and dashboard links', () => {
    const message = slackMessage({ channel: 'oncall-slack', items: [notification('oncall-slack')] }, absolute);
    expect(message.text).toBe('[FIRING:1] [P0] Wallet spend failures (wallet): 23 > 10');
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('*Severity*\\nP0');
    expect(json).toContain('*Value*\\n23 &gt; 10');
    expect(json).toContain('*Module*\\nwallet');
    expect(json).toContain('<https://git.example.com/repo/blob/main/docs/OPERATIONS.md#runbook-wallet-spend-failures-critical|Runbook>');
    expect(json).toContain('<https://obs.example.com/admin/observability?module=wallet|Dashboard>');
  });

  it('shows a repository runbook path as text when no base URL is configured', () => {
    const json = JSON.stringify(slackMessage({ channel: 'oncall-slack', items: [notification('oncall-slack')] }, links).blocks);
    expect(json).toContain('Runbook: `docs/OPERATIONS.md#runbook-wallet-spend-failures-critical`');
  });

  it('puts alerts that fire together in one message, within Slack\'s 50 blocks', () => {
    const items = Array.from({ length: 40 }, (_, i) => notification('oncall-slack', instance({ fingerprint: `r{n=${i}}` })));
    const message = slackMessage({ channel: 'oncall-slack', items }, links);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.text).toContain('[FIRING:40]');
    expect(JSON.stringify(message.blocks)).toContain(`and ${40 - MAX_ALERTS_PER_MESSAGE} more`);
  });

  it('says RESOLVED for a resolve, with the value that fired and the value now', () => {
    const resolved = instance({ state: 'resolved', resolvedAtMs: T0 + 60_000, value: 0, firedValue: 14 });
    const message = slackMessage({ channel: 'oncall-slack', items: [notification('oncall-slack', resolved, 'resolved')] }, links);
    expect(message.text).toBe('Resolved: [P0] Wallet spend failures (wallet) — was 14 > 10, now 0');
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('*RESOLVED* · *[P0] Wallet spend failures (wallet) — was 14 &gt; 10, now 0*');
    expect(json).toContain('*Value*\\nwas 14 &gt; 10, now 0');
  });
});

describe('PagerDuty event', () => {
  it('maps the tiers to PagerDuty severities and keeps one dedup_key per alert instance', () => {
    for (const [severity, pd] of [['P0', 'critical'], ['P1', 'error'], ['P2', 'warning'], ['P3', 'info']] as const) {
      const event = pagerDutyEvent(notification('pagerduty', instance({ severity })), 'KEY', { links, environment: 'production' });
      expect(event.payload?.severity).toBe(pd);
      expect(event.dedup_key).toBe('test-rule');
    }
  });

  it('a trigger has summary, source and custom details; a resolve only the routing key, action and dedup_key', () => {
    const trigger = pagerDutyEvent(notification('pagerduty'), 'KEY', { links, environment: 'production' });
    expect(trigger).toMatchObject({ routing_key: 'KEY', event_action: 'trigger', payload: { source: 'avalo-production/wallet', summary: '[P0] Wallet spend failures (wallet): 23 > 10' } });
    expect(trigger.payload?.custom_details).toMatchObject({ value: 23, threshold: 10, rule: 'test-rule' });
    const resolve = pagerDutyEvent(notification('pagerduty', instance({ state: 'resolved' }), 'resolved'), 'KEY', { links, environment: 'production' });
    expect(resolve).toEqual({ routing_key: 'KEY', event_action: 'resolve', dedup_key: 'test-rule' });
  });

  it('hashes a fingerprint longer than PagerDuty\'s 255-character dedup_key limit, stably', () => {
    const long = `rule{${'k=v,'.repeat(100)}}`;
    expect(dedupKeyOf(long, 'rule').length).toBeLessThanOrEqual(255);
    expect(dedupKeyOf(long, 'rule')).toBe(dedupKeyOf(long, 'rule'));
  });
});

describe('e-mail message', () => {
  it('has a subject, a plain-text and an HTML body saying the same thing, HTML escaped', () => {
    const message = emailMessage({ channel: 'finance-email', items: [notification('finance-email', instance({ annotations: { ...instance().annotations, summary: 'a <b> & c' } }))] }, links);
    expect(message.subject).toBe('[FIRING:1] [P0] Wallet spend failures (wallet): 23 > 10');
    expect(message.text).toContain('Value: 23 > 10');
    expect(message.text).toContain('Dashboard: http://localhost:8080/admin/observability?module=wallet');
    expect(message.html).toContain('a &lt;b&gt; &amp; c');
    expect(message.html).toContain('23 &gt; 10');
  });
});

/** Issue 12: "[RESOLVED:1] [P0] Wallet spend failures (wallet): 0 > 10", "firing … 0 > 10", "notification pagerduty: delivered". */
describe('alert texts say what fired and what the value is now', () => {
  const MIN = 60_000;
  const recovering = instance({ value: 0, firedValue: 14, keepFiringSinceMs: T0 + 4 * MIN, annotations: { ...instance().annotations, keepFiringForSeconds: 300 } });
  const untilText = new Date(T0 + 9 * MIN).toISOString().slice(11, 16) + 'Z';

  it('a resolve e-mail reads naturally in its subject, text and HTML', () => {
    const resolved = instance({ state: 'resolved', resolvedAtMs: T0 + 10 * MIN, value: 0, firedValue: 14 });
    const message = emailMessage({ channel: 'finance-email', items: [notification('finance-email', resolved, 'resolved')] }, links);
    expect(message.subject).toBe('Resolved: [P0] Wallet spend failures (wallet) — was 14 > 10, now 0');
    expect(message.text).toContain('RESOLVED: [P0] Wallet spend failures (wallet) — was 14 > 10, now 0');
    expect(message.text).toContain('Value: was 14 > 10, now 0');
    expect(message.text).not.toContain('0 > 10');
    expect(message.html).toContain('was 14 &gt; 10, now 0');
  });

  it('a reminder while the alert recovers (keep_firing_for) says so and until when, on every channel', () => {
    const text = `[P0] Wallet spend failures (wallet): fired at 14 > 10, now 0 (recovering; keeps firing until ${untilText})`;
    expect(emailMessage({ channel: 'finance-email', items: [notification('finance-email', recovering, 'reminder')] }, links).text).toContain(`STILL FIRING: ${text}`);
    expect(slackMessage({ channel: 'oncall-slack', items: [notification('oncall-slack', recovering, 'reminder')] }, links).text).toBe(`[FIRING:1] ${text}`);
    const event = pagerDutyEvent(notification('pagerduty', recovering, 'reminder'), 'KEY', { links, environment: 'production' });
    expect(event.payload?.summary).toBe(text);
    expect(event.payload?.custom_details).toMatchObject({ value: 0, fired_value: 14, value_story: `fired at 14 > 10, now 0 (recovering; keeps firing until ${untilText})` });
  });

  it('a firing alert whose value moved on shows both; a fresh one just its value', () => {
    expect(emailMessage({ channel: 'finance-email', items: [notification('finance-email', instance({ value: 25, firedValue: 14 }), 'reminder')] }, links).text).toContain('Value: 25 > 10 (fired at 14 > 10)');
    expect(pagerDutyEvent(notification('pagerduty', instance({ firedValue: 23 })), 'KEY', { links, environment: 'production' }).payload?.summary).toBe('[P0] Wallet spend failures (wallet): 23 > 10');
  });

  it('keeps the PagerDuty summary within its 1,024 characters', () => {
    const long = instance({ ...recovering, annotations: { ...recovering.annotations, name: 'x'.repeat(2_000) } });
    expect(pagerDutyEvent(notification('pagerduty', long, 'reminder'), 'KEY', { links, environment: 'production' }).payload?.summary.length).toBeLessThanOrEqual(1_024);
  });

  it.each([
    ['firing', instance({ firedValue: 23 }), '23 > 10'],
    ['firing, recovering', recovering, `fired at 14 > 10, now 0 (recovering; keeps firing until ${untilText})`],
    ['resolved', instance({ state: 'resolved', value: 0, firedValue: 14 }), 'was 14 > 10, now 0'],
    ['inactive', instance({ state: 'inactive', value: 3, firedValue: null }), 'now 3 (fires at > 10)'],
    ['resolved, stored before the fired value was kept', instance({ state: 'resolved', value: 0 }), 'now 0 (fires at > 10)'],
    ['pending, no data', instance({ state: 'pending', value: null }), 'no data > 10'],
  ])('obs alerts list shows a %s alert as "%s"', (_what, inst, text) => {
    expect(instanceValueText(inst)).toBe(text);
  });

  it('the stack log says an unconfigured channel wrote to the outbox, and a resolve what it was', () => {
    expect(deliveryLine({ channel: 'pagerduty', target: 'outbox .data/outbox.jsonl', outcome: 'delivered', kinds: ['firing'] })).toBe('pagerduty → outbox (not configured: .data/outbox.jsonl): written (1 firing)');
    expect(deliveryLine({ channel: 'oncall-slack', target: 'slack webhook', outcome: 'retry', kinds: ['resolved'], reason: 'HTTP 503' })).toBe('oncall-slack → slack webhook: will retry (1 resolved): HTTP 503');
    expect(transitionText({ from: 'firing', to: 'resolved', value: 0, threshold: 10, firedValue: 14 })).toBe('firing → resolved (was 14, now 0; threshold 10)');
    expect(transitionText({ from: 'inactive', to: 'firing', value: 14, threshold: 10, firedValue: 14 })).toBe('inactive → firing (value 14, threshold 10)');
  });
});
