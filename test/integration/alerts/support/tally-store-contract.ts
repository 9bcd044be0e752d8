import { TALLY_SLOT_MS, type TallyIncrement, type TallyStore } from '../../../../alerts/streaming/tally-store';

export interface OpenedTallyStore {
  readonly store: TallyStore;
  /**
   * A second "ingest instance" on the same shared state: for Firestore, another store object on
   * another client (same database and prefix); in-process, the same store (one process shares it).
   */
  readonly peer: TallyStore;
  close(): Promise<void>;
}

/** A slot-aligned instant (2026-11-26T03:00:00Z) and the "now" of the adds. */
export const SLOT0 = Date.UTC(2026, 10, 26, 3, 0, 0);
export const NOW = SLOT0 + 5 * TALLY_SLOT_MS;
const slot = (i: number) => SLOT0 + i * TALLY_SLOT_MS;

const inc = (key: string, slotMs: number, fields: Record<string, number>): TallyIncrement => ({ key, slotMs, fields });

/** A read as plain data: key → [slot, counters] sorted by slot. */
async function readPlain(store: TallyStore, keys: readonly string[], fromMs: number) {
  const read = await store.read(keys, fromMs);
  return Object.fromEntries([...read].map(([key, slots]) => [key, [...slots].sort((a, b) => a[0] - b[0])]));
}

/**
 * The TallyStore contract (alerts/streaming/tally-store.ts), run against every adapter: what the
 * streaming evaluator relies on — sums per key and slot, at most once per batch id, nothing lost
 * when several ingest instances add at once.
 */
export function tallyStoreContract(open: () => Promise<OpenedTallyStore>): void {
  let opened: OpenedTallyStore;
  let store: TallyStore;
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });
  afterEach(() => opened.close());

  it('sums increments per key and slot, across adds and within one add', async () => {
    expect(await store.add('m1', [inc('wallet.fail', slot(0), { n: 2 }), inc('wallet.fail', slot(0), { n: 3, s: 1 }), inc('wallet.fail', slot(1), { n: 1 }), inc('chat.fail', slot(0), { n: 7 })], NOW)).toBe(true);
    expect(await store.add('m2', [inc('wallet.fail', slot(0), { n: 10 }), inc('wallet.fail', slot(2), { s: 4 })], NOW)).toBe(true);
    expect(await readPlain(store, ['wallet.fail', 'chat.fail'], slot(0))).toEqual({
      'wallet.fail': [[slot(0), { n: 15, s: 1 }], [slot(1), { n: 1 }], [slot(2), { s: 4 }]],
      'chat.fail': [[slot(0), { n: 7 }]],
    });
  });

  it('does not return slots that start before fromMs', async () => {
    await store.add('m1', [inc('k', slot(0), { n: 1 }), inc('k', slot(1), { n: 2 }), inc('k', slot(3), { n: 4 })], NOW);
    expect(await readPlain(store, ['k'], slot(1))).toEqual({ k: [[slot(1), { n: 2 }], [slot(3), { n: 4 }]] });
    expect(await readPlain(store, ['k'], slot(1) + 1)).toEqual({ k: [[slot(3), { n: 4 }]] });
    expect(await readPlain(store, ['k'], slot(4))).toEqual({ k: [] });
  });

  it('adds a batch id once: a second add with the same id adds nothing and resolves false', async () => {
    expect(await store.add('msg-1', [inc('k', slot(0), { n: 1 })], NOW)).toBe(true);
    expect(await store.add('msg-1', [inc('k', slot(0), { n: 1 }), inc('other', slot(0), { n: 1 })], NOW)).toBe(false);
    expect(await opened.peer.add('msg-1', [inc('k', slot(0), { n: 1 })], NOW + 1_000)).toBe(false);
    expect(await readPlain(store, ['k', 'other'], slot(0))).toEqual({ k: [[slot(0), { n: 1 }]], other: [] });
  });

  it('remembers the batch id of an add with no increments', async () => {
    expect(await store.add('empty', [], NOW)).toBe(true);
    expect(await store.add('empty', [inc('k', slot(0), { n: 1 })], NOW)).toBe(false);
    expect(await readPlain(store, ['k'], slot(0))).toEqual({ k: [] });
  });

  it('loses nothing when two ingest instances add to the same key and slot concurrently (50 adds each)', async () => {
    const adds = [opened.store, opened.peer].flatMap((s, instance) =>
      Array.from({ length: 50 }, (_, i) => s.add(`instance-${instance}-msg-${i}`, [inc('wallet.fail', slot(0), { n: 1, s: i })], NOW)),
    );
    expect(await Promise.all(adds)).toEqual(Array(100).fill(true));
    const sumOfI = (49 * 50) / 2;
    expect(await readPlain(opened.peer, ['wallet.fail'], slot(0))).toEqual({ 'wallet.fail': [[slot(0), { n: 100, s: 2 * sumOfI }]] });
  });

  it('of concurrent adds of the same batch id from two instances, exactly one counts', async () => {
    const results = await Promise.all([
      opened.store.add('redelivered', [inc('k', slot(0), { n: 1 })], NOW),
      opened.peer.add('redelivered', [inc('k', slot(0), { n: 1 })], NOW),
      opened.store.add('redelivered', [inc('k', slot(0), { n: 1 })], NOW),
      opened.peer.add('redelivered', [inc('k', slot(0), { n: 1 })], NOW),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await readPlain(store, ['k'], slot(0))).toEqual({ k: [[slot(0), { n: 1 }]] });
  });

  it('reads a key with no data as an empty map, and returns every key asked for', async () => {
    await store.add('m1', [inc('present', slot(0), { n: 1 })], NOW);
    const read = await store.read(['absent', 'present', 'also-absent'], slot(0));
    expect([...read.keys()].sort()).toEqual(['absent', 'also-absent', 'present']);
    expect(read.get('absent')?.size).toBe(0);
    expect(read.get('also-absent')?.size).toBe(0);
    expect((await store.read([], slot(0))).size).toBe(0);
  });

  it('keeps counters as numbers: integers and fractions sum exactly', async () => {
    await store.add('m1', [inc('latency', slot(0), { n: 1, v: 0.5 })], NOW);
    await store.add('m2', [inc('latency', slot(0), { n: 2, v: 0.25 }), inc('latency', slot(0), { v: 0.125 })], NOW);
    await store.add('m3', [inc('latency', slot(0), { n: 1, v: 1.5, g: -3 })], NOW);
    const fields = (await store.read(['latency'], slot(0))).get('latency')?.get(slot(0));
    expect(fields).toEqual({ n: 4, v: 2.375, g: -3 });
    for (const value of Object.values(fields ?? {})) expect(typeof value).toBe('number');
  });
}
