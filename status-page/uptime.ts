import { selectorDaySums } from '../aggregator/slo-report';
import { SelectorInputs, type SliCounts } from '../aggregator/slo-sli';
import { MODULE_IDS, SLOS, type ModuleId, type SloSpec } from '../shared';
import type { SqlQuery } from '../sql/dialect';
import { sloDailyGoodSums, sloDailyGoodSumsFor, sloDailyRollupSums, sloDailyRollupSumsFor } from '../sql/queries/slo-daily-sums';
import { distinctSelectors, selectorKey } from '../sql/queries/slo-fragments';
import type { Warehouse } from '../sql/warehouse';
import type { ComponentUptime, UptimeDay } from './summary';

/**
 * The 90-day uptime bars (docs/OPERATIONS.md "Status page"). A day's uptime is measured by the
 * component's service level objectives, from the 1-day rollups:
 *
 * - per objective, the day's good / total events of its SLI (the same sums as the monthly SLO
 *   report, sql/queries/slo-daily-sums.ts: two reads of the daily rollups over the 90 days, rows
 *   O(selectors × days), whatever the number of series);
 * - the day's uptime is the *worst* objective's ratio (a day is as good as its worst objective);
 * - the day is `met` when every objective with events met its target that day, `missed` when one
 *   did not, `outage` when one's bad fraction was over 10× its allowance (below 99% for a 99.9%
 *   objective), `no_data` when no objective had events;
 * - the period's figure is, per objective, good / total over all 90 days, the worst one.
 *
 * A component with no objective has no uptime to show (`measured: false`): the page says so
 * rather than invent one. Minutes of maintenance windows are counted like any others.
 */
export const UPTIME_DAYS = 90;
export const DAY_MS = 86_400_000;
/** A bad fraction over this many times the objective's allowance colours the day as an outage. */
export const OUTAGE_FACTOR = 10;

/** [fromMs, toMs): the UTC days of the period, today (partial) last. */
export function uptimeRange(nowMs: number, days = UPTIME_DAYS): { fromMs: number; toMs: number } {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return { fromMs: today - (days - 1) * DAY_MS, toMs: today + DAY_MS };
}

const dayLabel = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Pure: each module's bar from per-day SLI counts (`counts(slo, day)`). */
export function uptimeFromCounts(slos: readonly SloSpec[], fromMs: number, toMs: number, counts: (slo: SloSpec, day: string) => SliCounts): Record<ModuleId, ComponentUptime> {
  const days: string[] = [];
  for (let t = fromMs; t < toMs; t += DAY_MS) days.push(dayLabel(t));
  const result = {} as Record<ModuleId, ComponentUptime>;
  for (const module of MODULE_IDS) {
    const own = slos.filter((s) => s.module === module);
    const totals = own.map(() => ({ good: 0, total: 0 }));
    const bar: UptimeDay[] = days.map((date) => {
      let uptime: number | null = null;
      let state: UptimeDay['state'] = 'no_data';
      own.forEach((slo, i) => {
        const c = counts(slo, date);
        totals[i]!.good += c.good;
        totals[i]!.total += c.total;
        if (c.total <= 0) return;
        const ratio = c.good / c.total;
        uptime = uptime === null ? ratio : Math.min(uptime, ratio);
        const allowance = 1 - slo.objective;
        const bad = 1 - ratio;
        const dayState = bad > OUTAGE_FACTOR * allowance ? 'outage' : ratio < slo.objective ? 'missed' : 'met';
        state = worse(state, dayState);
      });
      return { date, uptime, state };
    });
    const ratios = totals.filter((t) => t.total > 0).map((t) => t.good / t.total);
    result[module] = { measured: own.length > 0, uptime: ratios.length > 0 ? Math.min(...ratios) : null, days: bar };
  }
  return result;
}

const STATE_RANK: Record<UptimeDay['state'], number> = { no_data: 0, met: 1, missed: 2, outage: 3 };
function worse(a: UptimeDay['state'], b: UptimeDay['state']): UptimeDay['state'] {
  return STATE_RANK[b] > STATE_RANK[a] ? b : a;
}

const queries = new WeakMap<readonly SloSpec[], { sums: SqlQuery; good: SqlQuery }>();
function queriesFor(slos: readonly SloSpec[]): { sums: SqlQuery; good: SqlQuery } {
  if (slos === SLOS) return { sums: sloDailyRollupSums, good: sloDailyGoodSums };
  let q = queries.get(slos);
  if (!q) queries.set(slos, (q = { sums: sloDailyRollupSumsFor(slos), good: sloDailyGoodSumsFor(slos) }));
  return q;
}

/** Reads the 90 days of daily rollups (the two per-selector daily sums, in parallel) and builds every module's bar. */
export async function loadUptime(warehouse: Warehouse, slos: readonly SloSpec[], nowMs: number, days = UPTIME_DAYS): Promise<Record<ModuleId, ComponentUptime>> {
  const { fromMs, toMs } = uptimeRange(nowMs, days);
  if (slos.length === 0) return uptimeFromCounts(slos, fromMs, toMs, () => ({ good: 0, total: 0 }));
  const q = queriesFor(slos);
  const params = { from_ms: fromMs, to_ms: toMs };
  const [sums, good] = await Promise.all([warehouse.query(q.sums, params), warehouse.query(q.good, params)]);
  const inputs = new SelectorInputs(selectorDaySums(distinctSelectors(slos), sums, good), selectorKey);
  return uptimeFromCounts(slos, fromMs, toMs, (slo, day) => inputs.counts(slo, day));
}
