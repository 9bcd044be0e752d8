import type { AlertInstance, Transition } from '../alerts/model/alert-instance';
import type { DeliveryReport } from '../alerts/notify/delivery-stage';
import type { NotificationRecord } from '../alerts/notify/notification';
import {
  foldIncident,
  incidentEntry,
  incidentGroupKey,
  incidentIdOf,
  type AlertFiredDetail,
  type AlertResolvedDetail,
  type Incident,
  type IncidentEntry,
  type NotifiedDetail,
  type OpenedDetail,
  type ResolvedDetail,
} from './incident';

/** A transition with the instance it left behind (its labels and episode). */
export interface AlertChange {
  readonly transition: Transition;
  readonly instance: AlertInstance;
}

const episodeKey = (fingerprint: string, episodeStartMs: number) => `${fingerprint}\u0000${episodeStartMs}`;

/**
 * The timeline entries a run's transitions add. Pure. An alert that fires joins the incident of
 * its group key that is not resolved, or opens one; an alert that resolves is marked so in the
 * incident it joined, and when every alert of an incident has resolved, the incident resolves.
 * `incidents` are the stored ones (at least every one not resolved).
 */
export function entriesForTransitions(incidents: readonly Incident[], changes: readonly AlertChange[]): IncidentEntry[] {
  const entries = new Map<string, IncidentEntry[]>();
  const current = new Map<string, Incident>();
  for (const incident of incidents) {
    current.set(incident.id, incident);
    entries.set(incident.id, [...incident.timeline]);
  }
  const added: IncidentEntry[] = [];
  const add = (entry: IncidentEntry) => {
    const list = entries.get(entry.incidentId) ?? [];
    if (list.some((e) => e.id === entry.id)) return;
    list.push(entry);
    entries.set(entry.incidentId, list);
    added.push(entry);
    const folded = foldIncident(list);
    if (folded) current.set(folded.id, folded);
  };
  for (const { transition: t, instance } of [...changes].sort((a, b) => a.transition.atMs - b.transition.atMs)) {
    const episodeStartMs = instance.firedAtMs;
    if (episodeStartMs === null) continue;
    if (t.to === 'firing') {
      const groupKey = incidentGroupKey(instance.labels, instance.ruleId);
      const containing = [...current.values()].find((i) => i.alerts.some((a) => episodeKey(a.fingerprint, a.episodeStartMs) === episodeKey(t.fingerprint, episodeStartMs)));
      if (containing) continue;
      const open = [...current.values()].find((i) => i.status !== 'resolved' && i.groupKey === groupKey);
      const incidentId = open?.id ?? incidentIdOf(groupKey, t.atMs);
      if (!open) {
        const opened: OpenedDetail = { groupKey, module: instance.labels.module ?? 'infrastructure', severity: t.severity };
        add(incidentEntry(incidentId, 'opened', t.atMs, opened as unknown as Record<string, unknown>));
      }
      const fired: AlertFiredDetail = { fingerprint: t.fingerprint, ruleId: t.ruleId, severity: t.severity, name: instance.annotations.name, episodeStartMs };
      add(incidentEntry(incidentId, 'alert_fired', t.atMs, fired as unknown as Record<string, unknown>, t.fingerprint, episodeStartMs));
    } else if (t.to === 'resolved') {
      const incident = [...current.values()].find((i) => i.alerts.some((a) => a.fingerprint === t.fingerprint && a.episodeStartMs === episodeStartMs && a.resolvedAtMs === null));
      if (!incident) continue;
      const detail: AlertResolvedDetail = { fingerprint: t.fingerprint, episodeStartMs };
      add(incidentEntry(incident.id, 'alert_resolved', t.atMs, detail as unknown as Record<string, unknown>, t.fingerprint, episodeStartMs));
      const after = current.get(incident.id) as Incident;
      if (after.status !== 'resolved' && after.alerts.every((a) => a.resolvedAtMs !== null)) {
        const resolved: ResolvedDetail = { by: 'alerts', via: 'alerts' };
        add(incidentEntry(incident.id, 'resolved', t.atMs, resolved as unknown as Record<string, unknown>, 'alerts'));
      }
    }
  }
  return added;
}

/**
 * The timeline entries of a run's deliveries: one per notification and outcome (channel, kind,
 * delivered / retry / failed, attempts), in the incident its alert episode joined. Pure.
 * `records` are the ledger rows the run knew (by id).
 */
export function entriesForDeliveries(incidents: readonly Incident[], deliveries: readonly DeliveryReport[], records: ReadonlyMap<string, NotificationRecord>, atMs: number): IncidentEntry[] {
  const byEpisode = new Map<string, Incident>();
  for (const incident of incidents) for (const a of incident.alerts) byEpisode.set(episodeKey(a.fingerprint, a.episodeStartMs), incident);
  const out: IncidentEntry[] = [];
  for (const report of deliveries) {
    if (report.attempts === 0) continue;
    for (const id of report.notificationIds) {
      const record = records.get(id);
      if (!record) continue;
      const incident = byEpisode.get(episodeKey(record.fingerprint, record.episodeStartMs));
      if (!incident) continue;
      const detail: NotifiedDetail = {
        fingerprint: record.fingerprint,
        channel: record.channel,
        kind: record.kind,
        outcome: report.outcome,
        attempts: report.attempts,
        ...(report.reason ? { reason: report.reason } : {}),
      };
      out.push(incidentEntry(incident.id, 'notified', atMs, detail as unknown as Record<string, unknown>, id, report.outcome, atMs));
    }
  }
  return out;
}

/**
 * The alert episodes whose reminders are held back: those of an incident acknowledged (or
 * resolved by a person: PagerDuty, `obs`) that had joined it by then. A new alert joining later,
 * and every resolve, are still notified. Keys are `fingerprint \0 episodeStartMs`.
 */
export function quietEpisodes(incidents: readonly Incident[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const incident of incidents) {
    const manualResolve = incident.resolvedVia !== null && incident.resolvedVia !== 'alerts' ? incident.resolvedAtMs : null;
    const since = incident.acknowledgedAtMs ?? manualResolve;
    if (since === null) continue;
    for (const a of incident.alerts) if (a.joinedAtMs <= since) out.add(episodeKey(a.fingerprint, a.episodeStartMs));
  }
  return out;
}
