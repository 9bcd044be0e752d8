import { incidentEntry, type AcknowledgedDetail, type Incident, type IncidentVia, type ResolvedDetail, type UpdateDetail } from './incident';
import type { IncidentStore } from './incident-store';

/** An incident id that is not stored. */
export class IncidentNotFoundError extends Error {
  constructor(readonly incidentId: string) {
    super(`no incident with id ${incidentId}`);
    this.name = 'IncidentNotFoundError';
  }
}

/** Bad input to an action (an empty message): the message says what is wrong. */
export class IncidentInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncidentInputError';
  }
}

/** Longest update text: a few paragraphs. */
export const MAX_UPDATE_CHARS = 2_000;

export interface ActionResult {
  readonly incident: Incident;
  /** False when nothing changed (already acknowledged / resolved). */
  readonly changed: boolean;
}

async function load(store: IncidentStore, id: string): Promise<Incident> {
  const incident = await store.get(id);
  if (!incident) throw new IncidentNotFoundError(id);
  return incident;
}

/**
 * Acknowledges an incident: someone is on it, so reminders of its alerts stop (incident-tracker.ts
 * `quietEpisodes`). A second acknowledgement, or one of a resolved incident, changes nothing.
 * `key` makes a retried request (a PagerDuty webhook delivered twice) one entry.
 */
export async function acknowledgeIncident(store: IncidentStore, id: string, by: string, via: IncidentVia, nowMs: number, key: string = String(nowMs)): Promise<ActionResult> {
  const incident = await load(store, id);
  if (incident.status !== 'open') return { incident, changed: false };
  const detail: AcknowledgedDetail = { by, via };
  await store.append([incidentEntry(id, 'acknowledged', nowMs, detail as unknown as Record<string, unknown>, via, key)]);
  return { incident: await load(store, id), changed: true };
}

/** Resolves an incident by hand (PagerDuty's resolve): reminders of its alerts stop; its alerts resolve on their own. */
export async function resolveIncident(store: IncidentStore, id: string, by: string, via: IncidentVia, nowMs: number, key: string = String(nowMs)): Promise<ActionResult> {
  const incident = await load(store, id);
  if (incident.status === 'resolved') return { incident, changed: false };
  const detail: ResolvedDetail = { by, via };
  await store.append([incidentEntry(id, 'resolved', nowMs, detail as unknown as Record<string, unknown>, via, key)]);
  return { incident: await load(store, id), changed: true };
}

/**
 * Posts a free-text update. A public one (`public: true`) is shown on the status page as written,
 * and makes the incident public: write it for users, without internal detail.
 */
export async function postIncidentUpdate(store: IncidentStore, id: string, update: { message: string; public: boolean; by: string }, nowMs: number): Promise<ActionResult> {
  const message = update.message.trim();
  if (message.length === 0) throw new IncidentInputError('the update message is empty');
  if (message.length > MAX_UPDATE_CHARS) throw new IncidentInputError(`the update message is ${message.length} characters; at most ${MAX_UPDATE_CHARS}`);
  await load(store, id);
  const detail: UpdateDetail = { message, public: update.public, by: update.by };
  await store.append([incidentEntry(id, 'update', nowMs, detail as unknown as Record<string, unknown>, nowMs, update.by, message)]);
  return { incident: await load(store, id), changed: true };
}
