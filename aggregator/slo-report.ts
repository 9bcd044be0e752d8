import { activeSlos, SLOS, type EventSelector, type SloCategory, type SloSpec } from '../shared/slo-catalogue';
import { numberOf } from '../sql/row-values';
import { monthRangeMs } from '../shared/time-windows';
import type { SqlQuery } from '../sql/dialect';
import { sloDailyGoodSums, sloDailyGoodSumsFor, sloDailyRollupSums, sloDailyRollupSumsFor } from '../sql/queries/slo-daily-sums';
import { distinctSelectors, selectorKey } from '../sql/queries/slo-fragments';
import type { Row, Warehouse } from '../sql/warehouse';
import { DAY_MS } from './rollup-plan';
import { SelectorInputs, type SelectorSlotSums } from './slo-sli';
import { attainment } from './slo-math';
import { excludedSpans, maintenanceOf, NO_EXCLUSIONS, planExclusions, readExcludedSums, type ExcludedSums } from './slo-exclusions';
import type { MaintenanceOccurrence, MaintenanceSource } from '../maintenance/occurrence';
import { sliCounts } from './slo-sli';
import type { IncidentStore } from '../incidents/incident-store';
import { incidentMonthSummary, type IncidentMonthSummary } from '../incidents/incident-metrics';
import { WarehouseIncidentStore } from '../incidents/warehouse-incident-store';

/**
 * The monthly SLO compliance report (the seed's monthly operations checklist: "Generate SLO
 * compliance report"): for each SLO, attainment over the calendar month (UTC), whether the
 * objective was met, the share of the month's error budget used, and the worst days.
 *
 * The month is a calendar month, not the SLOs' rolling 30-day window: its budget is
 * (1 − objective) × the month's events, and for availability SLOs (1 − objective) × the month's
 * minutes (28–31 days) of full outage. A month still in progress covers the days so far.
 * The worst days are the days that spent the most of the month's budget (most bad events; ties:
 * lower attainment, then earlier) — a quiet night with 1 bad request out of 3 does not outrank a
 * day with 2,000 failures.
 *
 * The sums come per SLI selector and day, added up in SQL (sql/queries/slo-daily-sums.ts): the
 * report holds O(selectors × days) numbers, however many series the metrics have (issue #17).
 */
export interface DayResult {
  /** The UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly goodEvents: number;
  readonly totalEvents: number;
  readonly badEvents: number;
  readonly attainment: number | null;
  /** badEvents / the month's allowed bad events; null without data in the month. */
  readonly budgetShare: number | null;
}

export interface SloMonthResult {
  readonly sloId: string;
  readonly name: string;
  readonly category: SloCategory;
  readonly objective: number;
  readonly goodEvents: number;
  readonly totalEvents: number;
  readonly badEvents: number;
  /** null = no data in the month. */
  readonly attainment: number | null;
  /** attainment ≥ objective; null = no data. */
  readonly met: boolean | null;
  /** Bad events the month allows: (1 − objective) × total. */
  readonly budgetAllowed: number;
  /** badEvents / budgetAllowed (above 1 = overspent); null = no data. */
  readonly budgetUsed: number | null;
  /** Availability SLOs: the month's budget in minutes of full outage, and the minutes used. */
  readonly budgetMinutes: number | null;
  readonly budgetMinutesUsed: number | null;
  readonly daysWithData: number;
  readonly worstDays: readonly DayResult[];
  readonly days: readonly DayResult[];
  /** Minutes of the month left out by maintenance windows excluded from budgets (issue #16); absent when none. */
  readonly excludedMinutes?: number;
}

/** A maintenance window occurrence excluded from the month's budgets, and its minutes within the month. */
export interface ExcludedWindow extends MaintenanceOccurrence {
  readonly minutes: number;
}

export interface MonthlyReport {
  /** YYYY-MM. */
  readonly month: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly slos: readonly SloMonthResult[];
  /** The maintenance windows excluded from budgets in the month (their events are in no figure above); absent when none. */
  readonly excludedWindows?: readonly ExcludedWindow[];
  /** The incidents opened in the month (issue #16): count, MTTA and MTTR, per tier and module; absent when the report reads none (BigQuery: they are in Firestore). */
  readonly incidents?: IncidentMonthSummary;
}

/** What the month leaves out (aggregator/slo-exclusions.ts): the sums to subtract and the windows. */
export interface MonthExclusions {
  readonly sums: ExcludedSums;
  readonly windows: readonly MaintenanceOccurrence[];
}

export const WORST_DAYS = 3;

/** Reads the month's daily rollups, summed per selector and day, and builds the report. */
export async function buildMonthlyReport(
  warehouse: Warehouse,
  month: string,
  slos: readonly SloSpec[] = activeSlos(),
  options: { readonly maintenance?: MaintenanceSource | null; readonly incidents?: IncidentStore | null } = {},
): Promise<MonthlyReport> {
  const { startMs, endMs } = monthRangeMs(month);
  const params = { from_ms: startMs, to_ms: endMs };
  const { sums: sumsQuery, good: goodQuery } = queriesFor(slos);
  // Maintenance windows excluded from budgets (default: the warehouse's): their minutes' sums, per day, subtracted.
  const source = maintenanceOf(warehouse, options);
  const windows = source ? (await source.occurrences(startMs, endMs)).filter((o) => o.excludeFromBudget) : [];
  const days: Array<{ label: string; fromMs: number; toMs: number }> = [];
  for (let t = startMs; t < endMs; t += DAY_MS) days.push({ label: dayLabel(t), fromMs: t, toMs: t + DAY_MS });
  const plan = planExclusions(excludedSpans(windows), days);
  const [sums, good, excluded] = await Promise.all([warehouse.query(sumsQuery, params), warehouse.query(goodQuery, params), readExcludedSums(warehouse, slos, plan)]);
  const report = monthlyReportFromSums(month, selectorDaySums(distinctSelectors(slos), sums, good), slos, { sums: excluded, windows });
  // MTTA and MTTR of the month's incidents (default: the warehouse's table, the local store; on
  // BigQuery production incidents are in Firestore, so none unless a store is passed).
  const incidents = options.incidents === undefined ? (warehouse.dialect === 'duckdb' ? new WarehouseIncidentStore(warehouse) : null) : options.incidents;
  return incidents ? { ...report, incidents: incidentMonthSummary(await incidents.load(startMs), startMs, endMs) } : report;
}

/** The catalogue's queries are built once; another SLO set (a subset, tests) gets its own. */
function queriesFor(slos: readonly SloSpec[]): { sums: SqlQuery; good: SqlQuery } {
  if (slos === SLOS) return { sums: sloDailyRollupSums, good: sloDailyGoodSums };
  return { sums: sloDailyRollupSumsFor(slos), good: sloDailyGoodSumsFor(slos) };
}

const dayLabel = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Pure: the report from per-selector daily sums (slots are YYYY-MM-DD; a selector without a row sums to 0). */
export function monthlyReportFromSums(month: string, sums: readonly SelectorSlotSums[], slos: readonly SloSpec[] = activeSlos(), exclusions: MonthExclusions = { sums: NO_EXCLUSIONS, windows: [] }): MonthlyReport {
  const { startMs, endMs } = monthRangeMs(month);
  const days: string[] = [];
  for (let t = startMs; t < endMs; t += DAY_MS) days.push(dayLabel(t));
  const inputs = new SelectorInputs(sums, selectorKey);
  const monthMinutes = (endMs - startMs) / 60_000;
  return {
    month,
    fromMs: startMs,
    toMs: endMs,
    slos: slos.map((slo) => {
      const perDay = days.map((day) => ({ day, ...sliCounts(slo, exclusions.sums.subtracting(slo, day, (selector) => inputs.selectorSum(selector, day))) }));
      const excludedMinutes = days.reduce((n, day) => n + exclusions.sums.minutes(slo, day), 0);
      const goodEvents = perDay.reduce((n, d) => n + d.good, 0);
      const totalEvents = perDay.reduce((n, d) => n + d.total, 0);
      const badEvents = totalEvents - goodEvents;
      const budgetAllowed = (1 - slo.objective) * totalEvents;
      const monthAttainment = attainment(goodEvents, totalEvents);
      const budgetUsed = totalEvents > 0 ? badEvents / budgetAllowed : null;
      const budgetMinutes = slo.category === 'availability' ? (1 - slo.objective) * (monthMinutes - excludedMinutes) : null;
      const dayResults: DayResult[] = perDay.map((d) => ({
        day: d.day,
        goodEvents: d.good,
        totalEvents: d.total,
        badEvents: d.total - d.good,
        attainment: attainment(d.good, d.total),
        budgetShare: totalEvents > 0 ? (d.total - d.good) / budgetAllowed : null,
      }));
      return {
        sloId: slo.id,
        name: slo.name,
        category: slo.category,
        objective: slo.objective,
        goodEvents,
        totalEvents,
        badEvents,
        attainment: monthAttainment,
        met: monthAttainment === null ? null : monthAttainment >= slo.objective,
        budgetAllowed,
        budgetUsed,
        budgetMinutes,
        budgetMinutesUsed: budgetMinutes !== null && budgetUsed !== null ? budgetUsed * budgetMinutes : null,
        daysWithData: dayResults.filter((d) => d.totalEvents > 0).length,
        worstDays: worstDays(dayResults),
        days: dayResults,
        ...(excludedMinutes > 0 ? { excludedMinutes } : {}),
      };
    }),
    ...(exclusions.windows.length > 0 ? { excludedWindows: exclusions.windows.map((w) => ({ ...w, minutes: minutesWithin(w, startMs, endMs) })) } : {}),
  };
}

/** The whole minutes of an occurrence within [fromMs, toMs) (as the exclusion counts them: start down, end up to the minute). */
function minutesWithin(w: MaintenanceOccurrence, fromMs: number, toMs: number): number {
  const start = Math.max(fromMs, Math.floor(Date.parse(w.startsAt) / 60_000) * 60_000);
  const end = Math.min(toMs, Math.ceil(Date.parse(w.endsAt) / 60_000) * 60_000);
  return Math.max(0, (end - start) / 60_000);
}

/** The days with bad events, most bad events first (ties: lower attainment, then earlier). */
export function worstDays(days: readonly DayResult[], count = WORST_DAYS): DayResult[] {
  return days
    .filter((d) => d.badEvents > 0)
    .sort((a, b) => b.badEvents - a.badEvents || (a.attainment ?? 1) - (b.attainment ?? 1) || a.day.localeCompare(b.day))
    .slice(0, count);
}


interface DaySums {
  selector: EventSelector;
  events: Record<string, number>;
  values: Record<string, number>;
  good: Record<string, number>;
}

/**
 * Folds the (selector_id, day) rows of both queries into one {@link SelectorSlotSums} per
 * selector, slotted by day. `selectors[selector_id]` is the selector (the queries number them
 * the same way); a row with an unknown id is ignored.
 */
export function selectorDaySums(selectors: readonly EventSelector[], sums: readonly Row[], good: readonly Row[]): SelectorSlotSums[] {
  const byId = new Map<number, DaySums>();
  const slot = (row: Row): { s: DaySums; day: string } | undefined => {
    const id = numberOf(row.selector_id);
    const selector = selectors[id];
    if (selector === undefined) return undefined;
    let s = byId.get(id);
    if (!s) byId.set(id, (s = { selector, events: {}, values: {}, good: {} }));
    return { s, day: dayLabel(numberOf(row.day_ms)) };
  };
  for (const row of sums) {
    const at = slot(row);
    if (!at) continue;
    at.s.events[at.day] = (at.s.events[at.day] ?? 0) + numberOf(row.events);
    at.s.values[at.day] = (at.s.values[at.day] ?? 0) + numberOf(row.value_sum);
  }
  for (const row of good) {
    const at = slot(row);
    if (at) at.s.good[at.day] = (at.s.good[at.day] ?? 0) + numberOf(row.good);
  }
  return [...byId.values()];
}
