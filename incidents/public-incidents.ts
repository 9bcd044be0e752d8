import { MODULES } from '../shared/modules';
import type { Severity } from '../shared/incident-tiers';
import type { Incident, UpdateDetail } from './incident';
import type { IncidentStore } from './incident-store';
import type { PublicIncident, PublicIncidentSource } from './public-incident';

const IMPACT: Readonly<Record<Severity, PublicIncident['impact']>> = { P0: 'critical', P1: 'major', P2: 'minor', P3: 'none' };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * An incident as the public sees it. Pure. Nothing from the alerts goes out — no rule, metric,
 * tag, channel or person: the title is the module's display name and a generic phrase, and the
 * updates are generic lines plus what someone posted with `--public`.
 */
export function toPublicIncident(incident: Incident): PublicIncident {
  const name = MODULES[incident.module].name;
  const updates: PublicIncident['updates'] = [];
  let status: PublicIncident['status'] = 'investigating';
  for (const e of incident.timeline) {
    if (e.type === 'opened') updates.push({ at: iso(e.atMs), status, body: `We are investigating a problem affecting ${name}.` });
    else if (e.type === 'acknowledged' && status === 'investigating') {
      status = 'identified';
      updates.push({ at: iso(e.atMs), status, body: 'Our team is working on it.' });
    } else if (e.type === 'update' && (e.detail as unknown as UpdateDetail).public === true) {
      updates.push({ at: iso(e.atMs), status, body: (e.detail as unknown as UpdateDetail).message });
    } else if (e.type === 'resolved' && status !== 'resolved') {
      status = 'resolved';
      updates.push({ at: iso(e.atMs), status, body: 'Resolved' });
    }
  }
  return {
    id: incident.id,
    title: incident.severity === 'P0' ? `${name}: service disruption` : `${name}: degraded service`,
    status,
    impact: IMPACT[incident.severity],
    modules: [incident.module],
    startedAt: iso(incident.openedAtMs),
    updatedAt: iso(incident.updatedAtMs),
    resolvedAt: incident.resolvedAtMs === null ? null : iso(incident.resolvedAtMs),
    updates,
  };
}

/** The status page's source: the public incidents open now or resolved since `sinceMs`, newest first. */
export function storePublicIncidents(store: () => IncidentStore | Promise<IncidentStore>): PublicIncidentSource {
  return {
    async publicIncidents(sinceMs) {
      const incidents = await (await store()).load(sinceMs);
      return incidents.filter((i) => i.public && (i.resolvedAtMs === null || i.resolvedAtMs >= sinceMs)).map(toPublicIncident);
    },
  };
}
