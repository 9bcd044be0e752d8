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
import { SelectorInputs, sliCounts, type SelectorSlotSums, type SliCounts } from './slo-sli';
import { sloWindowAt } from '../shared/slo-window';
import { evaluateSlo, toSloStatusRow, type SloStatus } from './slo-status';
import { budgetExclusions, maintenanceOf, mergeSpans, NO_EXCLUSIONS, planExclusions, readExcludedSums, type ExcludedSpan } from './slo-exclusions';
import type { MaintenanceSource } from '../maintenance/occurrence';

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
  /**
   * Maintenance windows: those excluded from budgets are left out of their module's SLOs
   * (aggregator/slo-exclusions.ts). Default: the warehouse's maintenance_windows table; null: none.
   */
  readonly maintenance?: MaintenanceSource | null;
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
  const statuses = await computeSloStatuses(warehouse, options.nowMs, options.slos ?? activeSlos(), options);
  if (options.write) {
    await warehouse.upsert('slo_status', statuses.map(toSloStatusRow));
    await recordJobRun(warehouse, SLO_JOB, options.nowMs, { slos: statuses.length });
  }
  return { nowMs: options.nowMs, statuses, written: options.write === true, durationMs: Math.round(performance.now() - started) };
}

export async function computeSloStatuses(
  warehouse: Warehouse,
  nowMs: number,
  slos: readonly SloSpec[] = activeSlos(),
  options: { readonly maintenance?: MaintenanceSource | null } = {},
): Promise<SloStatus[]> {
  const endMs = floorTo(nowMs, MINUTE_MS);
  // A catalogue with calendar-month SLOs has a lookback that depends on the end (shared/slo-window.ts).
  const lookbacks = slos === SLOS ? SLO_LOOKBACKS : sloLookbacks(slos, endMs);
  const exclusions = await budgetExclusions(maintenanceOf(warehouse, options), endMs - longestLookbackMs(lookbacks), endMs);
  const counts = await computeSliCounts(warehouse, endMs, slos, lookbacks, exclusions);
  const merged = mergeSpans(exclusions);
  return slos.map((slo) => {
    const window = sloWindowAt(slo, endMs);
    const excludedMs = (merged.get(slo.module) ?? []).reduce((n, s) => n + Math.max(0, Math.min(s.endMs, endMs) - Math.max(s.startMs, window.startMs)), 0);
    return evaluateSlo(slo, counts.get(slo.id) ?? {}, nowMs, endMs, excludedMs / MINUTE_MS);
  });
}

/**
 * Good and total of each SLO's SLI over each lookback ending at `endMs` (a minute boundary), from
 * the rollups: per SLO id, per lookback label. The SLO job's windows, and any other lookback a
 * caller needs (the streaming path's long window: alerts/streaming/).
 */
export async function computeSliCounts(
  warehouse: Warehouse,
  endMs: number,
  slos: readonly SloSpec[],
  lookbacks: readonly Lookback[],
  exclusions: readonly ExcludedSpan[] = [],
): Promise<Map<string, Record<string, SliCounts>>> {
  const params = { end_ms: endMs, from_ms: endMs - longestLookbackMs(lookbacks) };
  const { sums: sumsQuery, good: goodQuery } = queriesFor(slos, lookbacks);
  // Maintenance windows excluded from budgets: their minutes' sums, subtracted per selector below.
  const plan = planExclusions(exclusions, lookbacks.map((l) => ({ label: l.label, fromMs: endMs - l.seconds * 1000, toMs: endMs })));
  const [sums, good, excluded] = await Promise.all([
    warehouse.query(sumsQuery, params),
    warehouse.query(goodQuery, params),
    plan.intervals.length === 0 ? Promise.resolve(NO_EXCLUSIONS) : readExcludedSums(warehouse, slos, plan),
  ]);
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
    for (const lookback of lookbacks) windows[lookback.label] = sliCounts(slo, excluded.subtracting(slo, lookback.label, (selector) => inputs.selectorSum(selector, lookback.label)));
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
