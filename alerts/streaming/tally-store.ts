/**
 * Per-slot tallies of the metrics streaming rules read (issue #15), shared by every ingest
 * instance. A tally is a small record of named counters (`n`, `s`, `v`, `g`: alerts/streaming/tally.ts)
 * per stream key per 10-second slot of event time.
 *
 * Two adapters pass the same contract tests (test/integration/alerts/streaming-tally-store.test.ts):
 * in-process (the local stack, one ingest process: {@link MemoryTallyStore}) and Firestore
 * (production, atomic increments on sharded documents: firestore-tally-store.ts).
 *
 * Contract:
 * - `add(batchId, increments)` adds every increment atomically and at most once per `batchId`
 *   (the Pub/Sub message id): a redelivered message adds nothing and resolves `false`.
 * - `read(keys, fromMs)` resolves, per key, the summed counters of every slot starting at or
 *   after `fromMs` (slots older than {@link TALLY_RETENTION_MS} may be gone).
 * - Concurrent `add`s from many instances are never lost (increments, not read-modify-write).
 */

/** Slot length: the resolution of streaming windows and of the "after it resolved" cut. */
export const TALLY_SLOT_MS = 10_000;
/** How long slots are kept: longer than every window read from tallies alone (alerts/streaming/plan.ts). */
export const TALLY_RETENTION_MS = 20 * 60_000;
/** How long a batch id is remembered (Pub/Sub redelivers within its ack deadline and retry policy). */
export const TALLY_BATCH_MEMORY_MS = 24 * 3_600_000;

export type TallyFields = Readonly<Record<string, number>>;

export interface TallyIncrement {
  readonly key: string;
  /** Start of the slot (epoch ms, a multiple of {@link TALLY_SLOT_MS}). */
  readonly slotMs: number;
  readonly fields: TallyFields;
}

/** Per key: slot start → summed counters. */
export type TallyRead = ReadonlyMap<string, ReadonlyMap<number, TallyFields>>;

export interface TallyStore {
  add(batchId: string, increments: readonly TallyIncrement[], nowMs: number): Promise<boolean>;
  read(keys: readonly string[], fromMs: number): Promise<TallyRead>;
}

export function slotOf(tsMs: number): number {
  return Math.floor(tsMs / TALLY_SLOT_MS) * TALLY_SLOT_MS;
}

/** Adds `fields` into `into` (mutating). */
export function addFields(into: Record<string, number>, fields: TallyFields): void {
  for (const name in fields) into[name] = (into[name] ?? 0) + (fields[name] as number);
}

/** The in-process adapter: one ingest process (the local stack, tests). */
export class MemoryTallyStore implements TallyStore {
  private readonly slots = new Map<string, Map<number, Record<string, number>>>();
  private readonly batches = new Map<string, number>();
  private lastPruneMs = 0;

  add(batchId: string, increments: readonly TallyIncrement[], nowMs: number): Promise<boolean> {
    this.prune(nowMs);
    if (this.batches.has(batchId)) return Promise.resolve(false);
    this.batches.set(batchId, nowMs);
    for (const inc of increments) {
      let byKey = this.slots.get(inc.key);
      if (!byKey) this.slots.set(inc.key, (byKey = new Map<number, Record<string, number>>()));
      let fields = byKey.get(inc.slotMs);
      if (!fields) byKey.set(inc.slotMs, (fields = {}));
      addFields(fields, inc.fields);
    }
    return Promise.resolve(true);
  }

  read(keys: readonly string[], fromMs: number): Promise<TallyRead> {
    const out = new Map<string, Map<number, TallyFields>>();
    for (const key of keys) {
      const slots = new Map<number, TallyFields>();
      for (const [slotMs, fields] of this.slots.get(key) ?? []) if (slotMs >= fromMs) slots.set(slotMs, { ...fields });
      out.set(key, slots);
    }
    return Promise.resolve(out);
  }

  /** Drops slots past retention and batch ids past memory, at most once a minute. */
  private prune(nowMs: number): void {
    if (nowMs - this.lastPruneMs < 60_000) return;
    this.lastPruneMs = nowMs;
    for (const byKey of this.slots.values()) for (const slotMs of byKey.keys()) if (slotMs < nowMs - TALLY_RETENTION_MS) byKey.delete(slotMs);
    for (const [id, atMs] of this.batches) if (atMs < nowMs - TALLY_BATCH_MEMORY_MS) this.batches.delete(id);
  }
}
