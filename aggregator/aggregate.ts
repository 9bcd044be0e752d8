import type { Warehouse } from '../sql/warehouse';
import { runRollupJob, type RollupRunResult } from './rollup-job';
import { runSloJob, type SloRunResult } from './slo-job';

/**
 * One aggregation pass as of `nowMs`: the incremental rollups, then the SLO statuses from the
 * fresh rollups (stored in slo_status). What `obs aggregate` and the local stack run each minute.
 */
export interface AggregationResult {
  readonly rollup: RollupRunResult;
  readonly slo: SloRunResult;
}

export async function runAggregation(warehouse: Warehouse, nowMs: number): Promise<AggregationResult> {
  const rollup = await runRollupJob(warehouse, { nowMs });
  const slo = await runSloJob(warehouse, { nowMs, write: true });
  return { rollup, slo };
}
