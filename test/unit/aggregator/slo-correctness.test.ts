/**
 * The SLO pipeline end to end against an independent computation: a month of events with known
 * patterns (a full core-API outage, a slow week, a quiet night with almost no traffic) goes
 * through insertEvents → the incremental rollups → the SLO job's SQL; the same events are counted
 * here in plain TypeScript, minute by minute, and attainment, budgets, burn rates, exhaustion and
 * status must agree. It also measures the latency SLIs' bucket-boundary error against the exact
 * thresholds (docs/SLOS.md).
 */
import { runRollupJob } from '../../../aggregator/rollup-job';
import { runSloJob } from '../../../aggregator/slo-job';
import { buildMonthlyReport } from '../../../aggregator/slo-report';
import type { SloStatus } from '../../../aggregator/slo-status';
import { bucketIndex, HISTOGRAM_GAMMA } from '../../../shared/histogram';
import { getMetric } from '../../../shared/metric-catalogue';
import { SLOS, type EventSelector, type SloSpec } from '../../../shared/slo-catalogue';
import { BURN_WINDOWS } from '../../../shared/time-windows';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { EventRow } from '../../../sql/warehouse';
import { DAY, event, MINUTE, normal, openMemoryWarehouse, rng, select } from './support';

const MONTH_START = Date.UTC(2026, 10, 1); // November 2026
const MINUTES = 30 * 24 * 60;
const OUTAGE = { from: Date.UTC(2026, 10, 10, 14, 0), to: Date.UTC(2026, 10, 10, 14, 25) };
const SLOW_WEEK = { from: Date.UTC(2026, 10, 16), to: Date.UTC(2026, 10, 23) };
const QUIET_NIGHT = { from: Date.UTC(2026, 10, 25, 1, 0), to: Date.UTC(2026, 10, 25, 5, 0) };
const inside = (t: number, r: { from: number; to: number }) => t >= r.from && t < r.to;

/** A month of traffic, a few events a minute. */
function month(): EventRow[] {
  const random = rng(2026);
  const rows: EventRow[] = [];
  for (let m = 0; m < MINUTES; m++) {
    const t = MONTH_START + m * MINUTE;
    if (inside(t, QUIET_NIGHT)) {
      // Almost nothing: one failed core request at 03:00 (3 of 5 requests fail), nothing else.
      if (t === Date.UTC(2026, 10, 25, 3, 0)) {
        rows.push(event('infra.http.request.count', 'count', 2, t + 5_000, { tier: 'core', status_class: '2xx', endpoint: '/api/feed' }));
        rows.push(event('infra.http.request.count', 'count', 3, t + 6_000, { tier: 'core', status_class: '5xx', endpoint: '/api/feed' }));
      }
      continue;
    }
    const hour = new Date(t).getUTCHours();
    const load = hour >= 7 && hour < 23 ? 100 : 30;
    const ts = (offsetMs: number) => t + offsetMs;
    const outage = inside(t, OUTAGE);
    const slow = inside(t, SLOW_WEEK);
    // Core API: a full outage is all 5xx; otherwise a rare error.
    const coreErrors = outage ? load : random() < 0.02 ? 1 : 0;
    if (load - coreErrors > 0) rows.push(event('infra.http.request.count', 'count', load - coreErrors, ts(1_000), { tier: 'core', status_class: '2xx', endpoint: '/api/feed' }));
    if (coreErrors > 0) rows.push(event('infra.http.request.count', 'count', coreErrors, ts(2_000), { tier: 'core', status_class: '5xx', endpoint: '/api/feed' }));
    if (m % 2 === 0) {
      const secondaryErrors = random() < 0.1 ? 1 : 0;
      rows.push(event('infra.http.request.count', 'count', 40 - secondaryErrors, ts(3_000), { tier: 'secondary', status_class: '2xx', endpoint: '/api/search' }));
      if (secondaryErrors) rows.push(event('infra.http.request.count', 'count', secondaryErrors, ts(3_500), { tier: 'secondary', status_class: '5xx', endpoint: '/api/search' }));
    }
    // API latency: log-normal around 150 ms; in the slow week around 420 ms (p95 well over 500).
    const latency = Math.exp(Math.log(slow ? 420 : 150) + 0.35 * normal(random));
    rows.push(event('infra.http.request.latency_ms', 'timing', Math.round(latency * 1000) / 1000, ts(4_000), { tier: 'core', endpoint: '/api/feed' }));
    // Wallet spends: 10 a minute, a failure now and then, many during the outage.
    rows.push(event('product.wallet.spend.success', 'count', 10, ts(5_000), { feature: 'chat' }));
    if (outage || random() < 0.004) rows.push(event('product.wallet.spend.failed', 'count', outage ? 3 : 1, ts(6_000), { feature: 'chat', reason: 'declined' }));
    // Chat: a timed delivery every other minute, an undelivered message now and then.
    if (m % 2 === 1) rows.push(event('product.chat.delivery.latency_ms', 'timing', Math.round(Math.exp(7 + 0.8 * normal(random))), ts(7_000), { channel: 'dm' }));
    if (random() < 0.003) rows.push(event('product.chat.message.failed', 'count', 1, ts(8_000), { channel: 'dm', reason: 'offline' }));
    // Calls: 5 connected a minute, failures more often in the slow week.
    rows.push(event('product.call.connected.count', 'count', 5, ts(9_000), { call_type: 'video' }));
    if (random() < (slow ? 0.5 : 0.05)) rows.push(event('product.call.failed.count', 'count', 1, ts(10_000), { call_type: 'video', reason: 'ice' }));
    // AI responses: every third minute, around 1.2 s, slower in the slow week.
    if (m % 3 === 0) rows.push(event('product.ai.response.latency_ms', 'timing', Math.round(Math.exp(Math.log(slow ? 2_400 : 1_200) + 0.3 * normal(random))), ts(11_000), { companion_type: 'friend', model: 'large' }));
  }
  return rows;
}

// ── The independent computation ────────────────────────────────────────────────────────────
const LN_GAMMA = Math.log(HISTOGRAM_GAMMA);
/** Last good bucket: the largest i with γ^i ≤ maxMs (computed here without the aggregator). */
const lastGoodBucket = (maxMs: number) => {
  let i = Math.floor(Math.log(maxMs) / LN_GAMMA);
  while (Math.pow(HISTOGRAM_GAMMA, i + 1) <= maxMs) i++;
  while (Math.pow(HISTOGRAM_GAMMA, i) > maxMs) i--;
  return i;
};

function contribution(selector: EventSelector, e: EventRow, exactThreshold: boolean): number {
  if (e.name !== selector.metric) return 0;
  const tags = JSON.parse(e.tags) as Record<string, string>;
  for (const [k, v] of Object.entries(selector.where ?? {})) if (tags[k] !== v) return 0;
  if (selector.maxMs !== undefined) {
    const good = exactThreshold ? e.value <= selector.maxMs : bucketIndex(e.value) <= lastGoodBucket(selector.maxMs);
    return good ? 1 : 0;
  }
  return getMetric(selector.metric).kind === 'count' ? e.value : 1;
}

/** Per SLO: good and total events per minute of the month. */
function perMinute(events: readonly EventRow[], exactThreshold = false): Map<string, { good: Float64Array; total: Float64Array }> {
  const out = new Map<string, { good: Float64Array; total: Float64Array }>();
  for (const slo of SLOS) {
    const good = new Float64Array(MINUTES);
    const total = new Float64Array(MINUTES);
    for (const e of events) {
      const m = Math.floor((e.event_ts_ms - MONTH_START) / MINUTE);
      const t = slo.sli.total.reduce((n, s) => n + contribution(s, e, exactThreshold), 0);
      if (t === 0) continue;
      total[m]! += t;
      if (slo.sli.good) good[m]! += slo.sli.good.reduce((n, s) => n + contribution(s, e, exactThreshold), 0);
      else good[m]! += t - slo.sli.bad!.reduce((n, s) => n + contribution(s, e, exactThreshold), 0);
    }
    out.set(slo.id, { good, total });
  }
  return out;
}

function windowSums(series: { good: Float64Array; total: Float64Array }, endMs: number, seconds: number) {
  let good = 0;
  let total = 0;
  const from = Math.max(0, (endMs - seconds * 1000 - MONTH_START) / MINUTE);
  const to = Math.min(MINUTES, (endMs - MONTH_START) / MINUTE);
  for (let m = from; m < to; m++) {
    good += series.good[m]!;
    total += series.total[m]!;
  }
  return { good, total };
}

interface Expected {
  attainment: number | null;
  remaining: number | null;
  minutesRemaining: number | null;
  burn: Record<string, number | null>;
  exhaustion: number | null;
  status: string;
}

function expected(slo: SloSpec, series: { good: Float64Array; total: Float64Array }, nowMs: number): Expected & { good: number; total: number } {
  const endMs = Math.floor(nowMs / MINUTE) * MINUTE;
  const { good, total } = windowSums(series, endMs, slo.windowDays * 86_400);
  const allowed = (1 - slo.objective) * total;
  const remaining = total === 0 ? null : 1 - (total - good) / allowed;
  const burn: Record<string, number | null> = {};
  for (const [w, seconds] of Object.entries(BURN_WINDOWS)) {
    const s = windowSums(series, endMs, seconds);
    burn[w] = s.total === 0 ? null : (s.total - s.good) / s.total / (1 - slo.objective);
  }
  const b1h = burn['1h'] ?? null;
  const exhaustion = remaining === null || b1h === null ? null : remaining <= 0 ? 0 : b1h > 0 ? (remaining * slo.windowDays * 24) / b1h : null;
  const status = remaining === null ? 'no_data' : remaining <= 0 ? 'exhausted' : remaining < 0.5 || (exhaustion !== null && exhaustion < 72) ? 'at_risk' : 'ok';
  return {
    good,
    total,
    attainment: total === 0 ? null : good / total,
    remaining,
    minutesRemaining: slo.category === 'availability' && remaining !== null ? remaining * (1 - slo.objective) * slo.windowDays * 1440 : null,
    burn,
    exhaustion,
    status,
  };
}

const close = (actual: number | null, wanted: number | null) => {
  if (wanted === null) expect(actual).toBeNull();
  else expect(actual).toBeCloseTo(wanted, Math.abs(wanted) > 100 ? 6 : 9);
};

describe('SLO attainment, budgets and burn rates over a month of events (SQL vs plain TypeScript)', () => {
  let wh: DuckDbWarehouse;
  let events: EventRow[];
  let minutes: Map<string, { good: Float64Array; total: Float64Array }>;

  beforeAll(async () => {
    events = month();
    minutes = perMinute(events);
    wh = await openMemoryWarehouse();
    // Ingest day by day and roll up after each day, as the scheduled job would (incrementally).
    // Events are stamped ingest_ts = event time + 1 s, so a run just after midnight sees the
    // day's events and, through the rescan overlap, also the next day's first seconds.
    for (let d = 0; d < 30; d++) {
      const from = MONTH_START + d * DAY;
      await wh.insertEvents(events.filter((e) => e.event_ts_ms >= from && e.event_ts_ms < from + DAY));
      await runRollupJob(wh, { nowMs: from + DAY + 20_000 });
    }
  });
  afterAll(() => wh.close());

  const moments: Array<[string, number]> = [
    ['the end of the month', Date.UTC(2026, 11, 1)],
    ['the middle of the core-API outage', Date.UTC(2026, 10, 10, 14, 20, 30)],
    ['the middle of the slow week, at an odd second', Date.UTC(2026, 10, 20, 13, 37, 42)],
    ['the quiet night, with no traffic in the short windows', Date.UTC(2026, 10, 25, 4, 30)],
    ['the first hour of the month', Date.UTC(2026, 10, 1, 0, 50)],
    ['before any data', Date.UTC(2026, 9, 15)],
  ];

  it.each(moments)('agrees with the independent computation at %s', async (_label, nowMs) => {
    const { statuses } = await runSloJob(wh, { nowMs, write: true });
    expect(statuses.map((s) => s.sloId)).toEqual(SLOS.map((s) => s.id));
    for (const status of statuses) {
      const slo = SLOS.find((s) => s.id === status.sloId)!;
      const want = expected(slo, minutes.get(slo.id)!, nowMs);
      expect({ id: status.sloId, good: status.goodEvents, total: status.totalEvents }).toEqual({ id: slo.id, good: want.good, total: want.total });
      close(status.attainment, want.attainment);
      close(status.budget.remaining, want.remaining);
      close(status.budget.minutesRemaining, want.minutesRemaining);
      for (const w of Object.keys(BURN_WINDOWS)) close(status.burnRates[w as keyof typeof BURN_WINDOWS], want.burn[w]!);
      close(status.exhaustionHours, want.exhaustion);
      expect({ id: status.sloId, status: status.status }).toEqual({ id: slo.id, status: want.status });
    }
  });

  const at = async (nowMs: number, id: string): Promise<SloStatus> => (await runSloJob(wh, { nowMs })).statuses.find((s) => s.sloId === id)!;

  it('shows the patterns: the outage burns the core budget fast, the slow week breaks API latency', async () => {
    const outage = await at(Date.UTC(2026, 10, 10, 14, 20), 'core-api-availability');
    expect(outage.burnRates['5m']).toBeCloseTo(1000, 6); // 100% errors against a 0.1% budget
    expect(outage.exhaustionHours).toBe(0);
    expect(outage.status).toBe('exhausted');
    const slowWeek = await at(Date.UTC(2026, 10, 22), 'api-latency');
    expect(slowWeek.burnRates['1d']!).toBeGreaterThan(5);
    expect(slowWeek.attainment!).toBeLessThan(0.95 + 0.05 * 0.9);
  });

  it('reports no data as null in the quiet night, never as 0% or 100%', async () => {
    const night = await at(Date.UTC(2026, 10, 25, 4, 30), 'core-api-availability');
    expect([night.burnRates['5m'], night.burnRates['30m'], night.burnRates['1h']]).toEqual([null, null, null]);
    expect(night.burnRates['2h']).toBeCloseTo(0.6 / 0.001, 6); // 3 of 5 requests failed at 03:00
    const rows = await select(wh, `SELECT attainment, status, CAST(burn_rates AS VARCHAR) AS burn_rates FROM {{slo_status}} WHERE slo_id = 'core-api-availability' AND computed_at = TIMESTAMP_MILLIS(${Date.UTC(2026, 9, 15)})`);
    expect(rows).toEqual([{ attainment: null, status: 'no_data', burn_rates: JSON.stringify({ '5m': null, '30m': null, '1h': null, '2h': null, '6h': null, '1d': null, '3d': null }) }]);
  });

  it('keeps the latency SLIs\' bucket-boundary error within the documented bound', () => {
    const exact = perMinute(events, true);
    for (const id of ['api-latency', 'chat-delivery', 'ai-response-latency']) {
      const viaBuckets = windowSums(minutes.get(id)!, MONTH_START + 30 * DAY, 30 * 86_400);
      const viaValues = windowSums(exact.get(id)!, MONTH_START + 30 * DAY, 30 * 86_400);
      // Conservative: never more good events than the exact rule, and only the ones in the slice
      // (γ^B, threshold] — under 2% of the threshold — are lost.
      expect(viaBuckets.good).toBeLessThanOrEqual(viaValues.good);
      const slo = SLOS.find((s) => s.id === id)!;
      const maxMs = slo.sli.good!.find((s) => s.maxMs !== undefined)!.maxMs!;
      const slice = events.filter((e) => e.name === slo.sli.good![0]!.metric && e.value > maxMs * (0.99 / 1.01) && e.value <= maxMs).length;
      expect(viaValues.good - viaBuckets.good).toBeLessThanOrEqual(slice);
    }
  });

  it('builds the monthly report from the daily rollups, matching the same events', async () => {
    const report = await buildMonthlyReport(wh, '2026-11');
    for (const s of report.slos) {
      const slo = SLOS.find((x) => x.id === s.sloId)!;
      const whole = windowSums(minutes.get(slo.id)!, MONTH_START + 30 * DAY, 30 * 86_400);
      expect({ id: s.sloId, good: s.goodEvents, total: s.totalEvents }).toEqual({ id: slo.id, good: whole.good, total: whole.total });
      close(s.attainment, whole.good / whole.total);
      close(s.budgetUsed, (whole.total - whole.good) / ((1 - slo.objective) * whole.total));
      expect(s.daysWithData).toBe(30);
    }
    const core = report.slos.find((s) => s.sloId === 'core-api-availability')!;
    expect(core.worstDays[0]!.day).toBe('2026-11-10'); // the outage
    expect(core.budgetMinutes).toBeCloseTo(43.2, 9);
    const latency = report.slos.find((s) => s.sloId === 'api-latency')!;
    expect(latency.met).toBe(false);
    expect(latency.worstDays.every((d) => d.day >= '2026-11-16' && d.day <= '2026-11-22')).toBe(true);
  });
});
