import { createHash } from 'node:crypto';
import { activeSlos, MODULE_IDS, MODULES, type ModuleId, type SloSpec } from '../shared';
import { moduleReadiness } from '../health/module-readiness';
import { loadLiveSignals, type ActiveAlertsSource } from '../health/live-signals';
import type { PublicIncident, PublicIncidentSource } from '../incidents';
import { activeMaintenance, type MaintenanceOccurrence, type MaintenanceSource } from '../maintenance';
import type { Warehouse } from '../sql/warehouse';
import { componentStatus, overallStatus } from './component-status';
import type { AffectedComponent, ComponentUptime, IncidentUpdate, StatusComponent, StatusIncident, StatusMaintenance, StatusPageData } from './summary';
import { DAY_MS, loadUptime, uptimeFromCounts, uptimeRange } from './uptime';

/** Where the status page reads from; no source needs credentials beyond the function's own. */
export interface StatusPageSources {
  readonly warehouse: Warehouse;
  /** The alert state (firing alerts drive the components' statuses); undefined: alerts unknown. */
  readonly alerts?: ActiveAlertsSource;
  readonly incidents: PublicIncidentSource;
  readonly maintenance: MaintenanceSource;
  /** Default: the active SLO catalogue (OBS_SLO_FILE merged). */
  readonly slos?: () => readonly SloSpec[];
}

export interface StatusPageIdentity {
  readonly id: string;
  readonly name: string;
  /** The page's address as served; the path when the public host is not known here. */
  readonly url: string;
}

export const DEFAULT_IDENTITY: StatusPageIdentity = { id: 'avalo', name: 'Avalo Status', url: '/status' };
/** Resolved incidents stay on the page ("Past incidents") this long after they resolve. */
export const PAST_INCIDENT_DAYS = 14;
/** Maintenance windows are listed this far ahead. */
export const MAINTENANCE_LOOKAHEAD_DAYS = 14;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The public id of an incident or maintenance occurrence: a digest of the internal one, stable
 * across reads. The internal ids are not shown, whatever they are made of (an incident's may be
 * built from its group key, which can hold a rule id).
 */
export function publicId(kind: 'incident' | 'maintenance', internalId: string): string {
  return createHash('sha256').update(`${kind}:${internalId}`).digest('hex').slice(0, 12);
}

/**
 * Reads everything the page shows, at `nowMs`: the live signals (for each module's readiness),
 * 90 days of uptime, the public incidents and the maintenance windows — in parallel. The live
 * signals are required (the page cannot say anything without them: the caller answers 503); an
 * incident, maintenance or uptime source that fails is left out and named in `unavailable`.
 */
export async function loadStatusPage(sources: StatusPageSources, nowMs: number, identity: StatusPageIdentity = DEFAULT_IDENTITY): Promise<StatusPageData> {
  const slos = sources.slos?.() ?? activeSlos();
  const unavailable: StatusPageData['unavailable'][number][] = [];
  const optional = <T>(what: StatusPageData['unavailable'][number], read: () => Promise<T>, fallback: T): Promise<T> =>
    read().catch(() => {
      unavailable.push(what);
      return fallback;
    });
  const { fromMs, toMs } = uptimeRange(nowMs);
  const [signals, uptime, incidents, occurrences] = await Promise.all([
    loadLiveSignals(sources.warehouse, sources.alerts, nowMs),
    optional('uptime', () => loadUptime(sources.warehouse, slos, nowMs), uptimeFromCounts([], fromMs, toMs, () => ({ good: 0, total: 0 }))),
    optional('incidents', () => sources.incidents.publicIncidents(nowMs - PAST_INCIDENT_DAYS * DAY_MS), [] as PublicIncident[]),
    optional('maintenance', () => sources.maintenance.occurrences(nowMs, nowMs + MAINTENANCE_LOOKAHEAD_DAYS * DAY_MS), [] as MaintenanceOccurrence[]),
  ]);
  return statusPageFrom({ nowMs, identity, uptime, incidents, occurrences, unavailable, readiness: (m) => moduleReadiness(m, signals), alerts: signals.alerts });
}

/** Pure: the page's data from what was read. */
export function statusPageFrom(input: {
  nowMs: number;
  identity: StatusPageIdentity;
  readiness: (module: ModuleId) => ReturnType<typeof moduleReadiness>;
  alerts: Parameters<typeof componentStatus>[2];
  uptime: Record<ModuleId, ComponentUptime>;
  incidents: readonly PublicIncident[];
  occurrences: readonly MaintenanceOccurrence[];
  unavailable: StatusPageData['unavailable'];
}): StatusPageData {
  const { nowMs, identity } = input;
  const updatedAt = iso(nowMs);
  const components: StatusComponent[] = MODULE_IDS.map((module, position) => {
    const readiness = input.readiness(module);
    const inMaintenance = activeMaintenance(input.occurrences, nowMs, module).length > 0;
    return {
      id: module,
      name: MODULES[module].name,
      status: componentStatus(module, readiness, input.alerts, inMaintenance),
      created_at: null,
      updated_at: updatedAt,
      position: position + 1,
      description: readiness.readiness === 'no_data' && !inMaintenance ? 'No recent activity measured' : null,
      showcase: true,
      start_date: null,
      group_id: null,
      page_id: identity.id,
      group: false,
      only_show_if_degraded: false,
      uptime: input.uptime[module],
    };
  });
  const byId = new Map(components.map((c) => [c.id, c]));
  const affected = (modules: readonly ModuleId[]): AffectedComponent[] =>
    modules.flatMap((m) => {
      const c = byId.get(m);
      return c ? [{ id: c.id, name: c.name, status: c.status }] : [];
    });
  const incidents = input.incidents.map((i) => toIncident(i, identity, affected(i.modules)));
  const open = incidents.filter((i) => i.status !== 'resolved');
  const maintenances = input.occurrences
    .filter((o) => Date.parse(o.endsAt) > nowMs)
    .map((o) => toMaintenance(o, nowMs, identity, affected([o.module])));
  return {
    summary: {
      page: { id: identity.id, name: identity.name, url: identity.url, time_zone: 'Etc/UTC', updated_at: updatedAt },
      status: overallStatus(
        components.map((c) => c.status),
        open.map((i) => i.impact),
      ),
      components,
      incidents: open,
      scheduled_maintenances: maintenances,
    },
    resolvedIncidents: incidents.filter((i) => i.status === 'resolved').sort((a, b) => (b.resolved_at ?? '').localeCompare(a.resolved_at ?? '')),
    unavailable: input.unavailable,
  };
}

function toIncident(incident: PublicIncident, identity: StatusPageIdentity, components: AffectedComponent[]): StatusIncident {
  const id = publicId('incident', incident.id);
  const updates: IncidentUpdate[] = incident.updates
    .map((u, index) => ({ id: `${id}-${index + 1}`, status: u.status, body: u.body, incident_id: id, created_at: u.at, updated_at: u.at, display_at: u.at, affected_components: null }))
    .reverse();
  const monitoring = incident.updates.find((u) => u.status === 'monitoring');
  return {
    id,
    name: incident.title,
    status: incident.status,
    created_at: incident.startedAt,
    updated_at: incident.updatedAt,
    monitoring_at: monitoring?.at ?? null,
    resolved_at: incident.resolvedAt,
    impact: incident.impact,
    shortlink: `${identity.url}#incident-${id}`,
    started_at: incident.startedAt,
    page_id: identity.id,
    incident_updates: updates,
    components,
  };
}

function toMaintenance(o: MaintenanceOccurrence, nowMs: number, identity: StatusPageIdentity, components: AffectedComponent[]): StatusMaintenance {
  const inProgress = Date.parse(o.startsAt) <= nowMs;
  const id = publicId('maintenance', o.id);
  return {
    id,
    name: o.title,
    status: inProgress ? 'in_progress' : 'scheduled',
    created_at: o.startsAt,
    updated_at: o.startsAt,
    monitoring_at: null,
    resolved_at: null,
    impact: 'maintenance',
    shortlink: `${identity.url}#maintenance-${id}`,
    started_at: o.startsAt,
    page_id: identity.id,
    incident_updates: [],
    components,
    scheduled_for: o.startsAt,
    scheduled_until: o.endsAt,
  };
}
