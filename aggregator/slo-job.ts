import { recordJobRun, SLO_JOB } from '../sql/job-state';
import { numberOf } from '../sql/row-values';
import { activeSlos, SLOS, type SloSpec } from '../shared/slo-catalogue';
import type { SqlQuery } from '../sql/dialect';
import { distinctSelectors, selectorKey } from '../sql/queries/slo-fragments';
import {
  longestLookbackMs,
  SLO_LOOKBACKS,
  sloLookbacks,
  type Lookback,
  sloWindowGoodSums,
  sloWindowGoodSumsFor,
  sloWindowRollupSums,
  sloWindowRollupSumsFor,
} from '../sql/queries/slo-window-sums';
import type { Row, Warehouse } from '../sql/warehouse';
import { floorTo, MINUTE_MS } from './rollup-plan';
import { SelectorInputs, type SelectorSlotSums, type SliCounts } from './slo-sli';
import { evaluateSlo, toSloStatusRow, type SloStatus } from './slo-status';

/**
 * The SLO job: attainment, error budget and burn rates of every catalogue SLO as of `nowMs`, from
 * the rollups (two queries for all SLOs: sql/queries/slo-window-sums.ts, which sum per SLI
 * selector in SQL — one row per selector, never one per series, so the job's memory does not grow
 * with the number of series), optionally stored in
 * `slo_status` (one row per SLO per computation: the history behind burn-down charts).
 *
 * Every window ends at `nowMs` rounded down to the minute (exclusive): the SLO window is the last
 * 30 × 1440 complete minutes, the 5m burn window the last five. The rollups are only as fresh as
 * the last rollup run; `obs aggregate` runs that first.
 */
export interface SloRunOptions {
  readonly nowMs: number;
  /** Store the statuses in slo_status (the scheduled job does; `obs slo status` does not). */
  readonly write?: boolean;
  readonly slos?: readonly SloSpec[];
}

export interface SloRunResult {
  readonly nowMs: number;
  readonly statuses: readonly SloStatus[];
  readonly written: boolean;
  readonly durationMs: number;
}

/** Computes (and with `write`, stores) the status of every SLO as of `nowMs`. */
export async function runSloJob(warehouse: Warehouse, options: SloRunOptions): Promise<SloRunResult> {
  const started = performance.now();
  const statuses = await computeSloStatuses(warehouse, options.nowMs, options.slos ?? activeSlos());
  if (options.write) {
    await warehouse.upsert('slo_status', statuses.map(toSloStatusRow));
    await recordJobRun(warehouse, SLO_JOB, options.nowMs, { slos: statuses.length });
  }
  return { nowMs: options.nowMs, statuses, written: options.write === true, durationMs: Math.round(performance.now() - started) };
}

export async function computeSloStatuses(warehouse: Warehouse, nowMs: number, slos: readonly SloSpec[] = activeSlos()): Promise<SloStatus[]> {
  const endMs = floorTo(nowMs, MINUTE_MS);
  // A catalogue with calendar-month SLOs has a lookback that depends on the end (shared/slo-window.ts).
  const lookbacks = slos === SLOS ? SLO_LOOKBACKS : sloLookbacks(slos, endMs);
  const counts = await computeSliCounts(warehouse, endMs, slos, lookbacks);
  return slos.map((slo) => evaluateSlo(slo, counts.get(slo.id) ?? {}, nowMs, endMs));
}

/**
 * Good and total of each SLO's SLI over each lookback ending at `endMs` (a minute boundary), from
 * the rollups: per SLO id, per lookback label. The SLO job's windows, and any other lookback a
 * caller needs (the streaming path's long window: alerts/streaming/).
 */
export async function computeSliCounts(warehouse: Warehouse, endMs: number, slos: readonly SloSpec[], lookbacks: readonly Lookback[]): Promise<Map<string, Record<string, SliCounts>>> {
  const params = { end_ms: endMs, from_ms: endMs - longestLookbackMs(lookbacks) };
  const { sums: sumsQuery, good: goodQuery } = queriesFor(slos, lookbacks);
  const [sums, good] = await Promise.all([warehouse.query(sumsQuery, params), warehouse.query(goodQuery, params)]);
  const selectors = distinctSelectors(slos);
  const selectorOf = (row: Row) => selectors[numberOf(row.selector_id)];
  const rows: SelectorSlotSums[] = [];
  for (const row of sums) {
    const selector = selectorOf(row);
    if (selector) rows.push({ selector, events: perLookback(row, 'events', lookbacks), values: perLookback(row, 'values', lookbacks) });
  }
  for (const row of good) {
    const selector = selectorOf(row);
    if (selector) rows.push({ selector, good: perLookback(row, 'good', lookbacks) });
  }
  const inputs = new SelectorInputs(rows, selectorKey);
  const out = new Map<string, Record<string, SliCounts>>();
  for (const slo of slos) {
    const windows: Record<string, SliCounts> = {};
    for (const lookback of lookbacks) windows[lookback.label] = inputs.counts(slo, lookback.label);
    out.set(slo.id, windows);
  }
  return out;
}

/** The catalogue's queries are built once; another SLO set (a subset, tests) gets its own. */
function queriesFor(slos: readonly SloSpec[], lookbacks: readonly Lookback[]): { sums: SqlQuery; good: SqlQuery } {
  if (slos === SLOS && lookbacks === SLO_LOOKBACKS) return { sums: sloWindowRollupSums, good: sloWindowGoodSums };
  return { sums: sloWindowRollupSumsFor(slos, lookbacks), good: sloWindowGoodSumsFor(slos, lookbacks) };
}


function perLookback(row: Row, prefix: string, lookbacks: readonly Lookback[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lookbacks) out[l.label] = numberOf(row[`${prefix}_${l.label}`]);
  return out;
}
