import { readJobState, ROLLUP_JOB } from '../sql/job-state';
import { ingestBatchesExtent } from '../sql/queries/ingest-batches';
import type { Warehouse } from '../sql/warehouse';
import { ceilTo, DAY_MS, DEFAULT_ROLLUP_TIMING, floorTo, type RollupTiming } from './rollup-plan';

/**
 * Events stored with an ingest time the rollup job has already passed, and the rebuild that rolls
 * them up. The incremental run finds its work by ingest time (the change log, rollup-job.ts), so
 * events of any age are rolled up when they arrive — but not events whose *ingest time* is behind
 * the watermark, which only `obs ingest --file --at <past time>` writes. Then the command says
 * exactly which `obs rebuild` to run instead of storing them silently.
 */
export interface RebuildNeeded {
  /** The ingest time the events were stored with. */
  readonly ingestMs: number;
  /** The rollup job's watermark: runs process ingest times after watermark − rescan. */
  readonly watermarkMs: number;
  /** Events logged at that ingest time. */
  readonly events: number;
  /** The whole UTC days holding them: [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
  /** The command to run, exactly. */
  readonly command: string;
}

/** What to rebuild for the events stored at `ingestMs`, or null when the next incremental run will see them. */
export async function rebuildNeededFor(warehouse: Warehouse, ingestMs: number, timing: Pick<RollupTiming, 'rescanMs'> = DEFAULT_ROLLUP_TIMING): Promise<RebuildNeeded | null> {
  const { watermarkMs } = await readJobState(warehouse, ROLLUP_JOB);
  // No watermark: the first run processes everything. After watermark − rescan: the next run's range.
  if (watermarkMs === null || ingestMs > watermarkMs - timing.rescanMs) return null;
  const [extent] = await warehouse.query<{ from_ms: number | null; to_ms: number | null; events: number }>(ingestBatchesExtent, { ingest_ms: ingestMs });
  if (!extent || extent.events === 0 || extent.from_ms === null || extent.to_ms === null) return null;
  const fromMs = floorTo(extent.from_ms, DAY_MS);
  const toMs = ceilTo(extent.to_ms + 1, DAY_MS);
  const iso = (ms: number) => new Date(ms).toISOString();
  return { ingestMs, watermarkMs, events: extent.events, fromMs, toMs, command: `obs rebuild --from ${iso(fromMs)} --to ${iso(toMs)}` };
}
