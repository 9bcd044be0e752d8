import type { Incident, IncidentEntry } from './incident';

/**
 * Durable incidents: their timelines. Two adapters, like the alert store: warehouse tables (the
 * CLI and `obs start`, DuckDB: warehouse-incident-store.ts) and Firestore (production:
 * firestore-incident-store.ts). Both pass the same contract tests (test/integration/incidents/).
 *
 * Contract:
 * - `append` stores each entry once by its id (ids are deterministic: incident.ts `incidentEntry`,
 *   and an id stands for one event with one content), so two writers recording the same event
 *   store it once; no writer rewrites another's entries, as each event has its own id. (Firestore
 *   keeps the first write of an id; the warehouse's MERGE the last, which is the same content.)
 * - `load(sinceMs)` returns every incident not resolved, and every incident with an entry at or
 *   after `sinceMs`, each with its whole timeline; newest first.
 * - `get(id)` returns one incident with its whole timeline, undefined when unknown.
 */
export interface IncidentStore {
  append(entries: readonly IncidentEntry[]): Promise<void>;
  load(sinceMs: number): Promise<Incident[]>;
  get(id: string): Promise<Incident | undefined>;
}
