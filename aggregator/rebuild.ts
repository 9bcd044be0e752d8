import { rollupRebuildDeleteHistograms, rollupRebuildDeleteRollups, rollupRebuildHistograms, rollupRebuildRollups } from '../sql/queries/rollup-rebuild';
import type { Warehouse } from '../sql/warehouse';
import { ceilTo, DAY_MS, floorTo } from './rollup-plan';

/**
 * `obs rebuild`: replay the raw events of a time range into the rollups (rollups are projections
 * of `metric_events`, ARCHITECTURE.md). The range is widened to whole UTC days — a day window can
 * only be recomputed from all of its hours — and processed in chunks of whole days, each chunk:
 * delete the chunk's rollup and histogram rows, then insert its minute, hour and day windows from
 * the deduplicated events, one statement per table (sql/queries/rollup-rebuild.ts).
 *
 * Contract:
 * - The rows written are the ones incremental runs produce for the same events (the same SQL
 *   expressions: sql/queries/rollup-fragments.ts), except `updated_at` = `nowMs` and the last
 *   digits of non-integer sums (floating-point addition order); a test asserts the tables are equal.
 * - Idempotent; a rebuild that fails part-way leaves finished chunks done and can be re-run.
 * - It neither reads nor moves the rollup job's watermark: events ingested later are still picked
 *   up by the next incremental run.
 * - Like every writer, it must not run at the same time as another writer (ARCHITECTURE.md).
 */
export interface RebuildOptions {
  readonly fromMs: number;
  readonly toMs: number;
  readonly nowMs: number;
  /** Days per chunk (bounds the memory of one statement). */
  readonly chunkDays?: number;
}

export interface RebuildResult {
  /** The range actually rebuilt: [fromMs, toMs) widened to whole UTC days. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly chunks: number;
  readonly statements: number;
  readonly durationMs: number;
}

export const DEFAULT_REBUILD_CHUNK_DAYS = 31;

export async function runRebuild(warehouse: Warehouse, options: RebuildOptions): Promise<RebuildResult> {
  if (!(options.toMs > options.fromMs)) throw new Error(`rebuild: --to must be after --from`);
  const started = performance.now();
  const fromMs = floorTo(options.fromMs, DAY_MS);
  const toMs = ceilTo(options.toMs, DAY_MS);
  const chunkMs = Math.max(1, Math.floor(options.chunkDays ?? DEFAULT_REBUILD_CHUNK_DAYS)) * DAY_MS;
  let chunks = 0;
  let statements = 0;
  for (let chunkFrom = fromMs; chunkFrom < toMs; chunkFrom += chunkMs) {
    const chunkTo = Math.min(toMs, chunkFrom + chunkMs);
    const span = { span_from_ms: chunkFrom, span_to_ms: chunkTo };
    await warehouse.execute(rollupRebuildDeleteRollups, span);
    await warehouse.execute(rollupRebuildDeleteHistograms, span);
    await warehouse.execute(rollupRebuildRollups, { ...span, updated_at_ms: options.nowMs });
    await warehouse.execute(rollupRebuildHistograms, span);
    statements += 4;
    chunks++;
  }
  return { fromMs, toMs, chunks, statements, durationMs: Math.round(performance.now() - started) };
}
