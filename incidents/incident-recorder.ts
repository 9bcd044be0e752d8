import type { AlertInstance, Transition } from '../alerts/model/alert-instance';
import type { DeliveryReport } from '../alerts/notify/delivery-stage';
import type { NotificationRecord } from '../alerts/notify/notification';
import type { Logger } from '../shared/logger';
import type { IncidentStore } from './incident-store';
import { entriesForDeliveries, entriesForTransitions, quietEpisodes } from './incident-tracker';

/** Incidents read by a run: every open one, and those changed within this (a resolve notification may come days later). */
export const INCIDENT_LOOKBACK_MS = 7 * 86_400_000;

/**
 * What the alert pipeline (alerts/run/evaluate-run.ts) calls, on both the scheduled and the
 * streaming path. A failure here is logged and never stops the alerts: an incident is a record
 * of the alerts, not a step of their delivery.
 */
export interface IncidentRecorder {
  /** After the lifecycle step: open, extend or resolve incidents with the transitions that were written. */
  transitions(changes: ReadonlyArray<{ transition: Transition; instance: AlertInstance }>, nowMs: number): Promise<void>;
  /** Before deciding notifications: the alert episodes whose reminders are held back (acknowledged incidents). */
  quietEpisodes(nowMs: number): Promise<ReadonlySet<string>>;
  /** After delivery: each notification's channel and outcome in its incident's timeline. */
  deliveries(reports: readonly DeliveryReport[], records: readonly NotificationRecord[], nowMs: number): Promise<void>;
}

export function incidentRecorder(store: IncidentStore, logger: Logger): IncidentRecorder {
  const guarded = async <T>(what: string, fallback: T, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      logger.error(`incidents: ${what} failed (the alerts go on)`, { error: error instanceof Error ? error.message : String(error) });
      return fallback;
    }
  };
  return {
    transitions: (changes, nowMs) =>
      guarded('recording transitions', undefined, async () => {
        if (!changes.some((c) => c.transition.to === 'firing' || c.transition.to === 'resolved')) return;
        const entries = entriesForTransitions(await store.load(nowMs - INCIDENT_LOOKBACK_MS), changes);
        await store.append(entries);
        for (const e of entries.filter((x) => x.type === 'opened' || x.type === 'resolved')) logger.info(`incident ${e.type}`, { incident: e.incidentId });
      }),
    quietEpisodes: (nowMs) => guarded('reading acknowledgements', new Set<string>(), async () => quietEpisodes(await store.load(nowMs - INCIDENT_LOOKBACK_MS))),
    deliveries: (reports, records, nowMs) =>
      guarded('recording deliveries', undefined, async () => {
        if (reports.length === 0) return;
        const byId = new Map(records.map((r) => [r.id, r]));
        await store.append(entriesForDeliveries(await store.load(nowMs - INCIDENT_LOOKBACK_MS), reports, byId, nowMs));
      }),
  };
}
