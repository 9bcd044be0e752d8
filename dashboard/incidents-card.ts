import type { Incident } from '../incidents/incident';
import type { IncidentStore } from '../incidents/incident-store';
import { timelineText } from '../incidents/timeline-text';
import type { Severity } from '../shared/incident-tiers';

/** The Incidents card covers the open incidents and those that changed in the last 7 days, newest first, at most this many. */
export const INCIDENTS_CARD_SPAN_MS = 7 * 86_400_000;
export const INCIDENTS_CARD_LIMIT = 20;

export interface IncidentCardItem {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly module: string;
  readonly status: Incident['status'];
  readonly openedAtMs: number;
  readonly acknowledgedAtMs: number | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAtMs: number | null;
  readonly alerts: number;
  /** Oldest first, in words (incidents/timeline-text.ts). */
  readonly timeline: ReadonlyArray<{ readonly atMs: number; readonly type: string; readonly text: string }>;
}

/** The dashboard's Incidents card (issue #16); `error` when the store could not be read (the rest of the page still renders). */
export interface IncidentsCard {
  readonly incidents: readonly IncidentCardItem[];
  readonly error?: string;
}

/** The card from an incident list. Pure: open ones first (newest first), then the others. */
export function incidentsCard(incidents: readonly Incident[]): IncidentsCard {
  const ordered = [...incidents.filter((i) => i.status !== 'resolved'), ...incidents.filter((i) => i.status === 'resolved')].slice(0, INCIDENTS_CARD_LIMIT);
  return {
    incidents: ordered.map((i) => ({
      id: i.id,
      title: i.title,
      severity: i.severity,
      module: i.module,
      status: i.status,
      openedAtMs: i.openedAtMs,
      acknowledgedAtMs: i.acknowledgedAtMs,
      acknowledgedBy: i.acknowledgedBy,
      resolvedAtMs: i.resolvedAtMs,
      alerts: i.alerts.length,
      timeline: i.timeline.map((e) => ({ atMs: e.atMs, type: e.type, text: timelineText(e) })),
    })),
  };
}

/** Reads the card; an unreadable store becomes the card's error, never the page's. */
export async function loadIncidentsCard(store: IncidentStore | undefined, nowMs: number, describe: (error: unknown) => string = String): Promise<IncidentsCard> {
  if (!store) return { incidents: [] };
  try {
    return incidentsCard(await store.load(nowMs - INCIDENTS_CARD_SPAN_MS));
  } catch (error) {
    return { incidents: [], error: `incidents could not be read: ${describe(error)}` };
  }
}
