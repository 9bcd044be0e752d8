import { bucketIndex, type MetricEvent, type MetricKind, type MetricName } from '../../shared';

/**
 * A reference merge of calls into events as the issue #18 contract states it (docs/WIRE_FORMAT.md,
 * "Merged events"), written plainly for tests: it is the other side every check of the validator,
 * ingest and the rollups compares against — not the emitter's implementation.
 */
export interface Call {
  /** Unique per call; ids sort in call order within a series when ts ties. */
  readonly id: string;
  readonly name: MetricName;
  readonly kind: MetricKind;
  readonly value: number;
  readonly ts: number;
  readonly tags: Record<string, string>;
}

/** One call as a single event (the shape every producer sent before issue #18). */
export const single = (c: Call): MetricEvent => ({ id: c.id, name: c.name, kind: c.kind, value: c.value, ts: c.ts, tags: c.tags });

/**
 * Calls of ONE series (same name, kind, tags) merged into one event. `calls` must be in call order
 * (the last one is the latest) and lie in one UTC minute. One call gives a single event.
 */
export function mergeSeries(id: string, calls: readonly Call[]): MetricEvent {
  const first = calls[0];
  if (!first) throw new Error('mergeSeries needs at least one call');
  if (calls.length === 1) return { ...single(first), id };
  const latest = calls[calls.length - 1] as Call;
  const values = calls.map((c) => c.value);
  const event: MetricEvent = {
    id,
    name: first.name,
    kind: first.kind,
    value: first.kind === 'gauge' ? latest.value : values.reduce((a, b) => a + b, 0),
    ts: Math.max(...calls.map((c) => c.ts)),
    tags: first.tags,
    count: calls.length,
    min: Math.min(...values),
    max: Math.max(...values),
    start_ts: Math.min(...calls.map((c) => c.ts)),
  };
  if (first.kind !== 'gauge') event.last = latest.value;
  else event.sum = values.reduce((a, b) => a + b, 0);
  if (first.kind === 'timing') {
    const buckets = new Map<number, number>();
    for (const v of values) buckets.set(bucketIndex(v), (buckets.get(bucketIndex(v)) ?? 0) + 1);
    event.histogram = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  }
  return event;
}

/**
 * Calls merged per series per `intervalMs` (an aggregating emitter's flush interval), split at
 * minute boundaries as the contract requires. Within a group, call order is (ts, id).
 */
export function mergePerInterval(calls: readonly Call[], intervalMs = 1_000): MetricEvent[] {
  const groups = new Map<string, Call[]>();
  for (const c of calls) {
    const key = JSON.stringify([c.name, c.kind, Object.entries(c.tags).sort(), Math.floor(c.ts / intervalMs), Math.floor(c.ts / 60_000)]);
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  let n = 0;
  return [...groups.values()].map((group) => {
    group.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return mergeSeries(`merged-${n++}`, group);
  });
}
