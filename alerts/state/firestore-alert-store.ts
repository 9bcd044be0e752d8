import { createHash } from 'node:crypto';
import type { CollectionReference, DocumentData, DocumentReference, Firestore } from 'firebase-admin/firestore';
import pLimit from 'p-limit';
import type { Row } from '../../sql/warehouse';
import type { AlertInstance } from '../model/alert-instance';
import type { Silence } from '../mute/silences';
import type { NotificationRecord } from '../notify/notification';
import type { AlertStore, ClaimRequest, DeliveryUpdate, InstanceWrite } from './alert-store';
import { instanceToRecord, notificationToRecord, recordToInstance, recordToNotification, recordToSilence, silenceToRecord } from './row-codec';

/** JSON-text fields of the flat records, stored as Firestore maps/arrays so they read well in the console. */
const JSON_FIELDS = new Set(['labels', 'annotations', 'detail', 'alert', 'matchers']);

function toDocument(record: Row): DocumentData {
  const doc: DocumentData = {};
  for (const [key, value] of Object.entries(record)) {
    doc[key] = JSON_FIELDS.has(key) && typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  }
  return doc;
}

/** Documents per transaction (Firestore allows 500 writes in one). */
const TRANSACTION_DOCS = 200;
/** Document creates in flight at once. */
const WRITE_CONCURRENCY = 16;

/** gRPC ALREADY_EXISTS: `create()` of a document that is there. */
const ALREADY_EXISTS = 6;

/**
 * The alert store on Firestore (production; the emulator in tests). Collections
 * `<prefix>alert_state`, `<prefix>alert_notifications`, `<prefix>alert_silences`; documents are
 * the same flat records as the warehouse rows (state/row-codec.ts), with JSON fields as maps.
 * Compare-and-set, claims and completions are Firestore transactions, so two evaluator runs in
 * two function instances never move the same instance or send the same notification twice.
 */
export class FirestoreAlertStore implements AlertStore {
  private readonly state: CollectionReference;
  private readonly notifications: CollectionReference;
  private readonly silences: CollectionReference;

  /** @param prefix keeps the collections apart from the application's own data (and tests apart). */
  constructor(
    private readonly db: Firestore,
    prefix = 'observability_',
  ) {
    this.state = db.collection(`${prefix}alert_state`);
    this.notifications = db.collection(`${prefix}alert_notifications`);
    this.silences = db.collection(`${prefix}alert_silences`);
  }

  /** Fingerprints may hold `/`, which a document id may not: the id is their hash. */
  private stateRef(fingerprint: string) {
    return this.state.doc(createHash('sha256').update(fingerprint).digest('hex'));
  }

  async loadInstances(): Promise<AlertInstance[]> {
    return (await this.state.get()).docs.map((d) => recordToInstance(d.data()));
  }

  async compareAndSetInstances(writes: readonly InstanceWrite[]): Promise<ReadonlySet<string>> {
    const won = new Set<string>();
    for (let i = 0; i < writes.length; i += TRANSACTION_DOCS) {
      const chunk = writes.slice(i, i + TRANSACTION_DOCS);
      const refs = chunk.map((w) => this.stateRef(w.next.fingerprint));
      // The function may run again when Firestore retries the transaction: it recomputes from the reads.
      const wonHere = await this.db.runTransaction(async (tx) => {
        const snaps = await tx.getAll(...refs);
        const applied: string[] = [];
        snaps.forEach((snap, j) => {
          const write = chunk[j] as InstanceWrite;
          const current = snap.exists ? Number(snap.get('version')) : 0;
          if (current !== write.expectedVersion) return;
          tx.set(refs[j] as DocumentReference, toDocument(instanceToRecord({ ...write.next, version: write.expectedVersion + 1 })));
          applied.push(write.next.fingerprint);
        });
        return applied;
      });
      for (const fingerprint of wonHere) won.add(fingerprint);
    }
    return won;
  }

  async recordNotifications(rows: readonly NotificationRecord[]): Promise<void> {
    const limit = pLimit(WRITE_CONCURRENCY);
    await Promise.all(
      rows.map((row) => limit(async () => {
        try {
          await this.notifications.doc(row.id).create(toDocument(notificationToRecord(row)));
        } catch (error) {
          if ((error as { code?: unknown }).code !== ALREADY_EXISTS) throw error;
        }
      })),
    );
  }

  async loadLedger(sinceMs: number): Promise<NotificationRecord[]> {
    const [recent, pending] = await Promise.all([
      this.notifications.where('created_at_ms', '>=', sinceMs).get(),
      this.notifications.where('status', '==', 'pending').get(),
    ]);
    const byId = new Map<string, NotificationRecord>();
    for (const d of [...recent.docs, ...pending.docs]) byId.set(d.id, recordToNotification(d.data()));
    return [...byId.values()];
  }

  async claimPending(request: ClaimRequest): Promise<NotificationRecord[]> {
    const query = this.notifications.where('channel', '==', request.channel).where('status', '==', 'pending');
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(query);
      const due = snap.docs
        .map((d) => ({ ref: d.ref, row: recordToNotification(d.data()) }))
        .filter(({ row }) => row.nextAttemptAtMs <= request.nowMs && (row.claimToken === null || (row.claimedAtMs ?? 0) < request.staleBeforeMs))
        .sort((a, b) => a.row.createdAtMs - b.row.createdAtMs || kindOrder(a.row) - kindOrder(b.row) || a.row.fingerprint.localeCompare(b.row.fingerprint))
        .slice(0, request.limit);
      for (const { ref } of due) tx.update(ref, { claim_token: request.claimToken, claimed_at_ms: request.nowMs });
      return due.map(({ row }) => ({ ...row, claimToken: request.claimToken, claimedAtMs: request.nowMs }));
    });
  }

  async completeDelivery(id: string, claimToken: string, update: DeliveryUpdate): Promise<void> {
    const ref = this.notifications.doc(id);
    await this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists || snap.get('claim_token') !== claimToken) return;
      tx.update(ref, completion(Number(snap.get('attempts')), update));
    });
  }

  async completeClaim(claimToken: string, update: DeliveryUpdate): Promise<void> {
    const query = this.notifications.where('claim_token', '==', claimToken).where('status', '==', 'pending');
    await this.db.runTransaction(async (tx) => {
      const snap = await tx.get(query);
      for (const doc of snap.docs) tx.update(doc.ref, completion(Number(doc.get('attempts')), update));
    });
  }

  async saveSilence(silence: Silence): Promise<void> {
    await this.silences.doc(silence.id).set(toDocument(silenceToRecord(silence)));
  }

  async loadSilences(): Promise<Silence[]> {
    return (await this.silences.get()).docs.map((d) => recordToSilence(d.data())).sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  async expireSilence(id: string, nowMs: number): Promise<Silence | undefined> {
    const ref = this.silences.doc(id);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return undefined;
      const silence = recordToSilence(snap.data() as DocumentData);
      if (silence.endsAtMs <= nowMs) return silence;
      tx.update(ref, { ends_at_ms: nowMs });
      return { ...silence, endsAtMs: nowMs };
    });
  }
}

/** The fields a delivery outcome changes (the claim is released). */
function completion(attempts: number, update: DeliveryUpdate): DocumentData {
  return {
    status: update.status === 'retry' ? 'pending' : update.status,
    attempts: attempts + 1,
    delivered_at_ms: update.status === 'delivered' ? update.atMs : null,
    ...(update.status === 'retry' ? { next_attempt_at_ms: update.nextAttemptAtMs } : {}),
    last_error: update.status === 'delivered' ? null : update.error,
    claim_token: null,
    claimed_at_ms: null,
  };
}

function kindOrder(row: NotificationRecord): number {
  return row.kind === 'firing' ? 0 : row.kind === 'reminder' ? 1 : 2;
}
