import { thresholdRules } from '../../../alerts/rules/threshold-rules';
import { WarehouseIncidentStore } from '../../../incidents/warehouse-incident-store';
import { createPagerDutyWebhookRoute, pagerDutySignature } from '../../../incidents/pagerduty-webhook';
import { postIncidentUpdate } from '../../../incidents/incident-actions';
import type { Incident } from '../../../incidents/incident';
import type { HttpRequest } from '../../../http/http';
import { AlertEnv, MIN, T0 } from '../alerts/support/alert-env';
import type { HttpStandIn } from '../alerts/support/http-stand-in';
import { startPagerDutyStandIn } from '../alerts/support/pagerduty-stand-in';
import { startSlackStandIn } from '../alerts/support/slack-stand-in';

const SECRET = 'whsec-test-0123456789abcdef';
const T = T0 + 60 * MIN;

/** A PagerDuty v3 webhook request as PagerDuty sends it. */
function webhook(eventType: string, incidentKey: string, signature: (body: string) => string | undefined, eventId = `ev-${eventType}`): HttpRequest {
  const body = JSON.stringify({
    event: {
      id: eventId,
      event_type: eventType,
      resource_type: 'incident',
      occurred_at: new Date(T).toISOString(),
      agent: { id: 'PXPGF42', summary: 'Dana Oncall', type: 'user_reference' },
      data: { id: 'PT4KHLK', type: 'incident', status: eventType.split('.')[1], incident_key: incidentKey, title: 'x' },
    },
  });
  const sig = signature(body);
  return { method: 'POST', path: '/webhooks/pagerduty', headers: { 'content-type': 'application/json', ...(sig === undefined ? {} : { 'x-pagerduty-signature': sig }) }, query: {}, body };
}

/**
 * The incident pipeline on the real alert path (DuckDB, rollups from events, PagerDuty and Slack
 * stand-ins on 127.0.0.1): two P0s of two modules open two incidents; the wallet one is
 * acknowledged through a signed PagerDuty webhook; half an hour later the calls P0 gets its
 * reminder and the acknowledged wallet P0 does not; both resolve with their alerts.
 */
describe('incidents on the alert pipeline', () => {
  let env: AlertEnv;
  let pagerduty: HttpStandIn;
  let slack: HttpStandIn;
  let store: WarehouseIncidentStore;
  const route = () => createPagerDutyWebhookRoute({ secret: () => SECRET, store: () => store, clock: () => env.clock.now() });
  const tick = async (at: number) => {
    await env.aggregate(at);
    return env.evaluate(at);
  };
  const byModule = async (module: string): Promise<Incident> => (await store.load(0)).find((i) => i.module === module) as Incident;

  beforeAll(async () => {
    [pagerduty, slack] = await Promise.all([startPagerDutyStandIn(), startSlackStandIn()]);
    env = await AlertEnv.open({ PAGERDUTY_INTEGRATION_KEY: 'R0UT1NGKEYa1b2c3d4e5f6a7b8c9d0e1f2', PAGERDUTY_EVENTS_URL: pagerduty.url, SLACK_ONCALL_WEBHOOK: slack.url });
    env.runtime({ rules: thresholdRules().filter((r) => r.id === 'wallet-spend-failures-critical' || r.id === 'call-failures-critical') });
    store = new WarehouseIncidentStore(env.warehouse);
    await env.insertCountEvents('product.wallet.spend.failed', { feature: 'chat' }, T - 5 * MIN, T + 35 * MIN, 5);
    await env.insertCountEvents('product.call.failed.count', { reason: 'ice' }, T - 5 * MIN, T + 35 * MIN, 5);
  });
  afterAll(async () => {
    await env.close();
    await Promise.all([pagerduty.close(), slack.close()]);
  });

  it('opens one incident per module when their P0s fire, with the alert and every notification in the timeline', async () => {
    await tick(T);
    const incidents = await store.load(0);
    expect(incidents.map((i) => [i.module, i.severity, i.status]).sort()).toEqual([
      ['calls', 'P0', 'open'],
      ['wallet', 'P0', 'open'],
    ]);
    const wallet = await byModule('wallet');
    expect(wallet.title).toBe('P0 · Wallet & Token Store');
    expect(wallet.alerts.map((a) => a.fingerprint)).toEqual(['wallet-spend-failures-critical']);
    const notified = wallet.timeline.filter((e) => e.type === 'notified').map((e) => `${String(e.detail.channel)}:${String(e.detail.kind)}:${String(e.detail.outcome)}`);
    expect(notified).toEqual(expect.arrayContaining(['pagerduty:firing:delivered', 'oncall-slack:firing:delivered']));
    expect(wallet.timeline.slice(0, 2).map((e) => e.type)).toEqual(['opened', 'alert_fired']);
  });

  it('refuses a webhook with a wrong or missing signature (401) and changes nothing', async () => {
    const wrong = await route()(webhook('incident.acknowledged', 'wallet-spend-failures-critical', (b) => pagerDutySignature(b, 'not-the-secret')));
    const missing = await route()(webhook('incident.acknowledged', 'wallet-spend-failures-critical', () => undefined));
    const tampered = webhook('incident.acknowledged', 'wallet-spend-failures-critical', (b) => pagerDutySignature(b, SECRET));
    const altered = await route()({ ...tampered, body: (tampered.body as string).replace('Dana Oncall', 'Mallory') });
    expect([wrong?.status, missing?.status, altered?.status]).toEqual([401, 401, 401]);
    expect((await byModule('wallet')).status).toBe('open');
  });

  it('acknowledges the wallet incident from a signed incident.acknowledged (one of several signatures may match)', async () => {
    const response = await route()(webhook('incident.acknowledged', 'wallet-spend-failures-critical', (b) => `v1=${'0'.repeat(64)}, ${pagerDutySignature(b, SECRET)}`));
    expect(response?.status).toBe(200);
    const wallet = await byModule('wallet');
    expect([wallet.status, wallet.acknowledgedBy, wallet.acknowledgedVia]).toEqual(['acknowledged', 'Dana Oncall', 'pagerduty']);
    // PagerDuty retries a delivery it thinks failed: the same event is one entry.
    await route()(webhook('incident.acknowledged', 'wallet-spend-failures-critical', (b) => pagerDutySignature(b, SECRET)));
    expect((await byModule('wallet')).timeline.filter((e) => e.type === 'acknowledged')).toHaveLength(1);
    expect((await byModule('calls')).status).toBe('open');
  });

  it('sends the reminder of the calls P0 after 30 minutes, and none for the acknowledged wallet P0', async () => {
    const before = pagerduty.requests.length;
    const report = await tick(T + 31 * MIN);
    expect(report.recorded.map((r) => [r.fingerprint, r.kind]).sort()).toEqual([
      ['call-failures-critical', 'reminder'],
      ['call-failures-critical', 'reminder'],
    ]);
    expect(pagerduty.requests.slice(before).map((r) => (r.body as { dedup_key: string }).dedup_key)).toEqual(['call-failures-critical']);
  });

  it('keeps a free-text update in the timeline', async () => {
    const wallet = await byModule('wallet');
    await postIncidentUpdate(store, wallet.id, { message: 'Provider confirmed an outage; failing over.', public: true, by: 'dana' }, T + 32 * MIN);
    const after = await byModule('wallet');
    expect(after.timeline.filter((e) => e.type === 'update').map((e) => e.detail.message)).toEqual(['Provider confirmed an outage; failing over.']);
    expect(after.public).toBe(true);
  });

  it('resolves each incident when its alert resolves, and the resolve is still notified for the acknowledged one', async () => {
    const before = pagerduty.requests.length;
    await tick(T + 35 * MIN);
    await tick(T + 46 * MIN); // the failures have left the 10-minute window
    const report = await tick(T + 52 * MIN); // and keep_firing_for (5 min) is over
    expect(report.transitions.map((t) => [t.fingerprint, t.to]).sort()).toEqual([
      ['call-failures-critical', 'resolved'],
      ['wallet-spend-failures-critical', 'resolved'],
    ]);
    expect(pagerduty.requests.slice(before).map((r) => r.body as { dedup_key: string; event_action: string }).map((b) => `${b.dedup_key}:${b.event_action}`).sort()).toEqual([
      'call-failures-critical:resolve',
      'wallet-spend-failures-critical:resolve',
    ]);
    const wallet = await byModule('wallet');
    expect([wallet.status, wallet.resolvedVia]).toEqual(['resolved', 'alerts']);
    expect(wallet.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['opened', 'alert_fired', 'notified', 'acknowledged', 'update', 'alert_resolved', 'resolved']),
    );
    const types = wallet.timeline.map((e) => e.type);
    expect(types.indexOf('acknowledged')).toBeLessThan(types.indexOf('update'));
    expect(types[types.length - 1]).toBe('resolved');
    expect(wallet.timeline.filter((e) => e.type === 'notified' && e.detail.kind === 'resolved' && e.detail.channel === 'pagerduty')).toHaveLength(1);
  });
});
