import type { NormalisedTags } from './tags';

/** Metric kinds as small integers on the hot path; `KIND_NAMES[kind]` is the wire name. */
export const KIND_COUNT = 0;
export const KIND_TIMING = 1;
export const KIND_GAUGE = 2;
export type KindCode = typeof KIND_COUNT | typeof KIND_TIMING | typeof KIND_GAUGE;
export const KIND_NAMES = ['count', 'timing', 'gauge'] as const;

/** One call as it was made, read back at flush time. Reused between reads: copy what you keep. */
export interface RawCall {
  kind: KindCode;
  name: unknown;
  /** NaN when the caller passed something that is not a number. */
  value: number;
  /** Epoch milliseconds; NaN when the caller passed an unusable timestamp. */
  ts: number;
  /** The output of `snapshotTags`. */
  tags: unknown;
  /** A tagged emitter's tags, normalised once when it was created. */
  base: NormalisedTags | undefined;
}

/**
 * The raw call buffer: a ring of preallocated parallel arrays, so recording a call allocates
 * nothing but the caller's tag copy. A pure container: capacity decisions (and the accounting
 * that goes with them) are the emitter's; `push` on a full ring overwrites nothing and returns false.
 */
export class CallBuffer {
  readonly capacity: number;
  private readonly names: unknown[];
  private readonly kinds: Uint8Array;
  private readonly values: Float64Array;
  private readonly times: Float64Array;
  private readonly tags: unknown[];
  private readonly bases: (NormalisedTags | undefined)[];
  private head = 0;
  private tail = 0;
  /** Calls waiting to be read. */
  size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    // fill() makes the arrays packed: V8 keeps them as fast elements however large.
    this.names = new Array<unknown>(capacity).fill(undefined);
    this.tags = new Array<unknown>(capacity).fill(undefined);
    this.bases = new Array<NormalisedTags | undefined>(capacity).fill(undefined);
    this.kinds = new Uint8Array(capacity);
    this.values = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
  }

  push(kind: KindCode, name: unknown, value: number, ts: number, tags: unknown, base: NormalisedTags | undefined): boolean {
    if (this.size === this.capacity) return false;
    const i = this.tail;
    this.names[i] = name;
    this.kinds[i] = kind;
    this.values[i] = value;
    this.times[i] = ts;
    this.tags[i] = tags;
    this.bases[i] = base;
    this.tail = i + 1 === this.capacity ? 0 : i + 1;
    this.size++;
    return true;
  }

  /** Moves the oldest call into `out` and releases the references the ring held. */
  shift(out: RawCall): boolean {
    if (this.size === 0) return false;
    const i = this.head;
    out.kind = this.kinds[i] as KindCode;
    out.name = this.names[i];
    out.value = this.values[i] as number;
    out.ts = this.times[i] as number;
    out.tags = this.tags[i];
    out.base = this.bases[i];
    this.names[i] = undefined;
    this.tags[i] = undefined;
    this.bases[i] = undefined;
    this.head = i + 1 === this.capacity ? 0 : i + 1;
    this.size--;
    return true;
  }

  /** Empties the ring; returns how many calls were discarded. */
  clear(): number {
    const discarded = this.size;
    const scratch: RawCall = { kind: KIND_COUNT, name: undefined, value: 0, ts: 0, tags: undefined, base: undefined };
    while (this.shift(scratch));
    return discarded;
  }
}
