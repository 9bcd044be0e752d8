import { LEVEL_MERGES } from '../sql/queries/rollup-levels';
import type { Warehouse } from '../sql/warehouse';
import { paramsFor } from './query-params';
import { ceilTo, floorTo } from './rollup-plan';

/**
 * Re-derives the hour and day windows above the minute windows just written (stamped
 * `updated_at = updatedAtMs`) in [fromMs, toMs): hours from minutes, then days from hours
 * (sql/queries/rollup-levels.ts). Each level's range is widened to whole parent windows so a
 * parent is always recomputed from all of its children. Returns the number of statements run.
 */
export async function mergeLevels(warehouse: Warehouse, fromMs: number, toMs: number, updatedAtMs: number): Promise<number> {
  let statements = 0;
  for (const level of LEVEL_MERGES) {
    const unitMs = level.parentSeconds * 1000;
    const params = { from_ms: floorTo(fromMs, unitMs), to_ms: ceilTo(toMs, unitMs), updated_at_ms: updatedAtMs };
    for (const query of level.queries) {
      await warehouse.execute(query, paramsFor(query, params));
      statements++;
    }
  }
  return statements;
}
