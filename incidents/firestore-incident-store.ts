import type { CollectionReference, DocumentData, Firestore } from 'firebase-admin/firestore';
import pLimit from 'p-limit';
import type { Redactor } from '../shared/redaction';
import { foldIncident, foldIncidents, type Incident, type IncidentEntry, type IncidentEntryType } from './incident';
import type { IncidentStore } from './incident-store';

/** gRPC ALREADY_EXISTS: `create()` of a document that is there. */
const ALREADY_EXISTS = 6;
/** Document writes in flight at once. */
const WRITE_CONCURRENCY = 16;
/** Firestore's `in` filter takes at most 30 values. */
const IN_LIMIT = 30;

function toEntry(doc: DocumentData): IncidentEntry {
  return { id: String(doc.entry_id), incidentId: String(doc.incident_id), atMs: Number(doc.at_ms), type: doc.entry_type as IncidentEntryType, detail: (doc.detail ?? {}) as Record<string, unknown> };
}

/**
 * Incidents on Firestore (production; the emulator in tests). `<prefix>incident_timeline` holds
 * one document per entry (id = entry id, created once: a second create of the same entry is a
 * no-op), and `<prefix>incidents` one small index document per incident (`open`, `updated_at_ms`)
 * so that `load` reads the open and recent incidents without scanning every timeline.
 */
export class FirestoreIncidentStore implements IncidentStore {
  private readonly timeline: CollectionReference;
  private readonly index: CollectionReference;

  constructor(
    db: Firestore,
    prefix = 'observability_',
    private readonly redactor?: Redactor,
  ) {
    this.timeline = db.collection(`${prefix}incident_timeline`);
    this.index = db.collection(`${prefix}incidents`);
  }

  async append(entries: readonly IncidentEntry[]): Promise<void> {
    const limit = pLimit(WRITE_CONCURRENCY);
    await Promise.all(
      entries.map((e) => limit(async () => {
        const detail = this.redactor ? (JSON.parse(this.redactor.redact(JSON.stringify(e.detail))) as DocumentData) : e.detail;
        try {
          await this.timeline.doc(e.id).create({ entry_id: e.id, incident_id: e.incidentId, at_ms: e.atMs, entry_type: e.type, detail });
        } catch (error) {
          if ((error as { code?: unknown }).code !== ALREADY_EXISTS) throw error;
        }
      })),
    );
    // The index after the entries: a reader never finds an index document without its timeline.
    const byIncident = new Map<string, IncidentEntry[]>();
    for (const e of entries) byIncident.set(e.incidentId, [...(byIncident.get(e.incidentId) ?? []), e]);
    await Promise.all(
      [...byIncident].map(([id, list]) => limit(async () => {
        const fields: DocumentData = { incident_id: id, updated_at_ms: Math.max(...list.map((e) => e.atMs)) };
        if (list.some((e) => e.type === 'resolved')) fields.open = false;
        else if (list.some((e) => e.type === 'opened')) fields.open = true;
        await this.index.doc(id).set(fields, { merge: true });
      })),
    );
  }

  async load(sinceMs: number): Promise<Incident[]> {
    const [open, recent] = await Promise.all([this.index.where('open', '==', true).get(), this.index.where('updated_at_ms', '>=', sinceMs).get()]);
    const ids = [...new Set([...open.docs, ...recent.docs].map((d) => d.id))];
    const entries: IncidentEntry[] = [];
    for (let i = 0; i < ids.length; i += IN_LIMIT) {
      const snap = await this.timeline.where('incident_id', 'in', ids.slice(i, i + IN_LIMIT)).get();
      entries.push(...snap.docs.map((d) => toEntry(d.data())));
    }
    return foldIncidents(entries);
  }

  async get(id: string): Promise<Incident | undefined> {
    const snap = await this.timeline.where('incident_id', '==', id).get();
    return foldIncident(snap.docs.map((d) => toEntry(d.data())));
  }
}
