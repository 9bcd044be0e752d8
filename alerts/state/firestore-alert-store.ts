import { createHash } from 'node:crypto';
import type { CollectionReference, DocumentData, Firestore } from 'firebase-admin/firestore';
import type { Row } from '../../sql/warehouse';
import type { AlertInstance } from '../model/alert-instance';
import type { Silence } from '../mute/silences';
import type { NotificationRecord } from '../notify/notification';
import type { AlertStore, ClaimRequest, DeliveryUpdate } from './alert-store';
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

  async compareAndSetInstance(next: AlertInstance, expectedVersion: number): Promise<boolean> {
    const ref = this.stateRef(next.fingerprint);
    const doc = toDocument(instanceToRecord({ ...next, version: expectedVersion + 1 }));
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      const current = snap.exists ? Number(snap.get('version')) : 0;
      if (current !== expectedVersion) return false;
      tx.set(ref, doc);
      return true;
    });
  }

  async recordNotifications(rows: readonly NotificationRecord[]): Promise<void> {
    await Promise.all(
      rows.map(async (row) => {
        try {
          await this.notifications.doc(row.id).create(toDocument(notificationToRecord(row)));
        } catch (error) {
          if ((error as { code?: unknown }).code !== ALREADY_EXISTS) throw error;
        }
      }),
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
      tx.update(ref, {
        status: update.status === 'retry' ? 'pending' : update.status,
        attempts: Number(snap.get('attempts')) + 1,
        delivered_at_ms: update.status === 'delivered' ? update.atMs : null,
        ...(update.status === 'retry' ? { next_attempt_at_ms: update.nextAttemptAtMs } : {}),
        last_error: update.status === 'delivered' ? null : update.error,
        claim_token: null,
        claimed_at_ms: null,
      });
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

function kindOrder(row: NotificationRecord): number {
  return row.kind === 'firing' ? 0 : row.kind === 'reminder' ? 1 : 2;
}
