import type { Incident, IncidentEntry } from './incident';

/**
 * Durable incidents: their timelines. Two adapters, like the alert store: warehouse tables (the
 * CLI and `obs start`, DuckDB: warehouse-incident-store.ts) and Firestore (production:
 * firestore-incident-store.ts). Both pass the same contract tests (test/integration/incidents/).
 *
 * Contract:
 * - `append` stores each entry whose id is not stored yet and leaves stored ones untouched (ids
 *   are deterministic: incident.ts `incidentEntry`), so two writers recording the same event store
 *   it once, and nothing a writer appends is overwritten by another.
 * - `load(sinceMs)` returns every incident not resolved, and every incident with an entry at or
 *   after `sinceMs`, each with its whole timeline; newest first.
 * - `get(id)` returns one incident with its whole timeline, undefined when unknown.
 */
export interface IncidentStore {
  append(entries: readonly IncidentEntry[]): Promise<void>;
  load(sinceMs: number): Promise<Incident[]>;
  get(id: string): Promise<Incident | undefined>;
}
