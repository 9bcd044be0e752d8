import { loadStatusPage, publicId } from '../../../status-page/build-status';
import { componentStatus, overallStatus } from '../../../status-page/component-status';
import { moduleReadiness } from '../../../health/module-readiness';
import type { LiveSignals } from '../../../health/live-signals';
import { NO_PUBLIC_INCIDENTS } from '../../../incidents';
import { NO_MAINTENANCE } from '../../../maintenance';
import { MODULE_IDS } from '../../../shared';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { DAY, firingAlert, fixtureWarehouse, incidentsOf, maintenanceOf, maintenanceWindow, MISSED_DAY, NOW, OUTAGE_DAY, publicIncident, TODAY } from './fixture';

const signals = (alerts: LiveSignals['alerts'], recent: LiveSignals['moduleLastMetricMs'] = { wallet: NOW, calls: NOW, chat: NOW }): LiveSignals => ({ nowMs: NOW, slos: [], alerts, moduleLastMetricMs: recent, alertsKnown: true });

describe('a component status follows the module readiness rules', () => {
  const cases: Array<[string, LiveSignals['alerts'], boolean, string]> = [
    ['a firing P0 alert of the module is a major outage', [firingAlert('wallet-spend-failures-critical', 'wallet', 'P0')], false, 'major_outage'],
    ['a firing P1 alert alone is a partial outage', [firingAlert('wallet-latency-high', 'wallet', 'P1')], false, 'partial_outage'],
    ['a firing P2 alert is degraded performance', [firingAlert('wallet-slow', 'wallet', 'P2')], false, 'degraded_performance'],
    ['a pending P0 alert changes nothing yet', [{ ...firingAlert('wallet-spend-failures-critical', 'wallet', 'P0'), state: 'pending' }], false, 'operational'],
    ["another module's P0 alert changes nothing", [firingAlert('chat-down', 'chat', 'P0')], false, 'operational'],
    ['a maintenance window in progress wins over a firing alert', [firingAlert('wallet-spend-failures-critical', 'wallet', 'P0')], true, 'under_maintenance'],
  ];
  it.each(cases)('%s', (_name, alerts, inMaintenance, expected) => {
    expect(componentStatus('wallet', moduleReadiness('wallet', signals(alerts)), alerts, inMaintenance)).toBe(expected);
  });

  it('shows a module without recent metrics as operational (no traffic measured is not a failure seen)', () => {
    const readiness = moduleReadiness('audit', signals([]));
    expect(readiness.readiness).toBe('no_data');
    expect(componentStatus('audit', readiness, [], false)).toBe('operational');
  });

  it('rolls the components and the open incidents up into the overall indicator, as Statuspage does', () => {
    expect(overallStatus(['operational', 'operational'], [])).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    expect(overallStatus(['operational', 'degraded_performance'], [])).toEqual({ indicator: 'minor', description: 'Minor Service Outage' });
    expect(overallStatus(['partial_outage', 'degraded_performance'], [])).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect(overallStatus(['major_outage', 'partial_outage'], ['minor'])).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    expect(overallStatus(['operational'], ['major'])).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect(overallStatus(['under_maintenance', 'operational'], [])).toEqual({ indicator: 'none', description: 'Service Under Maintenance' });
  });
});

describe('the status page data from a warehouse with 90 days of rollups', () => {
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    wh = await fixtureWarehouse();
  });
  afterAll(async () => {
    await wh?.close();
  });

  it('has one component per module, in the catalogue order, with 90 days of uptime each, today last', async () => {
    const { summary } = await loadStatusPage({ warehouse: wh, incidents: NO_PUBLIC_INCIDENTS, maintenance: NO_MAINTENANCE }, NOW);
    expect(summary.components.map((c) => c.id)).toEqual(MODULE_IDS);
    expect(summary.components.map((c) => c.position)).toEqual(MODULE_IDS.map((_, i) => i + 1));
    for (const c of summary.components) {
      expect(c.uptime.days).toHaveLength(90);
      expect(c.uptime.days[89]!.date).toBe(new Date(TODAY).toISOString().slice(0, 10));
      expect(c.uptime.days[0]!.date).toBe(new Date(TODAY - 89 * DAY).toISOString().slice(0, 10));
    }
    expect(summary.status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    expect(summary.page).toEqual({ id: 'avalo', name: 'Avalo Status', url: '/status', time_zone: 'Etc/UTC', updated_at: new Date(NOW).toISOString() });
  });

  it("measures a day by the component's worst objective: wallet's outage day, its missed day and the days it met 99.95%", async () => {
    const { summary } = await loadStatusPage({ warehouse: wh, incidents: NO_PUBLIC_INCIDENTS, maintenance: NO_MAINTENANCE }, NOW);
    const wallet = summary.components.find((c) => c.id === 'wallet')!.uptime;
    const day = (date: string) => wallet.days.find((d) => d.date === date)!;
    expect(day(OUTAGE_DAY)).toEqual({ date: OUTAGE_DAY, uptime: 10_000 / 12_000, state: 'outage' });
    expect(day(MISSED_DAY)).toEqual({ date: MISSED_DAY, uptime: 10_000 / 10_010, state: 'missed' });
    const ordinary = wallet.days.filter((d) => d.date !== OUTAGE_DAY && d.date !== MISSED_DAY);
    // Today's partial day holds the 6 am events and the recent ones.
    expect(ordinary.every((d) => d.state === 'met')).toBe(true);
    expect(ordinary[10]!.uptime).toBeCloseTo(10_000 / 10_001, 12);
    // The period: good / total over the 90 days.
    const total = 90 * 10_001 + 1_999 + 9 + 50;
    const good = 90 * 10_000 + 50;
    expect(wallet.uptime).toBeCloseTo(good / total, 12);
    expect(wallet.measured).toBe(true);
  });

  it('shows days without events as no data, and components without an objective as not measured', async () => {
    const { summary } = await loadStatusPage({ warehouse: wh, incidents: NO_PUBLIC_INCIDENTS, maintenance: NO_MAINTENANCE }, NOW);
    const chat = summary.components.find((c) => c.id === 'chat')!.uptime;
    expect(chat.days.slice(0, 50).every((d) => d.state === 'no_data' && d.uptime === null)).toBe(true);
    expect(chat.days.slice(50).every((d) => d.state === 'met' && d.uptime === 1)).toBe(true);
    const audit = summary.components.find((c) => c.id === 'audit')!;
    expect(audit.uptime.measured).toBe(false);
    expect(audit.uptime.uptime).toBeNull();
    // Infrastructure's objectives with events (core availability, latency) measure it; the secondary tier has none.
    const infra = summary.components.find((c) => c.id === 'infrastructure')!.uptime;
    expect(infra.days[40]).toEqual({ date: infra.days[40]!.date, uptime: 10_000 / 10_002, state: 'met' });
    // No metrics in the last 15 minutes: operational, and said so.
    expect(audit.status).toBe('operational');
    expect(audit.description).toBe('No recent activity measured');
    expect(summary.components.find((c) => c.id === 'wallet')!.description).toBeNull();
  });

  it('maps firing alerts, open and resolved incidents and maintenance windows to the Statuspage fields', async () => {
    const alerts = [firingAlert('wallet-spend-failures-critical', 'wallet', 'P0'), firingAlert('calls-fail-rate', 'calls', 'P1')];
    const open = publicIncident('inc-wallet-1', 'wallet', false);
    const resolved = publicIncident('inc-chat-1', 'chat', true, { impact: 'minor' });
    const data = await loadStatusPage(
      {
        warehouse: wh,
        alerts: () => Promise.resolve(alerts),
        incidents: incidentsOf([open, resolved]),
        maintenance: maintenanceOf([
          maintenanceWindow('w1', 'ai', NOW - 3_600_000, NOW + 3_600_000),
          maintenanceWindow('w2', 'support', NOW + 2 * DAY, NOW + 2 * DAY + 3_600_000, 'Ticket system migration'),
          maintenanceWindow('w3', 'audit', NOW - 3 * 3_600_000, NOW - 2 * 3_600_000),
        ]),
      },
      NOW,
    );
    const status = Object.fromEntries(data.summary.components.map((c) => [c.id, c.status]));
    expect(status).toMatchObject({ wallet: 'major_outage', calls: 'partial_outage', ai: 'under_maintenance', support: 'operational', audit: 'operational' });
    expect(data.summary.status).toEqual({ indicator: 'critical', description: 'Major System Outage' });

    expect(data.summary.incidents).toHaveLength(1);
    const incident = data.summary.incidents[0]!;
    expect(incident).toMatchObject({ id: publicId('incident', 'inc-wallet-1'), name: 'Wallet & Token Store: degraded service', status: 'investigating', impact: 'major', resolved_at: null, page_id: 'avalo' });
    expect(incident.id).not.toContain('inc-wallet');
    expect(incident.components).toEqual([{ id: 'wallet', name: 'Wallet & Token Store', status: 'major_outage' }]);
    expect(incident.incident_updates.map((u) => u.body)).toEqual(['We are investigating problems with Wallet & Token Store.']);
    expect(data.resolvedIncidents.map((i) => i.name)).toEqual(['Chat & Monetization: degraded service']);
    // Newest update first, as Statuspage lists them.
    expect(data.resolvedIncidents[0]!.incident_updates.map((u) => u.status)).toEqual(['resolved', 'investigating']);

    // The window that ended is gone; the one in progress and the upcoming one are listed.
    expect(data.summary.scheduled_maintenances.map((m) => [m.name, m.status, m.components.map((c) => c.id)])).toEqual([
      ['Database upgrade', 'in_progress', ['ai']],
      ['Ticket system migration', 'scheduled', ['support']],
    ]);
    expect(data.summary.scheduled_maintenances[1]).toMatchObject({ impact: 'maintenance', scheduled_for: new Date(NOW + 2 * DAY).toISOString(), scheduled_until: new Date(NOW + 2 * DAY + 3_600_000).toISOString() });
    expect(data.unavailable).toEqual([]);
  });

  it('still shows the components when the incidents or maintenance cannot be read, and says which part is missing', async () => {
    const broken = { publicIncidents: () => Promise.reject(new Error('firestore: connection refused at 10.0.0.7')) };
    const data = await loadStatusPage({ warehouse: wh, incidents: broken, maintenance: NO_MAINTENANCE }, NOW);
    expect(data.unavailable).toEqual(['incidents']);
    expect(data.summary.components).toHaveLength(12);
  });
});
