import { runRollupJob } from '../../../aggregator/rollup-job';
import { computeSloStatuses } from '../../../aggregator/slo-job';
import { buildMonthlyReport, type SloMonthResult } from '../../../aggregator/slo-report';
import { reportMarkdown } from '../../../aggregator/slo-report-format';
import type { SloStatus } from '../../../aggregator/slo-status';
import { mergeSpans } from '../../../aggregator/slo-exclusions';
import { storeMaintenanceSource } from '../../../maintenance/store-source';
import { parseRecurrence } from '../../../maintenance/recurrence';
import { WarehouseMaintenanceStore } from '../../../maintenance/warehouse-maintenance-store';
import { createMaintenanceWindow, expandWindows, type MaintenanceWindow } from '../../../maintenance/window';
import { getMetric, isMetricName } from '../../../shared/metric-catalogue';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { EventRow } from '../../../sql/warehouse';
import { DAY, event, HOUR, MINUTE, normal, openMemoryWarehouse, rng } from '../../unit/aggregator/support';

/**
 * Issue #16, done when: "a maintenance window excluded from budgets gives the same attainment as
 * removing its events". Four days of traffic with outages inside maintenance windows go through
 * the real pipeline twice — warehouse A with every event and the windows stored in its
 * maintenance_windows table; warehouse B where the events of those windows (the module's metrics,
 * in the windows' minutes) were never ingested and no window is stored — and the SLO job's counts,
 * attainment, budgets and burn rates of every SLO, over every lookback, must be equal, exactly.
 */
const START = Date.UTC(2026, 10, 20);
const END = START + 4 * DAY;
const CREATED = START - DAY;

const windows: MaintenanceWindow[] = [
  // An infrastructure outage inside a one-off window that starts mid-minute: minute 10:00 is excluded whole.
  createMaintenanceWindow({ module: 'infrastructure', title: 'Load balancer swap', excludeFromBudget: true, startsAtMs: START + 2 * DAY + 10 * HOUR + 30_000, endsAtMs: START + 2 * DAY + 12 * HOUR, recurrence: null, createdBy: 'ana' }, CREATED, 'mw-lb'),
  // Wallet failures every night 03:00–03:30 Berlin time (02:00Z in November), and a one-off window overlapping one of them.
  createMaintenanceWindow({ module: 'wallet', title: 'Nightly ledger compaction', excludeFromBudget: true, startsAtMs: START, endsAtMs: null, recurrence: parseRecurrence({ every: 'daily', time: '03:00', durationSeconds: 1800, tz: 'Europe/Berlin' }), createdBy: 'bo' }, CREATED, 'mw-ledger'),
  createMaintenanceWindow({ module: 'wallet', title: 'Provider upgrade', excludeFromBudget: true, startsAtMs: START + DAY + 2 * HOUR + 20 * MINUTE, endsAtMs: START + DAY + 3 * HOUR, recurrence: null, createdBy: 'bo' }, CREATED, 'mw-provider'),
  // Not excluded from budgets: changes nothing here.
  createMaintenanceWindow({ module: 'calls', title: 'TURN servers', excludeFromBudget: false, startsAtMs: START + 3 * DAY, endsAtMs: START + 3 * DAY + 6 * HOUR, recurrence: null, createdBy: 'cy' }, CREATED, 'mw-turn'),
];

/** Four days of traffic, with failures concentrated in the excluded windows. */
function traffic(): EventRow[] {
  const random = rng(16);
  const rows: EventRow[] = [];
  const infraOutage = (t: number) => t >= START + 2 * DAY + 10 * HOUR && t < START + 2 * DAY + 12 * HOUR + 5 * MINUTE;
  const walletNight = (t: number) => new Date(t).getUTCHours() === 2 && new Date(t).getUTCMinutes() < 45;
  for (let t = START; t < END; t += MINUTE) {
    const core = 20 + Math.floor(random() * 10);
    const coreErrors = infraOutage(t) ? Math.floor(core * 0.8) : random() < 0.05 ? 1 : 0;
    rows.push(event('infra.http.request.count', 'count', core - coreErrors, t + 5_000, { tier: 'core', status_class: '2xx', endpoint: '/api/feed' }));
    if (coreErrors > 0) rows.push(event('infra.http.request.count', 'count', coreErrors, t + 6_000, { tier: 'core', status_class: '5xx', endpoint: '/api/feed' }));
    rows.push(event('infra.http.request.latency_ms', 'timing', Math.round(Math.exp(Math.log(infraOutage(t) ? 900 : 150) + 0.4 * normal(random))), t + 7_000, { tier: 'core', endpoint: '/api/feed' }));
    rows.push(event('product.wallet.spend.success', 'count', 8, t + 8_000, { feature: 'chat' }));
    if (walletNight(t) || random() < 0.01) rows.push(event('product.wallet.spend.failed', 'count', walletNight(t) ? 4 : 1, t + 9_000, { feature: 'chat', reason: 'declined' }));
    rows.push(event('product.call.connected.count', 'count', 5, t + 10_000, { call_type: 'video' }));
    if (random() < 0.2) rows.push(event('product.call.failed.count', 'count', 1, t + 11_000, { call_type: 'video', reason: 'ice' }));
  }
  return rows;
}

/** The events a warehouse that never saw the excluded windows would hold: the module's metrics, in the windows' (whole) minutes, dropped. */
function withoutExcludedEvents(rows: readonly EventRow[]): EventRow[] {
  const spans = mergeSpans(expandWindows(windows, START - DAY, END + DAY).filter((o) => o.excludeFromBudget).map((o) => ({ module: o.module, startMs: Date.parse(o.startsAt), endMs: Date.parse(o.endsAt) })));
  return rows.filter((e) => {
    if (!isMetricName(e.name)) return true;
    return !(spans.get(getMetric(e.name).module) ?? []).some((s) => e.event_ts_ms >= Math.floor(s.startMs / MINUTE) * MINUTE && e.event_ts_ms < Math.ceil(s.endMs / MINUTE) * MINUTE);
  });
}

/** A status without the two figures that differ by design: the budget in minutes of the window with its excluded minutes, and the minutes themselves. */
const comparable = (s: SloStatus) => ({ ...s, budget: { ...s.budget, minutesTotal: undefined, minutesRemaining: undefined }, excludedMinutes: undefined });

describe('a maintenance window excluded from budgets gives the same attainment as removing its events', () => {
  let withWindows: DuckDbWarehouse;
  let neverIngested: DuckDbWarehouse;
  const events = traffic();
  const removed = withoutExcludedEvents(events);

  beforeAll(async () => {
    [withWindows, neverIngested] = await Promise.all([openMemoryWarehouse(), openMemoryWarehouse()]);
    for (let i = 0; i < events.length; i += 20_000) await withWindows.insertEvents(events.slice(i, i + 20_000));
    for (let i = 0; i < removed.length; i += 20_000) await neverIngested.insertEvents(removed.slice(i, i + 20_000));
    await Promise.all([runRollupJob(withWindows, { nowMs: END + HOUR }), runRollupJob(neverIngested, { nowMs: END + HOUR })]);
    const store = new WarehouseMaintenanceStore(withWindows);
    for (const w of windows) await store.save(w);
  }, 300_000);
  afterAll(() => Promise.all([withWindows.close(), neverIngested.close()]));

  it('the windows remove events of both excluded modules (the comparison is not empty)', () => {
    const dropped = events.length - removed.length;
    expect(dropped).toBeGreaterThan(0);
    const names = new Set(events.filter((e) => !removed.includes(e)).map((e) => e.name));
    expect([...names].sort()).toEqual(['infra.http.request.count', 'infra.http.request.latency_ms', 'product.wallet.spend.failed', 'product.wallet.spend.success']);
  });

  const ALL = ['core-api-availability', 'api-latency', 'wallet-spend-success'];
  it.each([
    ['at the end of the data', END, ALL],
    ['inside the infrastructure window, at an odd second (burn windows end inside it)', START + 2 * DAY + 11 * HOUR + 7 * MINUTE + 17_000, ALL],
    ['one minute into a nightly wallet window', START + 3 * DAY + 2 * HOUR + MINUTE, ALL],
    ['just after the overlapping wallet windows (before the infrastructure one)', START + DAY + 3 * HOUR + 2 * MINUTE, ['wallet-spend-success']],
  ])('every SLO, every lookback: equal counts, attainment, budget and burn rates %s', async (_label, nowMs, changed) => {
    const excluded = await computeSloStatuses(withWindows, nowMs); // windows from the warehouse's table (the default)
    const truth = await computeSloStatuses(neverIngested, nowMs, undefined, { maintenance: null });
    expect(excluded.map(comparable)).toEqual(truth.map(comparable));
    // …and the exclusion did something: without it, the SLOs of the modules with excluded minutes so far differ.
    const unexcluded = await computeSloStatuses(withWindows, nowMs, undefined, { maintenance: null });
    const differs = (id: string) => JSON.stringify(unexcluded.find((s) => s.sloId === id)!.windows) !== JSON.stringify(excluded.find((s) => s.sloId === id)!.windows);
    expect(excluded.filter((s) => differs(s.sloId)).map((s) => s.sloId).sort()).toEqual([...changed].sort());
  });

  it('an availability SLO\'s budget in minutes leaves out the excluded minutes', async () => {
    const [core] = (await computeSloStatuses(withWindows, END)).filter((s) => s.sloId === 'core-api-availability');
    // 10:00:30–12:00 excluded as whole minutes: 10:00–12:00, 120 minutes.
    expect(core!.excludedMinutes).toBe(120);
    expect(core!.budget.minutesTotal).toBeCloseTo((1 - core!.objective) * (30 * 1440 - 120), 9);
  });

  it('the windows read through a MaintenanceSource give the same statuses as the table', async () => {
    const fromTable = await computeSloStatuses(withWindows, END);
    const fromSource = await computeSloStatuses(withWindows, END, undefined, { maintenance: storeMaintenanceSource({ list: () => Promise.resolve(windows), save: () => Promise.reject(new Error('read only')), remove: () => Promise.reject(new Error('read only')) }) });
    expect(fromSource).toEqual(fromTable);
  });

  it('the monthly report: the same figures as without the events, and it lists the windows it left out', async () => {
    const report = await buildMonthlyReport(withWindows, '2026-11');
    const truth = await buildMonthlyReport(neverIngested, '2026-11', undefined, { maintenance: null });
    const figures = (s: SloMonthResult) => ({ ...s, budgetMinutes: undefined, budgetMinutesUsed: undefined, excludedMinutes: undefined });
    expect(report.slos.map(figures)).toEqual(truth.slos.map(figures));
    const core = report.slos.find((s) => s.sloId === 'core-api-availability')!;
    expect(core.excludedMinutes).toBe(120);
    expect(core.budgetMinutes).toBeCloseTo((1 - core.objective) * (30 * 1440 - 120), 9);
    // The nightly wallet window from the 20th (the window's first day) to the end of the month, the
    // provider upgrade, the load balancer swap; the calls window is not excluded from budgets.
    const listed = report.excludedWindows ?? [];
    expect(listed.filter((w) => w.title === 'Nightly ledger compaction')).toHaveLength(11);
    expect(listed.filter((w) => w.module !== 'wallet').map((w) => [w.module, w.title, w.minutes])).toEqual([['infrastructure', 'Load balancer swap', 120]]);
    expect(listed.some((w) => w.title === 'TURN servers')).toBe(false);
    const markdown = reportMarkdown(report);
    expect(markdown).toContain('## Maintenance windows excluded from budgets');
    expect(markdown).toContain('infrastructure: Load balancer swap — 2026-11-22T10:00:30.000Z to 2026-11-22T12:00:00.000Z (120 min in the month; `mw-lb@2026-11-22T10:00:30.000Z`)');
    expect(reportMarkdown(truth)).not.toContain('Maintenance windows');
  });
});
