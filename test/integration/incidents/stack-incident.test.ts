import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { startStack, type RunningStack } from '../../../cli/local/stack';
import { pagerDutySignature } from '../../../incidents/pagerduty-webhook';
import { loadConfig } from '../../../shared';
import { FakeClock } from '../../../shared/clock';
import type { HttpStandIn } from '../alerts/support/http-stand-in';
import { startPagerDutyStandIn } from '../alerts/support/pagerduty-stand-in';

/**
 * The issue's end-to-end test (issue #16), on `obs start`'s own assembly: a P0 incident fires
 * (function errors emitted through the stack's emitter and ingest, rolled up and evaluated by the
 * stack's tick), pages PagerDuty (a real HTTP server on 127.0.0.1), is acknowledged through a
 * signed PagerDuty v3 webhook on the stack's HTTP server (a bad signature is refused with 401),
 * gets an update through the forwarded `obs incidents update`, and resolves; the timeline has every
 * step; no reminder goes out after the acknowledgement, though the alert fires for over 30 minutes
 * (the P0 route's reminder interval); and the public status page shows the incident, then shows it
 * resolved.
 */

jest.setTimeout(180_000);

const MIN = 60_000;
const START_MS = Date.UTC(2026, 10, 27, 9, 0, 0);
const SECRET = 'whsec-e2e-5d1c0b7a9e8f';
const RULE = 'function-errors-critical';

interface TimelineEntry { type: string; channel?: string; kind?: string; outcome?: string; by?: string; via?: string; message?: string }
interface ApiIncident { id: string; status: string; severity: string; module: string; timeline: TimelineEntry[] }
interface StatusJson { incidents: Array<{ id: string; name: string; status: string; impact: string; incident_updates: Array<{ status: string; body: string }> }> }

describe('an incident end to end on the local stack (issue #16)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-incident-stack-'));
  const clock = new FakeClock(START_MS);
  let stack: RunningStack;
  let pagerduty: HttpStandIn;
  let emitted = 0;
  let id = '';

  const pages = () => pagerduty.requests.map((r) => r.body as { dedup_key: string; event_action: string }).filter((b) => b.dedup_key === RULE);
  const api = async (path: string) => {
    const response = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${stack.token}` } });
    expect(response.status).toBe(200);
    return response.json();
  };
  const incident = async () => ((await api(`/api/incidents/${id}`)) as { incident: ApiIncident }).incident;
  const statusJson = async () => {
    const response = await fetch(`${stack.url}/status.json`);
    expect(response.status).toBe(200);
    return (await response.json()) as StatusJson;
  };
  const webhook = (eventType: string, sign: (body: string) => string | undefined) => {
    const body = JSON.stringify({
      event: {
        id: `01${eventType.replace(/\W/g, '')}`,
        event_type: eventType,
        resource_type: 'incident',
        occurred_at: new Date(clock.now()).toISOString(),
        agent: { id: 'PXPGF42', summary: 'Dana Oncall', type: 'user_reference' },
        data: { id: 'PT4KHLK', type: 'incident', incident_key: RULE, status: 'acknowledged', title: 'x' },
      },
    });
    const signature = sign(body);
    return fetch(`${stack.url}/webhooks/pagerduty`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'x-pagerduty-signature': signature } : {}) }, body });
  };
  /** 60 function errors now (the P0 fires above 50 in 5 minutes), ingested by the stack, then the stack's minute: rollups and evaluation. */
  const burstAndTick = async (atMin: number) => {
    clock.set(START_MS + atMin * MIN);
    for (let i = 0; i < 60; i++) void stack.emitter.count('infra.function.error.count', 1, { function: 'pack421_wallet_spend' });
    emitted += 60;
    await stack.emitter.flush();
    const deadline = Date.now() + 60_000;
    while (stack.ingested().stored < emitted) {
      if (Date.now() > deadline) throw new Error(`only ${stack.ingested().stored} of ${emitted} events ingested within 60 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await tick(atMin + 1);
  };
  const tick = async (atMin: number) => {
    clock.set(START_MS + atMin * MIN);
    await stack.tick();
  };

  beforeAll(async () => {
    pagerduty = await startPagerDutyStandIn();
    const config = loadConfig({ PAGERDUTY_INTEGRATION_KEY: 'R0UT1NGKEYa1b2c3d4e5f6a7b8c9d0e1f2', PAGERDUTY_EVENTS_URL: pagerduty.url, PAGERDUTY_WEBHOOK_SECRET: SECRET });
    stack = await startStack({
      config: { ...config, duckdbPath: join(dir, 'observability.duckdb'), port: 0, streamingAlerts: false },
      demo: false,
      useEmulator: false,
      clock,
      schedulerIntervalMs: 0,
      // Every call an event, so the test can wait for all of them to be stored.
      emitterAggregation: 'none',
      outboxPath: join(dir, 'outbox.jsonl'),
      runCommand: (args, io, app) => main(args, io, app),
      log: () => undefined,
      progress: () => undefined,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await pagerduty?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires: the P0 opens an incident, PagerDuty is paged, and the status page shows it', async () => {
    await burstAndTick(0);
    expect(pages().map((p) => p.event_action)).toEqual(['trigger']);
    expect(pagerduty.invalid()).toEqual([]);
    const list = (await api('/api/incidents')) as { incidents: ApiIncident[] };
    expect(list.incidents.map((i) => [i.module, i.severity, i.status])).toEqual([['infrastructure', 'P0', 'open']]);
    id = list.incidents[0]!.id;
    const status = await statusJson();
    expect(status.incidents.map((i) => [i.name, i.status, i.impact])).toEqual([['Infrastructure: service disruption', 'investigating', 'critical']]);
  });

  it('refuses a webhook with a bad or missing signature (401), and the incident stays open', async () => {
    expect((await webhook('incident.acknowledged', (b) => pagerDutySignature(b, 'wrong-secret'))).status).toBe(401);
    expect((await webhook('incident.acknowledged', () => undefined)).status).toBe(401);
    expect((await incident()).status).toBe('open');
  });

  it('is acknowledged through a signed PagerDuty webhook', async () => {
    clock.set(START_MS + 2 * MIN);
    const response = await webhook('incident.acknowledged', (b) => pagerDutySignature(b, SECRET));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ matched: true, incident: id, status: 'acknowledged', changed: true });
    const acked = await incident();
    expect(acked.timeline.filter((e) => e.type === 'acknowledged')).toMatchObject([{ by: 'Dana Oncall', via: 'pagerduty' }]);
  });

  it('gets an update through the forwarded obs incidents update, shown on the status page', async () => {
    const response = await fetch(`${stack.url}/api/cli`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ args: ['incidents', 'update', id, '--message', 'A bad deploy is being rolled back.', '--public', '--by', 'dana'] }),
    });
    expect(await response.json()).toMatchObject({ code: 0 });
    clock.set(START_MS + 3 * MIN); // past the status page's 30-second memo
    const shown = (await statusJson()).incidents.find((i) => i.name === 'Infrastructure: service disruption');
    expect(shown?.status).toBe('identified');
    expect(shown?.incident_updates.map((u) => u.body)).toContain('A bad deploy is being rolled back.');
  });

  it('sends no reminder after the acknowledgement while the P0 keeps firing past its 30-minute reminder interval', async () => {
    for (let m = 4; m <= 32; m += 4) await burstAndTick(m);
    await tick(34);
    expect((await incident()).status).toBe('acknowledged');
    expect(pages().map((p) => p.event_action)).toEqual(['trigger']);
    const log = (await api(`/api/incidents/${id}`)) as { incident: ApiIncident };
    expect(log.incident.timeline.filter((e) => e.type === 'notified' && e.kind === 'reminder')).toEqual([]);
  });

  it('resolves when the errors stop: PagerDuty gets the resolve, the timeline has every step, the status page shows it resolved', async () => {
    await tick(38);
    await tick(43); // the 5-minute window is clean and keep_firing_for (5 minutes) is over
    expect(pages().map((p) => p.event_action)).toEqual(['trigger', 'resolve']);
    const resolved = await incident();
    expect(resolved.status).toBe('resolved');
    const steps = resolved.timeline.map((e) => (e.type === 'notified' ? `notified ${e.channel} ${e.kind} ${e.outcome}` : e.type === 'acknowledged' ? `acknowledged via ${e.via}` : e.type));
    expect(steps.filter((s) => !s.startsWith('notified oncall-slack'))).toEqual([
      'opened',
      'alert_fired',
      'notified pagerduty firing delivered',
      'acknowledged via pagerduty',
      'update',
      'alert_resolved',
      'notified pagerduty resolved delivered',
      'resolved',
    ]);
    clock.set(START_MS + 45 * MIN);
    const status = await statusJson();
    expect(status.incidents).toEqual([]);
    const html = await (await fetch(`${stack.url}/status`)).text();
    expect(html).toContain('Infrastructure: service disruption');
    expect(html).toContain('Resolved');
  });
});
