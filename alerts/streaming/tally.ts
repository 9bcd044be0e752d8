import { bucketIndex } from '../../shared/histogram';
import { maxGoodBucket } from '../../shared/latency-threshold';
import type { MetricEvent } from '../../shared/event-schema';
import { matchesWhere } from '../evaluate/rule-data';
import type { StreamingPlan, StreamInput } from './plan';
import { slotOf, type TallyIncrement } from './tally-store';

/**
 * What one stored message adds to the streaming tallies (pure). Counters, the same sums the
 * rollups keep (sql/queries/rollup-fragments.ts), so a streaming window and a scheduled one agree:
 * - `n` calls (`count`, 1 for a single call), `s` the value sum (a merged gauge's `sum`) — threshold rules;
 * - `e` calls, `v` the value sum, `g` calls at or under the selector's `maxMs` by the SLO job's
 *   conservative bucket rule (shared/latency-threshold.ts) — SLI selectors.
 *
 * Events older than {@link STREAMING_MAX_LATENESS_MS} when they are stored are left to the
 * scheduled path: a late or replayed event never counts towards a streaming decision.
 */
export const STREAMING_MAX_LATENESS_MS = 60_000;

export function tallyIncrements(plan: StreamingPlan, events: readonly MetricEvent[], nowMs: number): TallyIncrement[] {
  if (plan.byMetric.size === 0) return [];
  const merged = new Map<string, { key: string; slotMs: number; fields: Record<string, number> }>();
  const oldest = nowMs - STREAMING_MAX_LATENESS_MS;
  for (const event of events) {
    const inputs = plan.byMetric.get(event.name);
    if (inputs === undefined || event.ts < oldest) continue;
    for (const input of inputs) {
      if (!matchesWhere(event.tags, input.where)) continue;
      const slotMs = slotOf(event.ts);
      const id = `${input.key}\u0000${slotMs}`;
      let entry = merged.get(id);
      if (!entry) merged.set(id, (entry = { key: input.key, slotMs, fields: {} }));
      addEvent(entry.fields, input, event);
    }
  }
  return [...merged.values()];
}

function addEvent(fields: Record<string, number>, input: StreamInput, event: MetricEvent): void {
  const calls = event.count ?? 1;
  const valueSum = event.sum ?? event.value;
  if (input.key.startsWith('t|')) {
    fields.n = (fields.n ?? 0) + calls;
    fields.s = (fields.s ?? 0) + valueSum;
    return;
  }
  fields.e = (fields.e ?? 0) + calls;
  fields.v = (fields.v ?? 0) + valueSum;
  if (input.maxMs !== undefined) fields.g = (fields.g ?? 0) + goodCalls(event, maxGoodBucket(input.maxMs));
}

/** Calls of a timing event whose bucket is at or under `maxBucket` (the histogram of a merged event; min/max bound it without one). */
function goodCalls(event: MetricEvent, maxBucket: number): number {
  const calls = event.count ?? 1;
  if (calls === 1) return bucketIndex(event.value) <= maxBucket ? 1 : 0;
  if (event.histogram) {
    let good = 0;
    for (const [bucket, count] of event.histogram) if (bucket <= maxBucket) good += count;
    return good;
  }
  if (event.max !== undefined && bucketIndex(event.max) <= maxBucket) return calls;
  return 0; // not provably good: counted bad, as the SLO job's conservative rule does
}
