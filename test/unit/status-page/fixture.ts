import { runRebuild } from '../../../aggregator/rebuild';
import type { ActiveAlert } from '../../../health/live-signals';
import type { PublicIncident, PublicIncidentSource } from '../../../incidents';
import type { MaintenanceOccurrence, MaintenanceSource } from '../../../maintenance';
import { MODULES } from '../../../shared';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { EventRow } from '../../../sql/warehouse';
import { event } from '../aggregator/support';

/**
 * A warehouse with 90 days of SLI data for the status page's tests: wallet, calls, chat (the last
 * 40 days only), AI and infrastructure have events every day; wallet's day 5 days ago is an
 * outage (1 in 6 spends failed) and 20 days ago missed its 99.95% objective (99.9%); the other
 * modules have no objective. Wallet also has events in the last 15 minutes (recent data).
 */
export const NOW = Date.UTC(2026, 10, 27, 12, 0);
export const DAY = 86_400_000;
export const TODAY = Math.floor(NOW / DAY) * DAY;
export const OUTAGE_DAY = new Date(TODAY - 5 * DAY).toISOString().slice(0, 10);
export const MISSED_DAY = new Date(TODAY - 20 * DAY).toISOString().slice(0, 10);

export function fixtureEvents(days = 90): EventRow[] {
  const rows: EventRow[] = [];
  for (let d = days - 1; d >= 0; d--) {
    const t = TODAY - d * DAY + 6 * 3_600_000;
    if (t >= NOW) continue;
    const failed = d === 5 ? 2_000 : d === 20 ? 10 : 1;
    rows.push(event('product.wallet.spend.success', 'count', 10_000, t, { feature: 'chat' }));
    rows.push(event('product.wallet.spend.failed', 'count', failed, t, { feature: 'chat', reason: 'insufficient_balance' }));
    rows.push(event('product.call.connected.count', 'count', 1_000, t, { call_type: 'video' }));
    rows.push(event('product.call.failed.count', 'count', 5, t, { call_type: 'video', reason: 'timeout' }));
    rows.push(event('infra.http.request.count', 'count', 10_000, t, { tier: 'core', status_class: '2xx' }));
    rows.push(event('infra.http.request.count', 'count', 2, t, { tier: 'core', status_class: '5xx' }));
    for (let i = 0; i < 10; i++) {
      rows.push(event('infra.http.request.latency_ms', 'timing', 120, t + i, { tier: 'core' }));
      rows.push(event('product.ai.response.latency_ms', 'timing', 900, t + i, { companion_type: 'friend' }));
      if (d < 40) rows.push(event('product.chat.delivery.latency_ms', 'timing', 800, t + i, { channel: 'direct' }));
    }
  }
  // Recent data: wallet's metrics arrived in the last 15 minutes.
  rows.push(event('product.wallet.spend.success', 'count', 50, NOW - 5 * 60_000, { feature: 'chat' }));
  return rows;
}

/** A DuckDB warehouse (in memory) with {@link fixtureEvents} rolled up (1 m, 1 h, 1 d windows). */
export async function fixtureWarehouse(days = 90): Promise<DuckDbWarehouse> {
  const wh = await DuckDbWarehouse.open(':memory:');
  await wh.createSchema();
  await wh.insertEvents(fixtureEvents(days));
  await runRebuild(wh, { fromMs: TODAY - (days - 1) * DAY, toMs: NOW, nowMs: NOW });
  return wh;
}

/** A firing alert as the alert store reports it. */
export function firingAlert(ruleId: string, module: ActiveAlert['module'], severity: ActiveAlert['severity'], extra: Partial<ActiveAlert> = {}): ActiveAlert {
  return { fingerprint: `${ruleId}|module=${module}`, ruleId, module, severity, state: 'firing', sinceMs: NOW - 10 * 60_000, summary: `${ruleId} firing`, runbook: `https://runbooks.internal.example/${ruleId}`, ...extra };
}

/** A public incident as the incidents module describes it (incidents/public-incident.ts). */
export function publicIncident(id: string, module: keyof typeof MODULES, resolved: boolean, extra: Partial<PublicIncident> = {}): PublicIncident {
  const started = new Date(NOW - 40 * 60_000).toISOString();
  const updates: PublicIncident['updates'] = [{ at: started, status: 'investigating', body: `We are investigating problems with ${MODULES[module].name}.` }];
  if (resolved) updates.push({ at: new Date(NOW - 10 * 60_000).toISOString(), status: 'resolved', body: 'This incident has been resolved.' });
  return {
    id,
    title: `${MODULES[module].name}: degraded service`,
    status: resolved ? 'resolved' : 'investigating',
    impact: 'major',
    modules: [module],
    startedAt: started,
    updatedAt: updates[updates.length - 1]!.at,
    resolvedAt: resolved ? updates[updates.length - 1]!.at : null,
    updates,
    ...extra,
  };
}

export const incidentsOf = (list: PublicIncident[]): PublicIncidentSource => ({ publicIncidents: () => Promise.resolve(list) });
export const maintenanceOf = (list: MaintenanceOccurrence[]): MaintenanceSource => ({
  occurrences: (fromMs, toMs) => Promise.resolve(list.filter((o) => Date.parse(o.endsAt) > fromMs && Date.parse(o.startsAt) < toMs)),
});

export function maintenanceWindow(id: string, module: keyof typeof MODULES, startMs: number, endMs: number, title = 'Database upgrade'): MaintenanceOccurrence {
  return { id: `${id}@${new Date(startMs).toISOString()}`, module, title, startsAt: new Date(startMs).toISOString(), endsAt: new Date(endMs).toISOString(), excludeFromBudget: false };
}
