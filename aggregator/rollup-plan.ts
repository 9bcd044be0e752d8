/**
 * Pure planning for the incremental rollup run: which ingest-time range a run processes, and how
 * the minutes that received new events are grouped into spans (one set of statements per span).
 *
 * ## The watermark rule
 * A run at `now` processes the events with ingest_ts in (after, upto], where
 *   upto  = now − settle          (rows ingested in the last `settle` may still be in flight:
 *                                  ingest stamps ingest_ts before its insert commits, and BigQuery's
 *                                  streaming buffer makes rows visible a few seconds later)
 *   after = watermark − rescan    (the previous run's upto, minus an overlap: an event whose row
 *                                  became visible up to `rescan` after its ingest_ts — a slow commit,
 *                                  a retried insert — is still picked up, by the next run)
 * and then stores watermark = max(watermark, upto). Events with ingest_ts exactly equal to the
 * watermark are inside the next run's (after, upto] because of the overlap, so the boundary
 * needs no tie-break. Re-processing the overlap is harmless: every window is recomputed whole from
 * all of its events and MERGEd (idempotent), and it costs only the windows of that one minute.
 * An event that becomes visible more than settle + rescan after its ingest_ts is not seen by the
 * incremental run; `obs rebuild` over its day repairs that (docs/SLOS.md, "Late data").
 *
 * Before the first run there is no watermark: the first run processes every event (after = 0,
 * no event-time horizon). Later runs find their work in the change log (`ingest_batches`, read by
 * ingest time: no event-time horizon either); only a run that has to scan metric_events instead
 * (the first after an upgrade: aggregator/rollup-job.ts) looks at event times ≥ upto − lateHorizon
 * (the late-data horizon, which bounds the partitions BigQuery scans).
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Tunables of the incremental run, with units in their names. */
export interface RollupTiming {
  /** Rows ingested less than this before `now` wait for the next run. */
  readonly settleMs: number;
  /** Overlap re-scanned below the watermark (slow commits). */
  readonly rescanMs: number;
  /** A run that scans metric_events (no change log yet) leaves events older than this (event time, relative to upto) to `obs rebuild`. */
  readonly lateHorizonMs: number;
  /** Spans of changed minutes closer than this are merged into one span. */
  readonly spanMergeGapMs: number;
  /** At most this many spans (statement sets) per run; the closest spans are merged first. */
  readonly maxSpans: number;
}

export const DEFAULT_ROLLUP_TIMING: RollupTiming = {
  settleMs: 10_000,
  rescanMs: 60_000,
  lateHorizonMs: 7 * DAY_MS,
  spanMergeGapMs: 10 * MINUTE_MS,
  // Each span costs six statements; on BigQuery each is a job with a second or so of latency, so a
  // run stays within its minute by merging scattered late minutes into a few wider spans.
  maxSpans: 4,
};

/** The ingest-time range (after, upto] a run processes, and the event-time horizon. */
export interface IngestRange {
  readonly afterMs: number;
  readonly uptoMs: number;
  readonly horizonMs: number;
  /** The watermark to store when the run succeeds. */
  readonly nextWatermarkMs: number;
}

/** Applies the watermark rule above. `watermarkMs` is null before the first run. */
export function ingestRange(watermarkMs: number | null, nowMs: number, timing: RollupTiming = DEFAULT_ROLLUP_TIMING): IngestRange {
  const uptoMs = nowMs - timing.settleMs;
  if (watermarkMs === null) return { afterMs: 0, uptoMs, horizonMs: 0, nextWatermarkMs: uptoMs };
  return {
    afterMs: watermarkMs - timing.rescanMs,
    uptoMs,
    horizonMs: uptoMs - timing.lateHorizonMs,
    nextWatermarkMs: Math.max(watermarkMs, uptoMs),
  };
}

/** A run of minutes [fromMs, toMs) that received new events. */
export interface Span {
  readonly fromMs: number;
  readonly toMs: number;
  /** Minutes in the span that received new events (≤ (to − from) / 1 min). */
  readonly minutes: number;
  /** New events in the span. */
  readonly events: number;
}

/**
 * Merges spans (sorted, disjoint, minute-aligned) closer than `spanMergeGapMs`, then keeps merging
 * the closest neighbours until at most `maxSpans` remain. Merging trades reading the events of a
 * gap for one statement set less; only changed windows are recomputed either way.
 */
export function planSpans(spans: readonly Span[], timing: Pick<RollupTiming, 'spanMergeGapMs' | 'maxSpans'> = DEFAULT_ROLLUP_TIMING): Span[] {
  const sorted = [...spans].sort((a, b) => a.fromMs - b.fromMs);
  const out: Span[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last && span.fromMs - last.toMs <= timing.spanMergeGapMs) out[out.length - 1] = join(last, span);
    else out.push(span);
  }
  while (out.length > Math.max(1, timing.maxSpans)) {
    let best = 0;
    for (let i = 1; i < out.length - 1; i++) {
      if (gap(out, i) < gap(out, best)) best = i;
    }
    out.splice(best, 2, join(out[best] as Span, out[best + 1] as Span));
  }
  return out;
}

const gap = (spans: readonly Span[], i: number) => (spans[i + 1] as Span).fromMs - (spans[i] as Span).toMs;
const join = (a: Span, b: Span): Span => ({
  fromMs: Math.min(a.fromMs, b.fromMs),
  toMs: Math.max(a.toMs, b.toMs),
  minutes: a.minutes + b.minutes,
  events: a.events + b.events,
});

/** Largest multiple of `unitMs` ≤ `ms` (epoch-aligned windows: shared/time-windows.ts). */
export const floorTo = (ms: number, unitMs: number): number => Math.floor(ms / unitMs) * unitMs;
/** Smallest multiple of `unitMs` ≥ `ms`. */
export const ceilTo = (ms: number, unitMs: number): number => Math.ceil(ms / unitMs) * unitMs;
