import type { Server } from 'node:http';
import { defaultAlertRules } from '../../../alerts/rules/rule-set';
import { createHttpRoutes } from '../../../cli/local/http-app';
import { createHttpServer, listen } from '../../../cli/local/http-server';
import { localTokenVerifier } from '../../../http/admin-auth';
import { COMMON_TAG_KEYS, loadConfig, METRICS, MODULE_IDS, SLOS } from '../../../shared';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { StatusSummary } from '../../../status-page';
import type { IncidentEntry } from '../../../incidents/incident';
import { storePublicIncidents } from '../../../incidents/public-incidents';
import { WarehouseIncidentStore } from '../../../incidents/warehouse-incident-store';
import type { PublicIncidentSource } from '../../../incidents';
import { firingAlert, fixtureWarehouse, incidentsOf, maintenanceOf, maintenanceWindow, NOW, publicIncident } from '../../unit/status-page/fixture';

/**
 * "Leaks nothing internal" (issue #16): the status page and its JSON, on a stack where every alert
 * rule is firing (their summaries and runbooks name metrics, tags and hosts), with open and
 * resolved incidents and maintenance windows, and a configuration full of hosts, URLs and keys,
 * hold none of: a catalogue metric name, an alert rule id, an SLO id, a tag key as internal detail
 * shows it (`key=value`, `"key":`, `key:`; a key with an underscore anywhere), a configured host,
 * URL or key, the admin token, or the server's own address.
 */
const TOKEN = 'status-leak-admin-token-5c1f09';
const ENV = {
  PAGERDUTY_EVENTS_URL: 'https://pd-events.corp-internal.example/v2/enqueue',
  PAGERDUTY_INTEGRATION_KEY: 'pdkey0123456789abcdef0123456789ab',
  SLACK_ONCALL_WEBHOOK: 'https://hooks.slack.com/services/T0001/B0001/oncallsecretXYZ',
  SLACK_SAFETY_WEBHOOK: 'https://hooks.slack.com/services/T0002/B0002/safetysecretXYZ',
  SMTP_URL: 'smtp://mailer:mailpass@smtp.corp-internal.example:587',
  OBS_HEARTBEAT_URL: 'https://hc-ping.corp-internal.example/3f2a-heartbeat',
  PROMETHEUS_PUSHGATEWAY_URL: 'http://pushgw.corp-internal.example:9091',
  INTERNAL_HEALTH_API_KEY: 'internal-key-9d8c7b6a5f4e',
  GOOGLE_CLOUD_PROJECT: 'avalo-prod-project-7781',
  OBS_BQ_DATASET: 'obs_warehouse_dataset_x',
  METRICS_TOPIC: 'metrics-events-topic-x',
  OPS_EMAIL: 'ops-team@corp-internal.example',
  FINANCE_EMAIL: 'finance-team@corp-internal.example',
  OBS_DUCKDB_PATH: '/srv/obs/secret-path/observability.duckdb',
};

function tagKeys(): string[] {
  const keys = new Set<string>(COMMON_TAG_KEYS);
  for (const m of Object.values(METRICS)) for (const t of m.tags) keys.add(t);
  return [...keys];
}

/** Every internal string and the form it would take in a leak: [what, pattern]. */
function needles(port: number): Array<[string, RegExp]> {
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const list: Array<[string, RegExp]> = [];
  for (const name of Object.keys(METRICS)) list.push([`metric ${name}`, new RegExp(literal(name))]);
  for (const rule of defaultAlertRules()) list.push([`rule ${rule.id}`, new RegExp(literal(rule.id))]);
  for (const slo of SLOS) list.push([`SLO ${slo.id}`, new RegExp(literal(slo.id))]);
  for (const key of tagKeys()) {
    // Plain words ("service", "channel") are English too: they count as a leak in the forms tags take.
    list.push([`tag key ${key}`, key.includes('_') ? new RegExp(`\\b${literal(key)}\\b`) : new RegExp(`(\\b${literal(key)}=|"${literal(key)}"\\s*:|\\b${literal(key)}:)`)]);
  }
  for (const [name, value] of Object.entries(ENV)) {
    list.push([`${name} value`, new RegExp(literal(value))]);
    if (/^[a-z]+:\/\//.test(value)) list.push([`${name} host`, new RegExp(literal(new URL(value).hostname))]);
  }
  list.push(['a host of the configuration', /corp-internal/]);
  list.push(['the admin token', new RegExp(literal(TOKEN))]);
  list.push(["the server's own address", new RegExp(`127\\.0\\.0\\.1|:${port}\\b`)]);
  list.push(['a runbook link', /runbooks\.internal/]);
  return list;
}

describe('the public status page leaks nothing internal', () => {
  let wh: DuckDbWarehouse;
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    wh = await fixtureWarehouse();
    const rules = defaultAlertRules();
    // Every rule firing, with the detail alerts carry: metric names, tags, values, a runbook URL.
    const alerts = rules.map((r) =>
      firingAlert(r.id, r.module, r.severity, { name: r.name, summary: `${r.id}: ${Object.keys(METRICS)[0]} status_class=5xx tier=core over threshold`, value: 42, threshold: 10, comparator: '>', unit: 'events' }),
    );
    const incidents = [
      ...MODULE_IDS.slice(0, 6).map((m, i) => publicIncident(`incident|${rules[i]!.id}|module=${m}`, m, false)),
      ...MODULE_IDS.slice(6).map((m, i) => publicIncident(`incident|${rules[i + 6]!.id}|host=${ENV.SMTP_URL}`, m, true)),
    ];
    // And incidents as the incidents module records them (incidents/), with every internal detail
    // a timeline holds — group key, rule ids, channels, delivery errors, a private update — shown
    // to the public through its projection (incidents/public-incidents.ts).
    const store = new WarehouseIncidentStore(wh);
    const entries: IncidentEntry[] = [];
    rules.slice(0, 4).forEach((rule, i) => {
      const id = `inc-${rule.id}-${i}`;
      const at = NOW - (50 - i) * 60_000;
      const e = (n: number, type: IncidentEntry['type'], detail: Record<string, unknown>): IncidentEntry => ({ id: `${id}-${n}`, incidentId: id, atMs: at + n * 60_000, type, detail });
      entries.push(
        e(0, 'opened', { groupKey: `${rule.id}|module=${rule.module}|tier=core`, module: rule.module, severity: i < 2 ? 'P0' : 'P1' }),
        e(1, 'alert_fired', { fingerprint: `${rule.id}|status_class=5xx`, ruleId: rule.id, severity: 'P0', name: rule.name, episodeStartMs: at }),
        e(2, 'notified', { fingerprint: `${rule.id}|x`, channel: 'pagerduty', kind: 'trigger', outcome: 'failed', attempts: 3, reason: `POST ${ENV.PAGERDUTY_EVENTS_URL}: 503` }),
        e(3, 'acknowledged', { by: 'oncall@corp-internal.example', via: 'pagerduty' }),
        e(4, 'update', { message: `private: ${Object.keys(METRICS)[0]} tier=core on ${ENV.SMTP_URL}`, public: false, by: 'oncall' }),
        e(5, 'update', { message: 'Payments are being retried; no funds were lost.', public: true, by: 'oncall' }),
      );
      if (i % 2 === 1) entries.push(e(6, 'resolved', { by: 'alerts', via: 'alerts' }));
    });
    await store.append(entries);
    const recorded = storePublicIncidents(() => store);
    const both: PublicIncidentSource = { publicIncidents: async (since) => [...(await recorded.publicIncidents(since)), ...(await incidentsOf(incidents).publicIncidents(since))] };
    const config = { ...loadConfig(ENV), environment: 'production' };
    const routes = createHttpRoutes({
      verify: localTokenVerifier(TOKEN),
      clock: () => NOW,
      sources: { warehouse: wh, config, probes: [], alerts: () => Promise.resolve(alerts) },
      status: {
        incidents: both,
        maintenance: maintenanceOf([maintenanceWindow(`window-${rules[0]!.id}`, 'audit', NOW - 60_000, NOW + 3_600_000), maintenanceWindow('w-future', 'growth', NOW + 86_400_000, NOW + 90_000_000)]),
      },
    });
    server = createHttpServer(routes);
    port = await listen(server, 0);
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await wh?.close();
  });

  it('holds no metric, rule, SLO, tag key, configured host, URL or key in /status or /status.json', async () => {
    const base = `http://127.0.0.1:${port}`;
    const html = await (await fetch(`${base}/status`)).text();
    const jsonText = await (await fetch(`${base}/status.json`)).text();
    const summary = JSON.parse(jsonText) as StatusSummary;
    // The scan is of a page in trouble: every component but audit (in maintenance) in an outage, incidents open and resolved.
    expect(summary.status.indicator).toBe('critical');
    expect(summary.components.filter((c) => c.status === 'major_outage').length).toBeGreaterThan(0);
    expect(summary.components.find((c) => c.id === 'audit')!.status).toBe('under_maintenance');
    // 6 open from the list, 2 open recorded by the incidents module (and 2 resolved there).
    expect(summary.incidents).toHaveLength(8);
    expect(html).toContain('Payments are being retried; no funds were lost.');
    expect(html).toContain('Past incidents');
    expect(html).toContain('Resolved');
    expect(summary.scheduled_maintenances).toHaveLength(2);

    const found: string[] = [];
    for (const [what, pattern] of needles(port)) {
      if (pattern.test(html)) found.push(`HTML: ${what}`);
      if (pattern.test(jsonText)) found.push(`JSON: ${what}`);
    }
    expect(found).toEqual([]);
  });

  it('would notice a leak: the same scan finds each kind of detail when it is there', () => {
    const leaky = `tier=core "status_class": "5xx" ${Object.keys(METRICS)[3]} ${defaultAlertRules()[5]!.id} ${SLOS[2]!.id} smtp.corp-internal.example 127.0.0.1:${port}`;
    const found = needles(port).filter(([, pattern]) => pattern.test(leaky)).map(([what]) => what);
    expect(found).toEqual(expect.arrayContaining([`tag key tier`, `tag key status_class`, `metric ${Object.keys(METRICS)[3]}`, `rule ${defaultAlertRules()[5]!.id}`, `SLO ${SLOS[2]!.id}`, 'SMTP_URL host', "the server's own address"]));
  });
});
