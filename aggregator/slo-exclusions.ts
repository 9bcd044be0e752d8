import type { MaintenanceOccurrence, MaintenanceSource } from '../maintenance/occurrence';
import { storeMaintenanceSource } from '../maintenance/store-source';
import { WarehouseMaintenanceStore } from '../maintenance/warehouse-maintenance-store';
import type { ModuleId } from '../shared/modules';
import type { EventSelector, SloSpec } from '../shared/slo-catalogue';
import type { SqlQuery } from '../sql/dialect';
import { distinctSelectors, selectorKey } from '../sql/queries/slo-fragments';
import { sloExcludedGoodSums, sloExcludedGoodSumsFor, sloExcludedRollupSums, sloExcludedRollupSumsFor } from '../sql/queries/slo-excluded-sums';
import { SLOS } from '../shared/slo-catalogue';
import { numberOf } from '../sql/row-values';
import type { Warehouse } from '../sql/warehouse';
import { SelectorInputs, type SelectorSlotSums } from './slo-sli';

/**
 * Maintenance windows excluded from SLO budgets (issue #16; Datadog calls these status
 * corrections): the minutes of an excluded window are left out of its module's SLOs — their
 * events count neither as good nor as total, in the SLO window, the burn-rate windows (so the
 * burn-rate alerts do not count them either) and the monthly report. The rule that makes the
 * result exact: an excluded window covers whole minutes (its start rounded down to the minute,
 * its end up), and the sums of those minutes (sql/queries/slo-excluded-sums.ts, tiled from the
 * same rollups) are subtracted from each lookback's sums per SLI selector, before good and total
 * are derived — which is the same arithmetic as on a warehouse where those events were never
 * ingested. Overlapping windows of a module are merged first, so no minute is subtracted twice.
 */
export interface ExcludedSpan {
  readonly module: ModuleId;
  readonly startMs: number;
  readonly endMs: number;
}

const MINUTE_MS = 60_000;
const floorMinute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
const ceilMinute = (ms: number) => Math.ceil(ms / MINUTE_MS) * MINUTE_MS;

/** The occurrences excluded from budgets, as spans. */
export const excludedSpans = (occurrences: readonly MaintenanceOccurrence[]): ExcludedSpan[] =>
  occurrences.filter((o) => o.excludeFromBudget).map((o) => ({ module: o.module, startMs: Date.parse(o.startsAt), endMs: Date.parse(o.endsAt) }));

/**
 * The maintenance windows an SLO computation uses: the caller's source, none for null, and by
 * default the warehouse's own maintenance_windows table (maintenance/warehouse-maintenance-store.ts).
 */
export const maintenanceOf = (warehouse: Warehouse, options: { readonly maintenance?: MaintenanceSource | null }): MaintenanceSource | undefined =>
  options.maintenance === null ? undefined : (options.maintenance ?? storeMaintenanceSource(new WarehouseMaintenanceStore(warehouse)));

/** The excluded spans overlapping [fromMs, toMs) from a maintenance source (none without one). */
export async function budgetExclusions(source: MaintenanceSource | undefined, fromMs: number, toMs: number): Promise<ExcludedSpan[]> {
  return source ? excludedSpans(await source.occurrences(fromMs, toMs)) : [];
}

/** Per module: its spans widened to whole minutes, sorted, overlapping and touching ones merged. */
export function mergeSpans(spans: readonly ExcludedSpan[]): Map<ModuleId, Array<{ startMs: number; endMs: number }>> {
  const byModule = new Map<ModuleId, Array<{ startMs: number; endMs: number }>>();
  for (const s of spans) {
    const start = floorMinute(s.startMs);
    const end = ceilMinute(s.endMs);
    if (!(end > start)) continue;
    let list = byModule.get(s.module);
    if (!list) byModule.set(s.module, (list = []));
    list.push({ startMs: start, endMs: end });
  }
  for (const [module, list] of byModule) {
    list.sort((a, b) => a.startMs - b.startMs);
    const merged: Array<{ startMs: number; endMs: number }> = [];
    for (const span of list) {
      const last = merged[merged.length - 1];
      if (last && span.startMs <= last.endMs) last.endMs = Math.max(last.endMs, span.endMs);
      else merged.push({ ...span });
    }
    byModule.set(module, merged);
  }
  return byModule;
}

/** A range of time the sums are kept apart for: a lookback (label `1h`, `30d`, …) or a report day. */
export interface ExclusionSlot {
  readonly label: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * What to read and how to subtract it: the distinct intervals (each module's merged spans clipped
 * to each slot) numbered for the query, and per module and slot the interval ids to subtract and
 * the minutes they cover.
 */
export interface ExclusionPlan {
  readonly intervals: ReadonlyArray<readonly [id: number, fromMs: number, toMs: number]>;
  readonly pieces: ReadonlyMap<ModuleId, ReadonlyMap<string, readonly number[]>>;
  readonly minutes: ReadonlyMap<ModuleId, ReadonlyMap<string, number>>;
}

export function planExclusions(spans: readonly ExcludedSpan[], slots: readonly ExclusionSlot[]): ExclusionPlan {
  const ids = new Map<string, number>();
  const intervals: Array<readonly [number, number, number]> = [];
  const pieces = new Map<ModuleId, Map<string, number[]>>();
  const minutes = new Map<ModuleId, Map<string, number>>();
  for (const [module, merged] of mergeSpans(spans)) {
    for (const slot of slots) {
      for (const span of merged) {
        const from = Math.max(span.startMs, slot.fromMs);
        const to = Math.min(span.endMs, slot.toMs);
        if (!(to > from)) continue;
        const key = `${from}-${to}`;
        let id = ids.get(key);
        if (id === undefined) {
          ids.set(key, (id = intervals.length));
          intervals.push([id, from, to]);
        }
        let bySlot = pieces.get(module);
        if (!bySlot) pieces.set(module, (bySlot = new Map<string, number[]>()));
        bySlot.set(slot.label, [...(bySlot.get(slot.label) ?? []), id]);
        let minutesBySlot = minutes.get(module);
        if (!minutesBySlot) minutes.set(module, (minutesBySlot = new Map<string, number>()));
        minutesBySlot.set(slot.label, (minutesBySlot.get(slot.label) ?? 0) + (to - from) / MINUTE_MS);
      }
    }
  }
  return { intervals, pieces, minutes };
}

/**
 * The sums to subtract: per SLO module and slot, what each selector adds up to in the excluded
 * minutes. `counts(slo, slot, base)` turns a selector-sum function of the unexcluded sums into
 * the excluded one.
 */
export class ExcludedSums {
  constructor(
    private readonly plan: ExclusionPlan,
    private readonly perInterval: SelectorInputs,
  ) {}

  /** `selectorSum` less what the selector adds up to in the module's excluded minutes of `slot`. */
  subtracting(slo: SloSpec, slot: string, selectorSum: (selector: EventSelector) => number): (selector: EventSelector) => number {
    const ids = this.plan.pieces.get(slo.module)?.get(slot);
    if (!ids || ids.length === 0) return selectorSum;
    return (selector) => selectorSum(selector) - ids.reduce((n, id) => n + this.perInterval.selectorSum(selector, String(id)), 0);
  }

  /** Minutes of `slot` excluded for the SLO's module. */
  minutes(slo: SloSpec, slot: string): number {
    return this.plan.minutes.get(slo.module)?.get(slot) ?? 0;
  }
}

/** No exclusions: nothing subtracted. */
export const NO_EXCLUSIONS = new ExcludedSums({ intervals: [], pieces: new Map(), minutes: new Map() }, new SelectorInputs([], selectorKey));

/** Reads the sums of the plan's intervals (two queries; none when there is nothing to exclude). */
export async function readExcludedSums(warehouse: Warehouse, slos: readonly SloSpec[], plan: ExclusionPlan): Promise<ExcludedSums> {
  if (plan.intervals.length === 0) return NO_EXCLUSIONS;
  const params = {
    intervals_json: JSON.stringify(plan.intervals),
    from_ms: Math.min(...plan.intervals.map(([, from]) => from)),
    end_ms: Math.max(...plan.intervals.map(([, , to]) => to)),
  };
  const { sums: sumsQuery, good: goodQuery } = queriesFor(slos);
  const [sums, good] = await Promise.all([warehouse.query(sumsQuery, params), warehouse.query(goodQuery, params)]);
  const selectors = distinctSelectors(slos);
  const bySelector = new Map<number, { selector: EventSelector; events: Record<string, number>; values: Record<string, number>; good: Record<string, number> }>();
  const entry = (id: number) => {
    const selector = selectors[id];
    if (selector === undefined) return undefined;
    let e = bySelector.get(id);
    if (!e) bySelector.set(id, (e = { selector, events: {}, values: {}, good: {} }));
    return e;
  };
  for (const row of sums) {
    const e = entry(numberOf(row.selector_id));
    if (!e) continue;
    e.events[String(numberOf(row.interval_id))] = numberOf(row.events);
    e.values[String(numberOf(row.interval_id))] = numberOf(row.value_sum);
  }
  for (const row of good) {
    const e = entry(numberOf(row.selector_id));
    if (e) e.good[String(numberOf(row.interval_id))] = numberOf(row.good);
  }
  const rows: SelectorSlotSums[] = [...bySelector.values()];
  return new ExcludedSums(plan, new SelectorInputs(rows, selectorKey));
}

function queriesFor(slos: readonly SloSpec[]): { sums: SqlQuery; good: SqlQuery } {
  if (slos === SLOS) return { sums: sloExcludedRollupSums, good: sloExcludedGoodSums };
  return { sums: sloExcludedRollupSumsFor(slos), good: sloExcludedGoodSumsFor(slos) };
}
