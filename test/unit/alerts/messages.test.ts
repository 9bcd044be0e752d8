import { createLinks } from '../../../alerts/notifiers/links';
import { emailMessage } from '../../../alerts/notifiers/email/email-message';
import { dedupKeyOf, pagerDutyEvent } from '../../../alerts/notifiers/pagerduty/pagerduty-event';
import { MAX_ALERTS_PER_MESSAGE, slackMessage } from '../../../alerts/notifiers/slack/slack-message';
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

  it('says RESOLVED for a resolve', () => {
    const resolved = instance({ state: 'resolved', resolvedAtMs: T0 + 60_000 });
    const message = slackMessage({ channel: 'oncall-slack', items: [notification('oncall-slack', resolved, 'resolved')] }, links);
    expect(message.text).toMatch(/^\[RESOLVED:1\]/);
    expect(JSON.stringify(message.blocks)).toContain('*RESOLVED*');
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
