import { createHmac } from 'node:crypto';
import type { AlertInstance, Transition } from '../../../alerts/model/alert-instance';
import { foldIncidents, type Incident } from '../../../incidents/incident';
import { entriesForTransitions, quietEpisodes, type AlertChange } from '../../../incidents/incident-tracker';
import { incidentForKey, verifyPagerDutySignature } from '../../../incidents/pagerduty-webhook';
import { toPublicIncident } from '../../../incidents/public-incidents';
import { incidentEntry } from '../../../incidents/incident';
import { ALERT_RULES } from '../../../shared/alert-rules';

const MIN = 60_000;
const T = Date.UTC(2026, 10, 27, 9, 0, 0);

function change(ruleId: string, module: string, to: 'firing' | 'resolved', atMs: number, firedAtMs: number, severity: 'P0' | 'P1' | 'P2' | 'P3' = 'P0', tags: Record<string, string> = {}): AlertChange {
  const fingerprint = Object.keys(tags).length === 0 ? ruleId : `${ruleId}{${Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(',')}}`;
  const transition: Transition = { fingerprint, ruleId, severity, from: to === 'firing' ? 'inactive' : 'firing', to, atMs, value: 1, threshold: 0 };
  const instance = {
    fingerprint,
    ruleId,
    severity,
    state: to,
    labels: { alertname: ruleId, severity, module, ...tags },
    annotations: { name: `${ruleId} name`, summary: 's', runbook: 'r', comparator: '>', unit: 'events' },
    value: 1,
    threshold: 0,
    activeAtMs: firedAtMs,
    firedAtMs,
    resolvedAtMs: to === 'resolved' ? atMs : null,
    keepFiringSinceMs: null,
    lastEvaluatedAtMs: atMs,
    detail: {},
    version: 1,
    updatedBy: 'run',
  } satisfies AlertInstance;
  return { transition, instance };
}

/** Applies changes one run at a time, as the pipeline does, and returns the stored incidents. */
function run(...runs: AlertChange[][]): Incident[] {
  let entries: ReturnType<typeof entriesForTransitions> = [];
  for (const changes of runs) entries = [...entries, ...entriesForTransitions(foldIncidents(entries), changes)];
  return foldIncidents(entries);
}

describe('incident grouping and timeline (incident-tracker.ts)', () => {
  it('groups alerts of one module that overlap in time into one incident, and keeps modules apart', () => {
    const incidents = run([change('wallet-spend-failures-critical', 'wallet', 'firing', T, T), change('call-failures-critical', 'calls', 'firing', T, T)], [change('wallet-burn', 'wallet', 'firing', T + MIN, T + MIN, 'P1')]);
    expect(incidents.map((i) => [i.module, i.alerts.map((a) => a.fingerprint)]).sort()).toEqual([
      ['calls', ['call-failures-critical']],
      ['wallet', ['wallet-spend-failures-critical', 'wallet-burn']],
    ]);
  });

  it('takes the highest severity of its alerts as the incident\'s tier, whichever fired first', () => {
    const [incident] = run([change('wallet-burn-ticket', 'wallet', 'firing', T, T, 'P2')], [change('wallet-spend-failures-critical', 'wallet', 'firing', T + MIN, T + MIN, 'P0')]);
    expect([incident?.severity, incident?.title, incident?.public]).toEqual(['P0', 'P0 · Wallet & Token Store', true]);
  });

  it('resolves the incident only when its last alert resolves; an alert firing after that opens a new incident', () => {
    const a = 'wallet-spend-failures-critical';
    const b = 'wallet-burn';
    const afterOne = run([change(a, 'wallet', 'firing', T, T), change(b, 'wallet', 'firing', T, T, 'P1')], [change(a, 'wallet', 'resolved', T + 10 * MIN, T)]);
    expect(afterOne.map((i) => i.status)).toEqual(['open']);
    const incidents = run(
      [change(a, 'wallet', 'firing', T, T), change(b, 'wallet', 'firing', T, T, 'P1')],
      [change(a, 'wallet', 'resolved', T + 10 * MIN, T)],
      [change(b, 'wallet', 'resolved', T + 20 * MIN, T)],
      [change(a, 'wallet', 'firing', T + 30 * MIN, T + 30 * MIN)],
    );
    expect(incidents.map((i) => [i.status, i.openedAtMs, i.resolvedAtMs])).toEqual([
      ['open', T + 30 * MIN, null],
      ['resolved', T, T + 20 * MIN],
    ]);
    expect(incidents[1]?.timeline.map((e) => e.type)).toEqual(['opened', 'alert_fired', 'alert_fired', 'alert_resolved', 'alert_resolved', 'resolved']);
  });

  it('writes the same entries when two runs see the same transitions (deterministic ids: stored once)', () => {
    const changes = [change('wallet-spend-failures-critical', 'wallet', 'firing', T, T)];
    expect(entriesForTransitions([], changes).map((e) => e.id)).toEqual(entriesForTransitions([], changes).map((e) => e.id));
    const once = run(changes);
    expect(entriesForTransitions(once, changes)).toEqual([]);
  });

  it('holds back reminders of the alerts that had joined when the incident was acknowledged, not of those joining later', () => {
    const incidents = run([change('wallet-spend-failures-critical', 'wallet', 'firing', T, T)]);
    const id = incidents[0]!.id;
    const acked = foldIncidents([...incidents[0]!.timeline, incidentEntry(id, 'acknowledged', T + 2 * MIN, { by: 'dana', via: 'cli' }, 'k')]);
    const later = entriesForTransitions(acked, [change('wallet-burn', 'wallet', 'firing', T + 5 * MIN, T + 5 * MIN, 'P1')]);
    const all = foldIncidents([...acked[0]!.timeline, ...later]);
    expect([...quietEpisodes(all)]).toEqual([`wallet-spend-failures-critical\u0000${T}`]);
    expect(quietEpisodes(incidents).size).toBe(0);
  });
});

describe('PagerDuty v3 webhook signatures (developer.pagerduty.com, "Verifying Signatures")', () => {
  const secret = 'whsec-unit';
  const body = '{"event":{"id":"1","event_type":"incident.acknowledged"}}';
  const sig = (b: string, s: string) => `v1=${createHmac('sha256', s).update(b).digest('hex')}`;

  it.each([
    ['the right signature', sig(body, secret), true],
    ['the right one among several (a secret rotation), comma separated', `${sig(body, 'old-secret')},${sig(body, secret)}`, true],
    ['the right one after a space', `v1=${'a'.repeat(64)}, ${sig(body, secret)}`, true],
    ['a signature made with another secret', sig(body, 'other'), false],
    ['a signature of another body', sig(`${body} `, secret), false],
    ['a missing header', undefined, false],
    ['an empty header', '', false],
    ['another scheme', sig(body, secret).replace('v1=', 'v0='), false],
    ['a truncated signature', sig(body, secret).slice(0, 40), false],
    ['a signature in upper case hex (the same bytes)', `v1=${createHmac('sha256', secret).update(body).digest('hex').toUpperCase()}`, true],
  ])('%s', (_name, header, expected) => {
    expect(verifyPagerDutySignature(body, header, secret)).toBe(expected);
  });

  it('never verifies without a secret', () => {
    expect(verifyPagerDutySignature(body, sig(body, ''), '')).toBe(false);
  });

  it('maps the PagerDuty incident_key to the incident holding the alert with that dedup_key, an open one first', () => {
    const first = run([change('wallet-spend-failures-critical', 'wallet', 'firing', T, T)], [change('wallet-spend-failures-critical', 'wallet', 'resolved', T + 10 * MIN, T)]);
    const second = run([change('wallet-spend-failures-critical', 'wallet', 'firing', T + 30 * MIN, T + 30 * MIN)]);
    const incidents = [...first, ...second];
    expect(incidentForKey(incidents, 'wallet-spend-failures-critical')?.openedAtMs).toBe(T + 30 * MIN);
    expect(incidentForKey(first, 'wallet-spend-failures-critical')?.status).toBe('resolved');
    expect(incidentForKey(incidents, 'call-failures-critical')).toBeUndefined();
  });
});

describe('public incidents (status page)', () => {
  it('carry no rule id, metric name, tag, channel or person, only generic lines and public updates', () => {
    const [incident] = run([change('wallet-spend-failures-critical', 'wallet', 'firing', T, T, 'P0', { feature: 'chat', host: 'db-7.internal' })]);
    const id = incident!.id;
    const entries = [
      ...incident!.timeline,
      incidentEntry(id, 'notified', T, { fingerprint: 'wallet-spend-failures-critical{feature=chat}', channel: 'pagerduty', kind: 'firing', outcome: 'delivered', attempts: 1 }, 'n'),
      incidentEntry(id, 'acknowledged', T + MIN, { by: 'dana.oncall', via: 'pagerduty' }, 'a'),
      incidentEntry(id, 'update', T + 2 * MIN, { message: 'internal: db-7 is down', public: false, by: 'dana.oncall' }, 'u1'),
      incidentEntry(id, 'update', T + 3 * MIN, { message: 'Payments are delayed; we are on it.', public: true, by: 'dana.oncall' }, 'u2'),
      incidentEntry(id, 'resolved', T + 9 * MIN, { by: 'alerts', via: 'alerts' }, 'r'),
    ];
    const shown = toPublicIncident(foldIncidents(entries)[0]!);
    expect(shown).toEqual({
      id,
      title: 'Wallet & Token Store: service disruption',
      status: 'resolved',
      impact: 'critical',
      modules: ['wallet'],
      startedAt: new Date(T).toISOString(),
      updatedAt: new Date(T + 9 * MIN).toISOString(),
      resolvedAt: new Date(T + 9 * MIN).toISOString(),
      updates: [
        { at: new Date(T).toISOString(), status: 'investigating', body: 'We are investigating a problem affecting Wallet & Token Store.' },
        { at: new Date(T + MIN).toISOString(), status: 'identified', body: 'Our team is working on it.' },
        { at: new Date(T + 3 * MIN).toISOString(), status: 'identified', body: 'Payments are delayed; we are on it.' },
        { at: new Date(T + 9 * MIN).toISOString(), status: 'resolved', body: 'Resolved' },
      ],
    });
    const text = JSON.stringify(shown);
    for (const secret of ['wallet-spend-failures', 'product.wallet', 'feature', 'chat', 'db-7', 'pagerduty', 'dana', ...ALERT_RULES.map((r) => r.metric)]) expect(text).not.toContain(secret);
  });

  it('is public for P0 and P1, and for a lower tier only once a public update is posted', () => {
    const [p2] = run([change('chat-latency', 'chat', 'firing', T, T, 'P2')]);
    expect(p2!.public).toBe(false);
    const withUpdate = foldIncidents([...p2!.timeline, incidentEntry(p2!.id, 'update', T + MIN, { message: 'Slow messages.', public: true, by: 'x' }, 'u')]);
    expect(withUpdate[0]!.public).toBe(true);
    expect(toPublicIncident(withUpdate[0]!).impact).toBe('minor');
  });
});
