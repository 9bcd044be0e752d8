import { createHash } from 'node:crypto';
import { FieldValue, Timestamp, type CollectionReference, type DocumentData, type DocumentReference, type Firestore } from 'firebase-admin/firestore';
import { addFields, TALLY_BATCH_MEMORY_MS, TALLY_RETENTION_MS, type TallyFields, type TallyIncrement, type TallyRead, type TallyStore } from './tally-store';

/** gRPC ALREADY_EXISTS: the batch marker's `create()` found the marker there. */
const ALREADY_EXISTS = 6;
/** Firestore's limit of writes in one batch, less the batch marker. */
export const MAX_TALLY_DOCS_PER_ADD = 499;
const DEFAULT_SHARDS = 4;
/** Hex characters of sha256(key) in a tally document id (128 bits: no collision in practice). */
const KEY_HASH_CHARS = 32;
/** Documents per pruning batch (Firestore's limit is 500 writes). */
const PRUNE_BATCH_DOCS = 400;

export interface FirestoreTallyStoreOptions {
  /** Prefix of both collections (keeps them apart from the application's data, and tests apart). Default ''. */
  readonly prefix?: string;
  /** Documents per key: one `add` writes one of them, chosen at random. Default 4. */
  readonly shards?: number;
  /** Picks the shard (`[0, 1)`); tests inject it. Default `Math.random`. */
  readonly random?: () => number;
}

/**
 * The tally store on Firestore (production; the emulator in tests): every ingest instance adds to
 * and reads the same documents (alerts/streaming/tally-store.ts has the contract).
 *
 * Layout:
 * - `<prefix>stream_tallies/<sha256(key)[0..32]>-<shard>`: `{ key, slots: { "<slot start ms>":
 *   { <counter>: number } }, expireAt }`. A key has `shards` documents; each `add` writes one of
 *   them chosen at random, so a hot key's writes spread over `shards` documents (Firestore
 *   sustains about one write a second per document) and `read` sums the shards.
 * - `<prefix>stream_batches/<sha256(batchId)>`: `{ atMs, expireAt }`, the marker that makes `add`
 *   at-most-once per batch id.
 *
 * `add` is ONE WriteBatch: `create()` of the batch marker plus, per key touched, a merge `set`
 * with `FieldValue.increment` per (slot, counter) (increments of the same key, slot and counter
 * combined first). The batch is atomic, so a redelivered message fails on the marker with
 * ALREADY_EXISTS and adds nothing (`false`); concurrent adds never lose an increment (no
 * read-modify-write). Retrying an add whose outcome is unknown (a timeout) is therefore safe: it
 * either adds the batch or resolves `false` because the first attempt did. An add with no increments still records its batch id (as the in-process
 * store does), so "at most once per batch id" holds for it too. A WriteBatch holds 500 writes:
 * an add touching more than {@link MAX_TALLY_DOCS_PER_ADD} keys is refused with an error and
 * writes nothing — splitting it would either give up atomicity (a crash between parts loses the
 * rest, the marker being already there) or at-most-once. Streaming adds per Pub/Sub message the
 * few keys the streaming rules read, far below the limit. Increments for slots already past
 * {@link TALLY_RETENTION_MS} at `nowMs` are dropped (the contract lets such slots be gone; late
 * data is the scheduled path's).
 *
 * Keeping documents bounded — slots past retention are deleted by three means, none adding a read
 * to `add`:
 * 1. Piggybacked on `add`: the store remembers, per tally document, the slots it has seen there
 *    (its own writes, and every document `read` returned); each `add` deletes, in the same merge
 *    `set` of the document it writes, the remembered slots older than `nowMs - TALLY_RETENTION_MS`
 *    (`FieldValue.delete()`). The streaming evaluator reads the keys it adds to, so a document in
 *    use stays at about retention / slot length (~120) slots.
 * 2. {@link FirestoreTallyStore.prune}: a sweep of the whole tallies collection deleting old
 *    slots, for documents the piggyback misses (written only by instances that have since gone).
 *    Call it now and then (e.g. from the scheduled evaluator); one query plus one write per
 *    document that has old slots.
 * 3. TTL: both collections carry `expireAt` (a Timestamp). Create a Firestore TTL policy on
 *    `expireAt` for `<prefix>stream_batches` and `<prefix>stream_tallies` in production
 *    (`gcloud firestore fields ttls update expireAt --collection-group=<prefix>stream_batches
 *    --enable-ttl`, likewise for stream_tallies): batch markers go after
 *    {@link TALLY_BATCH_MEMORY_MS}; a tally document's `expireAt` moves forward on every write to
 *    retention + {@link TALLY_BATCH_MEMORY_MS}, so only documents idle for a day (keys that left,
 *    all their slots long past retention) are deleted. TTL deletion is not transactional: an add
 *    to a key idle for over a day racing its deletion could in principle lose that add; the
 *    scheduled evaluator remains the authority.
 */
export class FirestoreTallyStore implements TallyStore {
  private readonly tallies: CollectionReference;
  private readonly batches: CollectionReference;
  private readonly shards: number;
  private readonly random: () => number;
  /** Per tally document id: slot starts known to be stored there (from this store's writes and reads). */
  private readonly knownSlots = new Map<string, Set<number>>();

  constructor(db: Firestore, options: FirestoreTallyStoreOptions = {}) {
    const prefix = options.prefix ?? '';
    const shards = options.shards ?? DEFAULT_SHARDS;
    if (!Number.isInteger(shards) || shards < 1) throw new Error(`FirestoreTallyStore: shards must be a positive integer, got ${String(shards)}`);
    this.tallies = db.collection(`${prefix}stream_tallies`);
    this.batches = db.collection(`${prefix}stream_batches`);
    this.shards = shards;
    this.random = options.random ?? Math.random;
  }

  async add(batchId: string, increments: readonly TallyIncrement[], nowMs: number): Promise<boolean> {
    const cutoffMs = nowMs - TALLY_RETENTION_MS;
    const byKey = combine(increments, cutoffMs);
    if (byKey.size > MAX_TALLY_DOCS_PER_ADD) {
      throw new Error(`FirestoreTallyStore.add: batch touches ${byKey.size} keys, more than the ${MAX_TALLY_DOCS_PER_ADD} one atomic Firestore batch can hold; nothing was added`);
    }
    const shard = Math.min(this.shards - 1, Math.floor(this.random() * this.shards));
    const batch = this.tallies.firestore.batch();
    batch.create(this.batches.doc(sha256(batchId)), { atMs: nowMs, expireAt: Timestamp.fromMillis(nowMs + TALLY_BATCH_MEMORY_MS) });
    const written: { id: string; key: string; deleted: number[] }[] = [];
    for (const [key, slots] of byKey) {
      const ref = this.tallyRef(key, shard);
      const data: Record<string, unknown> = {};
      for (const [slotMs, fields] of slots) {
        const increment: Record<string, FieldValue> = {};
        for (const name in fields) increment[name] = FieldValue.increment(fields[name] as number);
        data[String(slotMs)] = increment;
      }
      const old = [...(this.knownSlots.get(ref.id) ?? [])].filter((slotMs) => slotMs < cutoffMs);
      for (const slotMs of old) data[String(slotMs)] = FieldValue.delete();
      written.push({ id: ref.id, key, deleted: old });
      batch.set(ref, { key, slots: data, expireAt: Timestamp.fromMillis(nowMs + TALLY_RETENTION_MS + TALLY_BATCH_MEMORY_MS) }, { merge: true });
    }
    try {
      await batch.commit();
    } catch (error) {
      if ((error as { code?: unknown }).code === ALREADY_EXISTS) return false;
      throw error;
    }
    for (const { id, key, deleted } of written) {
      let known = this.knownSlots.get(id);
      if (!known) this.knownSlots.set(id, (known = new Set()));
      for (const slotMs of deleted) known.delete(slotMs);
      for (const slotMs of (byKey.get(key) as Map<number, unknown>).keys()) known.add(slotMs);
    }
    return true;
  }

  async read(keys: readonly string[], fromMs: number): Promise<TallyRead> {
    const out = new Map<string, Map<number, Record<string, number>>>();
    for (const key of keys) out.set(key, new Map());
    const refs: { key: string; ref: DocumentReference }[] = [];
    for (const key of out.keys()) for (let shard = 0; shard < this.shards; shard++) refs.push({ key, ref: this.tallyRef(key, shard) });
    if (refs.length === 0) return out;
    const snaps = await this.tallies.firestore.getAll(...refs.map((r) => r.ref));
    snaps.forEach((snap, i) => {
      const { key } = refs[i] as { key: string };
      if (!snap.exists) return;
      const doc = snap.data() as DocumentData;
      if (doc.key !== key) throw new Error(`FirestoreTallyStore.read: document ${snap.id} holds key ${JSON.stringify(doc.key)}, not ${JSON.stringify(key)} (hash collision or foreign data in the collection)`);
      const slots = storedSlots(doc);
      this.knownSlots.set(snap.id, new Set(slots.keys()));
      const summed = out.get(key) as Map<number, Record<string, number>>;
      for (const [slotMs, fields] of slots) {
        if (slotMs < fromMs) continue;
        let into = summed.get(slotMs);
        if (!into) summed.set(slotMs, (into = {}));
        addFields(into, fields);
      }
    });
    return out;
  }

  /**
   * Deletes, in every tally document, the slots older than `nowMs - TALLY_RETENTION_MS`; resolves
   * how many slots it deleted. Safe beside concurrent adds: it deletes only those slot fields
   * (never a document), and adds write no slot that old.
   */
  async prune(nowMs: number): Promise<number> {
    const cutoffMs = nowMs - TALLY_RETENTION_MS;
    const snap = await this.tallies.get();
    let deleted = 0;
    let batch = this.tallies.firestore.batch();
    let inBatch = 0;
    for (const doc of snap.docs) {
      const slots = storedSlots(doc.data());
      const old = [...slots.keys()].filter((slotMs) => slotMs < cutoffMs);
      if (old.length === 0) continue;
      const data: Record<string, FieldValue> = {};
      for (const slotMs of old) data[String(slotMs)] = FieldValue.delete();
      batch.set(doc.ref, { slots: data }, { merge: true });
      deleted += old.length;
      const known = this.knownSlots.get(doc.id);
      for (const slotMs of old) known?.delete(slotMs);
      if (++inBatch === PRUNE_BATCH_DOCS) {
        await batch.commit();
        batch = this.tallies.firestore.batch();
        inBatch = 0;
      }
    }
    if (inBatch > 0) await batch.commit();
    return deleted;
  }

  private tallyRef(key: string, shard: number): DocumentReference {
    return this.tallies.doc(`${sha256(key).slice(0, KEY_HASH_CHARS)}-${shard}`);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Per key, per slot: the summed counters of the increments, validated; slots before `cutoffMs` dropped. */
function combine(increments: readonly TallyIncrement[], cutoffMs: number): Map<string, Map<number, Record<string, number>>> {
  const byKey = new Map<string, Map<number, Record<string, number>>>();
  for (const inc of increments) {
    if (typeof inc.key !== 'string' || inc.key === '') throw new Error(`FirestoreTallyStore.add: an increment has no key (${JSON.stringify(inc.key)})`);
    if (!Number.isSafeInteger(inc.slotMs)) throw new Error(`FirestoreTallyStore.add: slotMs of key ${JSON.stringify(inc.key)} must be an integer epoch-ms, got ${String(inc.slotMs)}`);
    for (const name in inc.fields) {
      const value = inc.fields[name];
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`FirestoreTallyStore.add: counter ${JSON.stringify(name)} of key ${JSON.stringify(inc.key)} must be a finite number, got ${String(value)}`);
    }
    // An empty counter map would be stored as an empty map, overwriting the slot's counters.
    if (inc.slotMs < cutoffMs || Object.keys(inc.fields).length === 0) continue;
    let slots = byKey.get(inc.key);
    if (!slots) byKey.set(inc.key, (slots = new Map<number, Record<string, number>>()));
    let fields = slots.get(inc.slotMs);
    if (!fields) slots.set(inc.slotMs, (fields = {}));
    addFields(fields, inc.fields);
  }
  return byKey;
}

/** The `slots` map of a stored tally document, keyed by slot start (non-numeric keys ignored). */
function storedSlots(doc: DocumentData): Map<number, TallyFields> {
  const out = new Map<number, TallyFields>();
  const slots = doc.slots as Record<string, Record<string, number>> | undefined;
  for (const slot in slots ?? {}) {
    const slotMs = Number(slot);
    if (Number.isSafeInteger(slotMs)) out.set(slotMs, (slots as Record<string, Record<string, number>>)[slot] as TallyFields);
  }
  return out;
}
