import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { FirestoreTallyStore, MAX_TALLY_DOCS_PER_ADD } from '../../../alerts/streaming/firestore-tally-store';
import { MemoryTallyStore, TALLY_RETENTION_MS, TALLY_SLOT_MS, type TallyIncrement } from '../../../alerts/streaming/tally-store';
import { describeWithEmulator } from '../../support/emulator-env';
import { NOW, SLOT0, tallyStoreContract } from './support/tally-store-contract';

describe('MemoryTallyStore', () => {
  describe('the TallyStore contract', () => {
    tallyStoreContract(() => {
      const store = new MemoryTallyStore();
      return Promise.resolve({ store, peer: store, close: () => Promise.resolve() });
    });
  });
});

/**
 * The production tally store against the real Firestore emulator (firebase-admin picks up
 * FIRESTORE_EMULATOR_HOST). Two apps stand for two ingest instances (two clients, one database);
 * every test gets its own collection prefix.
 */
describeWithEmulator('FIRESTORE_EMULATOR_HOST', 'FirestoreTallyStore against the Firestore emulator', () => {
  let apps: App[];
  let db: Firestore;
  let peerDb: Firestore;
  beforeAll(() => {
    const projectId = process.env.GOOGLE_CLOUD_PROJECT ?? 'obs-test';
    apps = [initializeApp({ projectId }, `tallies-${randomUUID()}`), initializeApp({ projectId }, `tallies-peer-${randomUUID()}`)];
    db = getFirestore(apps[0] as App);
    peerDb = getFirestore(apps[1] as App);
  });
  afterAll(() => Promise.all(apps.map((app) => deleteApp(app))));

  const newPrefix = () => `test_${randomUUID().slice(0, 8)}_`;

  describe('the TallyStore contract', () => {
    tallyStoreContract(() => {
      const prefix = newPrefix();
      return Promise.resolve({ store: new FirestoreTallyStore(db, { prefix }), peer: new FirestoreTallyStore(peerDb, { prefix }), close: () => Promise.resolve() });
    });
  });

  const inc = (key: string, slotMs: number, fields: Record<string, number>): TallyIncrement => ({ key, slotMs, fields });
  /** The stored documents of the tallies collection: id → slot → counters. */
  const storedSlots = async (prefix: string) => {
    const snap = await db.collection(`${prefix}stream_tallies`).get();
    return Object.fromEntries(snap.docs.map((d) => [d.id, d.get('slots') as Record<string, Record<string, number>>]));
  };
  const slotKeys = (docs: Record<string, Record<string, unknown>>) => [...new Set(Object.values(docs).flatMap((slots) => Object.keys(slots)))].sort();

  it('spreads one hot key over its shard documents, and reads their sum', async () => {
    const prefix = newPrefix();
    let turn = 0;
    const store = new FirestoreTallyStore(db, { prefix, shards: 4, random: () => (turn++ % 4) / 4 });
    for (let i = 0; i < 8; i++) await store.add(`m${i}`, [inc('hot', SLOT0, { n: 1 })], NOW);
    const docs = await db.collection(`${prefix}stream_tallies`).get();
    expect(docs.docs.map((d) => d.id.slice(-2)).sort()).toEqual(['-0', '-1', '-2', '-3']);
    for (const d of docs.docs) {
      expect(d.get('key')).toBe('hot');
      expect(d.get('slots')).toEqual({ [String(SLOT0)]: { n: 2 } });
    }
    expect((await new FirestoreTallyStore(peerDb, { prefix }).read(['hot'], SLOT0)).get('hot')).toEqual(new Map([[SLOT0, { n: 8 }]]));
    const marker = (await db.collection(`${prefix}stream_batches`).get()).docs[0];
    expect(marker?.get('atMs')).toBe(NOW);
    expect((marker?.get('expireAt') as { toMillis(): number }).toMillis()).toBeGreaterThan(NOW);
  });

  it('prunes old slots from a document it writes again, once it has seen them (its own writes or a read)', async () => {
    const prefix = newPrefix();
    const writer = new FirestoreTallyStore(db, { prefix, shards: 1 });
    await writer.add('early', [inc('k', SLOT0, { n: 1 }), inc('k', SLOT0 + TALLY_SLOT_MS, { n: 1 })], NOW);
    // Another instance that only reads the key learns its slots too.
    const reader = new FirestoreTallyStore(peerDb, { prefix, shards: 1 });
    await reader.read(['k'], 0);

    const later = SLOT0 + TALLY_RETENTION_MS + 1; // SLOT0 is past retention, the slot after it is not yet
    const newSlot = SLOT0 + TALLY_RETENTION_MS;
    expect(await reader.add('late', [inc('k', newSlot, { n: 5 })], later)).toBe(true);
    expect(slotKeys(await storedSlots(prefix))).toEqual([String(SLOT0 + TALLY_SLOT_MS), String(newSlot)]);

    expect(await writer.add('later', [inc('k', newSlot, { n: 1 })], later + TALLY_SLOT_MS)).toBe(true);
    expect(Object.values(await storedSlots(prefix))).toEqual([{ [String(newSlot)]: { n: 6 } }]);
  });

  it('prune(nowMs) sweeps old slots from every document, keeping the slots within retention', async () => {
    const prefix = newPrefix();
    const store = new FirestoreTallyStore(db, { prefix, shards: 2, random: () => 0 });
    await store.add('a', [inc('k1', SLOT0, { n: 1 }), inc('k2', SLOT0, { n: 1 }), inc('k2', SLOT0 + 3 * TALLY_SLOT_MS, { n: 2 })], NOW);
    await new FirestoreTallyStore(db, { prefix, shards: 2, random: () => 0.99 }).add('b', [inc('k1', SLOT0 + 3 * TALLY_SLOT_MS, { n: 4 })], NOW);
    // A fresh store object (a new instance) knows none of these documents.
    const sweeper = new FirestoreTallyStore(peerDb, { prefix, shards: 2 });
    const cut = SLOT0 + 2 * TALLY_SLOT_MS + TALLY_RETENTION_MS;
    expect(await sweeper.prune(cut)).toBe(2);
    expect(slotKeys(await storedSlots(prefix))).toEqual([String(SLOT0 + 3 * TALLY_SLOT_MS)]);
    const read = await sweeper.read(['k1', 'k2'], 0);
    expect(read.get('k1')).toEqual(new Map([[SLOT0 + 3 * TALLY_SLOT_MS, { n: 4 }]]));
    expect(read.get('k2')).toEqual(new Map([[SLOT0 + 3 * TALLY_SLOT_MS, { n: 2 }]]));
    expect(await sweeper.prune(cut)).toBe(0);
  });

  it('does not store increments for slots already past retention', async () => {
    const prefix = newPrefix();
    const store = new FirestoreTallyStore(db, { prefix });
    const now = SLOT0 + TALLY_RETENTION_MS + TALLY_SLOT_MS;
    expect(await store.add('m', [inc('k', SLOT0, { n: 1 }), inc('k', now - (now % TALLY_SLOT_MS), { n: 2 })], now)).toBe(true);
    expect(slotKeys(await storedSlots(prefix))).toEqual([String(now - (now % TALLY_SLOT_MS))]);
  });

  it(`refuses an add touching more than ${MAX_TALLY_DOCS_PER_ADD} keys, writing nothing and keeping the batch id free`, async () => {
    const prefix = newPrefix();
    const store = new FirestoreTallyStore(db, { prefix });
    const many = Array.from({ length: MAX_TALLY_DOCS_PER_ADD + 1 }, (_, i) => inc(`key-${i}`, SLOT0, { n: 1 }));
    await expect(store.add('big', many, NOW)).rejects.toThrow(`batch touches 500 keys, more than the 499 one atomic Firestore batch can hold; nothing was added`);
    expect(await storedSlots(prefix)).toEqual({});
    // Exactly at the limit it goes through, in one atomic batch.
    expect(await store.add('big', many.slice(0, MAX_TALLY_DOCS_PER_ADD), NOW)).toBe(true);
    const read = await store.read(['key-0', `key-${MAX_TALLY_DOCS_PER_ADD - 1}`, `key-${MAX_TALLY_DOCS_PER_ADD}`], SLOT0);
    expect([...read.values()].map((slots) => slots.get(SLOT0))).toEqual([{ n: 1 }, { n: 1 }, undefined]);
  });

  it('refuses a counter that is not a finite number, naming it, and writes nothing', async () => {
    const prefix = newPrefix();
    const store = new FirestoreTallyStore(db, { prefix });
    await expect(store.add('m', [inc('ok', SLOT0, { n: 1 }), inc('wallet.fail', SLOT0, { v: Number.NaN })], NOW)).rejects.toThrow('counter "v" of key "wallet.fail" must be a finite number, got NaN');
    expect(await storedSlots(prefix)).toEqual({});
    expect(() => new FirestoreTallyStore(db, { shards: 0 })).toThrow('shards must be a positive integer, got 0');
  });
});
