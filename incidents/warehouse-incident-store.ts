import { incidentTimelineOne, incidentTimelineRecent } from '../sql/queries/incidents';
import type { Row, Warehouse } from '../sql/warehouse';
import type { Redactor } from '../shared/redaction';
import { foldIncident, foldIncidents, type Incident, type IncidentEntry, type IncidentEntryType } from './incident';
import type { IncidentStore } from './incident-store';

type EntryRow = { entry_id: string; incident_id: string; at_ms: number; entry_type: string; detail: string };

function toEntry(row: EntryRow): IncidentEntry {
  return { id: row.entry_id, incidentId: row.incident_id, atMs: Number(row.at_ms), type: row.entry_type as IncidentEntryType, detail: JSON.parse(row.detail) as Record<string, unknown> };
}

/**
 * Incidents in the warehouse table incident_timeline: the CLI and `obs start` (DuckDB). Appends
 * are upserts keyed by the entry id, which is deterministic, so writing an entry again changes
 * nothing. Details are passed through the redactor (an update's text, a delivery's error).
 */
export class WarehouseIncidentStore implements IncidentStore {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly redactor?: Redactor,
  ) {}

  async append(entries: readonly IncidentEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows: Row[] = entries.map((e) => ({
      entry_id: e.id,
      incident_id: e.incidentId,
      occurred_at: e.atMs,
      entry_type: e.type,
      detail: this.redactor ? this.redactor.redact(JSON.stringify(e.detail)) : JSON.stringify(e.detail),
    }));
    await this.warehouse.upsert('incident_timeline', rows);
  }

  async load(sinceMs: number): Promise<Incident[]> {
    return foldIncidents((await this.warehouse.query<EntryRow>(incidentTimelineRecent, { since_ms: sinceMs })).map(toEntry));
  }

  async get(id: string): Promise<Incident | undefined> {
    return foldIncident((await this.warehouse.query<EntryRow>(incidentTimelineOne, { incident_id: id })).map(toEntry));
  }
}
