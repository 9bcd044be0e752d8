/**
 * The example queries of docs/ANALYSTS.md (sql/queries/analysts.ts), run on DuckDB over data the
 * real pipeline produced: three hours of traffic stored with insertEvents (redeliveries included),
 * rolled up and turned into SLO statuses by the aggregator's jobs at two moments. Every answer is
 * checked against the same events counted here in plain TypeScript — percentiles, budgets and
 * failure counts are computed from the raw events, not from the rollups.
 */
import { runAggregation } from '../../../aggregator/aggregate';
import { SLOS } from '../../../shared/slo-catalogue';
import {
  analystsErrorBudgetRemaining,
  analystsIncidentMinuteEvents,
  analystsP95LatencyByEndpoint,
  analystsPipelineDeadLettersPerHour,
  analystsPipelineIngestLag,
  analystsTopFailures,
} from '../../../sql/queries/analysts';
import { analystsRawCallsPerMinute, analystsRawLatencyPercentiles } from '../../../sql/queries/analysts-raw-events';
import { IngestHandler } from '../../../ingest';
import { silentIngestLog } from '../../../ingest/ingest-log';
import { mergePerInterval, single, type Call } from '../../support/merge-calls';
import { defineQuery } from '../../../sql/dialect';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { EventRow, Row } from '../../../sql/warehouse';
import { event, HOUR, MINUTE, normal, openMemoryWarehouse, rng } from '../aggregator/support';

const T0 = Date.UTC(2026, 10, 26, 9, 0); // three hours of traffic: [T0, T0 + 3 h)
const END = T0 + 3 * HOUR;
const FIRST_RUN = T0 + 90 * MINUTE + 30_000; // the aggregator runs at 10:30:30 …
const SECOND_RUN = END + 30_000; // … and at 12:00:30

// ── The traffic ──────────────────────────────────────────────────────────────────────────────
const LATENCY = 'infra.http.request.latency_ms';

function traffic(): EventRow[] {
  const random = rng(421);
  const rows: EventRow[] = [];
  const lognormal = (medianMs: number, sigma: number) => Math.round(Math.exp(Math.log(medianMs) + sigma * normal(random)) * 1000) / 1000;
  for (let m = 0; m < 180; m++) {
    const t = T0 + m * MINUTE;
    const at = (k: number) => t + 500 + k * 997; // distinct times within the minute
    let k = 0;
    // Latency: /api/feed from two tiers and two methods (four series, merged per endpoint),
    // /api/wallet slower in the second hour, /api/ping always 0 ms (the zero bucket).
    for (let i = 0; i < 6; i++) {
      const tags = { tier: i % 2 ? 'core' : 'secondary', endpoint: '/api/feed', method: i % 3 ? 'GET' : 'POST', status_class: '2xx' };
      rows.push(event(LATENCY, 'timing', lognormal(120, 0.5), at(k++), tags));
    }
    for (let i = 0; i < 3; i++) {
      const slow = m >= 60 && m < 120;
      rows.push(event(LATENCY, 'timing', lognormal(slow ? 700 : 250, 0.4), at(k++), { tier: 'core', endpoint: '/api/wallet', method: 'POST', status_class: '2xx' }));
    }
    rows.push(event(LATENCY, 'timing', 0, at(k++), { tier: 'core', endpoint: '/api/ping', method: 'GET', status_class: '2xx' }));
    // Core API requests, with a burst of 5xx in 10:40–10:50.
    const errors = m >= 100 && m < 110 ? 8 : random() < 0.02 ? 1 : 0;
    rows.push(event('infra.http.request.count', 'count', 50 - errors, at(k++), { tier: 'core', endpoint: '/api/feed', method: 'GET', status_class: '2xx' }));
    if (errors > 0) {
      rows.push(event('infra.http.request.count', 'count', errors, at(k++), { tier: 'core', endpoint: '/api/feed', method: 'GET', status_class: '5xx' }));
      rows.push(event('infra.http.request.error.count', 'count', errors, at(k++), { tier: 'core', endpoint: '/api/feed', method: 'GET', status_class: '5xx', error_code: 'unavailable' }));
    }
    // Wallet spends by feature, failures with reasons.
    for (const feature of ['chat', 'gift']) {
      rows.push(event('product.wallet.spend.success', 'count', feature === 'chat' ? 4 : 2, at(k++), { feature }));
      if (random() < (feature === 'gift' ? 0.2 : 0.1)) {
        rows.push(event('product.wallet.spend.failed', 'count', 1 + Math.floor(random() * 3), at(k++), { feature, reason: random() < 0.7 ? 'declined' : 'timeout' }));
      }
    }
    // Calls; a failure counter that reports 0 now and then (counted as no failure).
    rows.push(event('product.call.connected.count', 'count', 3, at(k++), { call_type: 'video' }));
    if (random() < 0.15) rows.push(event('product.call.failed.count', 'count', 1, at(k++), { call_type: 'video', reason: 'ice' }));
    if (m % 30 === 0) rows.push(event('product.call.failed.count', 'count', 0, at(k++), { call_type: 'audio', reason: 'none' }));
    if (random() < 0.08) rows.push(event('product.chat.message.failed', 'count', 1, at(k++), { channel: 'dm', reason: 'offline' }));
  }
  return rows;
}

/**
 * The pipeline's own metrics as app/pipeline-metrics.ts reports them: per 10 s report interval, the
 * messages handled, the worst ingest lag (a timing), and now and then dead letters by reason; the
 * lag is much worse in 11:10–11:20. A random source of its own, so the traffic above stays as it was.
 */
const PIPELINE_REASONS = ['invalid_json', 'tag_not_allowed', 'unknown_metric'];
function pipelineTraffic(): EventRow[] {
  const random = rng(11);
  const rows: EventRow[] = [];
  for (let t = T0; t < END; t += 10_000) {
    const at = t + 3_000;
    const slow = t >= T0 + 130 * MINUTE && t < T0 + 140 * MINUTE;
    rows.push(event('infra.pipeline.ingest.message.count', 'count', 20 + Math.floor(random() * 40), at));
    rows.push(event('infra.pipeline.ingest.lag_ms', 'timing', Math.round(Math.exp(Math.log(slow ? 45_000 : 800) + 0.6 * normal(random))), at + 1));
    if (random() < 0.05) {
      const reason = PIPELINE_REASONS[Math.floor(random() * PIPELINE_REASONS.length)] as string;
      rows.push(event('infra.pipeline.ingest.dead_letter.count', 'count', 1 + Math.floor(random() * 3), at + 2, { reason }));
    }
  }
  return rows;
}

// ── The independent computation ────────────────────────────────────────────────────────────
/** γ and the bucket maths of docs/ANALYSTS.md, written out here rather than imported. */
const GAMMA = (1 + 0.01) / (1 - 0.01);
const bucketOf = (v: number) => (v <= 0 ? null : Math.ceil(Math.log(v) / Math.log(GAMMA)));
const reportedValue = (v: number) => {
  const b = bucketOf(v);
  return b === null ? 0 : (2 * Math.pow(GAMMA, b)) / (GAMMA + 1);
};
const tagsOf = (row: EventRow) => JSON.parse(row.tags) as Record<string, string>;
const sum = (rows: readonly EventRow[]) => rows.reduce((n, r) => n + r.value, 0);
/** Code-point order, as SQL sorts strings (localeCompare would not). */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const relativeError = (a: number, b: number) => (b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b));

describe('analysts’ example queries (sql/queries/analysts.ts) on data from the real pipeline', () => {
  let warehouse: DuckDbWarehouse;
  const events = [...traffic(), ...pipelineTraffic()];

  beforeAll(async () => {
    warehouse = await openMemoryWarehouse();
    // Stored in batches as ingest would; a tenth of the events is delivered a second time.
    for (let i = 0; i < events.length; i += 500) await warehouse.insertEvents(events.slice(i, i + 500));
    const redelivered = events.filter((_, i) => i % 10 === 3);
    expect(await warehouse.insertEvents(redelivered)).toEqual({ inserted: 0, duplicates: redelivered.length });
    await runAggregation(warehouse, FIRST_RUN);
    await runAggregation(warehouse, SECOND_RUN);
  });
  afterAll(() => warehouse.close());

  describe('p95 latency per endpoint per hour', () => {
    it('equals the bucket value of the exact nearest-rank p95 of every endpoint-hour, within 1% of the exact p95', async () => {
      const rows = await warehouse.query(analystsP95LatencyByEndpoint, { from_ms: T0, to_ms: END });
      const groups = new Map<string, number[]>();
      for (const e of events.filter((r) => r.name === LATENCY)) {
        const key = `${tagsOf(e).endpoint}|${Math.floor(e.event_ts_ms / HOUR) * HOUR}`;
        groups.set(key, [...(groups.get(key) ?? []), e.value]);
      }
      const expected = [...groups.entries()]
        .map(([key, values]) => {
          const [endpoint, hour] = key.split('|') as [string, string];
          const sorted = [...values].sort((a, b) => a - b);
          const exact = sorted[Math.ceil((95 * sorted.length) / 100) - 1] as number;
          return { endpoint, hour_start_ms: Number(hour), requests: values.length, exact };
        })
        .sort((a, b) => cmp(a.endpoint, b.endpoint) || a.hour_start_ms - b.hour_start_ms);

      expect(rows.map(({ endpoint, hour_start_ms, requests }) => ({ endpoint, hour_start_ms, requests }))).toEqual(
        expected.map(({ endpoint, hour_start_ms, requests }) => ({ endpoint, hour_start_ms, requests })),
      );
      expected.forEach((want, i) => {
        const got = rows[i]?.p95_ms as number;
        expect(relativeError(got, reportedValue(want.exact))).toBeLessThan(1e-12);
        expect(relativeError(got, want.exact)).toBeLessThanOrEqual(0.01);
      });
      // The data has the shape the query should show: /api/wallet slow in its second hour, /api/ping 0 ms.
      const p95 = (endpoint: string, hour: number) => rows.find((r) => r.endpoint === endpoint && r.hour_start_ms === T0 + hour * HOUR)?.p95_ms as number;
      expect(p95('/api/wallet', 1)).toBeGreaterThan(2 * p95('/api/wallet', 0));
      expect(p95('/api/ping', 2)).toBe(0);
    });

    it('returns only the hours of the requested range', async () => {
      const rows = await warehouse.query(analystsP95LatencyByEndpoint, { from_ms: T0 + HOUR, to_ms: T0 + 2 * HOUR });
      expect(new Set(rows.map((r) => r.hour_start_ms))).toEqual(new Set([T0 + HOUR]));
      expect(rows.map((r) => r.endpoint)).toEqual(['/api/feed', '/api/ping', '/api/wallet']);
    });
  });

  describe('error budget remaining per SLO', () => {
    /** A latency SLI's good event: its bucket lies wholly at or under the threshold (upper bound γ^i ≤ maxMs). */
    const fastEnough = (v: number, maxMs: number) => {
      const b = bucketOf(v);
      return b === null || Math.pow(GAMMA, b) <= maxMs;
    };

    /** The budget of one SLO from the raw events before `endMs`, by the definitions in docs/SLOS.md. */
    function expectedBudget(sloId: string, endMs: number) {
      const before = events.filter((e) => e.event_ts_ms < endMs);
      const named = (name: string, where: Record<string, string> = {}) =>
        before.filter((e) => e.name === name && Object.entries(where).every(([k, v]) => tagsOf(e)[k] === v));
      let total: number;
      let bad: number;
      if (sloId === 'core-api-availability') {
        total = sum(named('infra.http.request.count', { tier: 'core' }));
        bad = sum(named('infra.http.request.count', { tier: 'core', status_class: '5xx' }));
      } else if (sloId === 'wallet-spend-success') {
        total = sum(named('product.wallet.spend.success')) + sum(named('product.wallet.spend.failed'));
        bad = sum(named('product.wallet.spend.failed'));
      } else if (sloId === 'call-connection') {
        total = sum(named('product.call.connected.count')) + sum(named('product.call.failed.count'));
        bad = sum(named('product.call.failed.count'));
      } else if (sloId === 'api-latency') {
        const latencies = named(LATENCY);
        total = latencies.length;
        bad = latencies.filter((e) => !fastEnough(e.value, 500)).length;
      } else if (sloId === 'chat-delivery') {
        // Undelivered messages count as bad (this traffic has failures and no timed deliveries).
        const delivered = named('product.chat.delivery.latency_ms');
        total = delivered.length + sum(named('product.chat.message.failed'));
        bad = total - delivered.filter((e) => fastEnough(e.value, 60_000)).length;
      } else {
        return null; // no traffic for this SLO
      }
      const objective = SLOS.find((s) => s.id === sloId)!.objective;
      const remaining = 1 - bad / ((1 - objective) * total);
      return { total, remaining, attainment: (total - bad) / total, minutes: remaining * (1 - objective) * 30 * 24 * 60 };
    }

    it.each([
      ['the second run, as of its own time', SECOND_RUN, SECOND_RUN, END],
      ['the first run, as of half an hour later (the newest row then)', FIRST_RUN + 30 * MINUTE, FIRST_RUN, T0 + 90 * MINUTE],
    ])('reports, for %s, every SLO’s remaining budget as computed from the events', async (_label, atMs, computedAtMs, endMs) => {
      const rows = await warehouse.query(analystsErrorBudgetRemaining, { at_ms: atMs });
      expect(rows.map((r) => r.slo_id)).toEqual(SLOS.map((s) => s.id).sort());
      for (const row of rows) {
        expect(row.computed_at_ms).toBe(computedAtMs);
        const want = expectedBudget(row.slo_id as string, endMs);
        if (want === null) {
          expect(row).toMatchObject({ total_events: 0, budget_remaining: null, attainment: null, status: 'no_data' });
          continue;
        }
        expect(row.total_events).toBe(want.total);
        expect(row.attainment as number).toBeCloseTo(want.attainment, 12);
        expect(row.budget_remaining as number).toBeCloseTo(want.remaining, 9);
        if (row.slo_id === 'core-api-availability') expect(row.budget_minutes_remaining as number).toBeCloseTo(want.minutes, 6);
      }
      // The 5xx burst of 10:40–10:50 is in the second run only, and shows in the core API's budget.
      const core = rows.find((r) => r.slo_id === 'core-api-availability')!;
      if (computedAtMs === SECOND_RUN) expect(core.budget_remaining as number).toBeLessThan(0);
      else expect(core.budget_remaining as number).toBeGreaterThan(0);
    });

    it('finds nothing when no SLO was computed in the day before @at_ms', async () => {
      expect(await warehouse.query(analystsErrorBudgetRemaining, { at_ms: FIRST_RUN - 1 })).toEqual([]);
      expect(await warehouse.query(analystsErrorBudgetRemaining, { at_ms: SECOND_RUN + 24 * HOUR })).toEqual([]);
    });
  });

  describe('top failing features', () => {
    const MODULE_OF: Record<string, string> = {
      'infra.http.request.error.count': 'infrastructure',
      'product.wallet.spend.failed': 'wallet',
      'product.call.failed.count': 'calls',
      'product.chat.message.failed': 'chat',
    };

    function expectedFailures(fromMs: number, toMs: number): Row[] {
      const groups = new Map<string, { module: string; metric: string; feature: string | null; reason: string | null; failures: number; events: number; last_failure_ms: number }>();
      for (const e of events) {
        const module = MODULE_OF[e.name];
        if (module === undefined || e.event_ts_ms < fromMs || e.event_ts_ms >= toMs) continue;
        const tags = tagsOf(e);
        const feature = tags.feature ?? null;
        const reason = tags.reason ?? tags.error_code ?? null;
        const key = JSON.stringify([e.name, feature, reason]);
        const g = groups.get(key) ?? { module, metric: e.name, feature, reason, failures: 0, events: 0, last_failure_ms: 0 };
        g.failures += e.value;
        g.events += 1;
        g.last_failure_ms = Math.max(g.last_failure_ms, e.event_ts_ms);
        groups.set(key, g);
      }
      const text = (s: string | null) => s ?? '\uffff'; // NULLs last
      return [...groups.values()]
        .filter((g) => g.failures > 0)
        .sort(
          (a, b) =>
            b.failures - a.failures ||
            cmp(a.module, b.module) ||
            cmp(a.metric, b.metric) ||
            cmp(text(a.feature), text(b.feature)) ||
            cmp(text(a.reason), text(b.reason)),
        );
    }

    it.each([
      ['the whole three hours', T0, END],
      ['10:15–11:45 (minute-aligned bounds are exact)', T0 + 75 * MINUTE, T0 + 165 * MINUTE],
    ])('counts failures by module, metric, feature and reason over %s, most first', async (_label, fromMs, toMs) => {
      const rows = await warehouse.query(analystsTopFailures, { from_ms: fromMs, to_ms: toMs });
      expect(rows).toEqual(expectedFailures(fromMs, toMs));
      expect(rows.some((r) => r.reason === 'unavailable' && r.module === 'infrastructure')).toBe(true);
      expect(rows.some((r) => r.reason === 'none')).toBe(false); // a counter that only ever reported 0
    });
  });

  describe('the event log of one minute of an incident', () => {
    const MINUTE_OF_INCIDENT = T0 + 104 * MINUTE; // inside the 5xx burst
    const expectedLog = (prefix: string) =>
      events
        .filter((e) => e.event_ts_ms >= MINUTE_OF_INCIDENT && e.event_ts_ms < MINUTE_OF_INCIDENT + MINUTE && e.name.startsWith(prefix))
        .sort((a, b) => a.event_ts_ms - b.event_ts_ms || cmp(a.event_id, b.event_id))
        .map((e) => ({ event_id: e.event_id, event_ts_ms: e.event_ts_ms, name: e.name, kind: e.kind, value: e.value, tags: tagsOf(e), ingest_ts_ms: e.ingest_ts_ms }));
    const log = async (wh: DuckDbWarehouse, prefix: string) =>
      (await wh.query(analystsIncidentMinuteEvents, { minute_ms: MINUTE_OF_INCIDENT, name_prefix: prefix })).map((r) => ({
        event_id: r.event_id,
        event_ts_ms: r.event_ts_ms,
        name: r.name,
        kind: r.kind,
        value: r.value,
        tags: JSON.parse(r.tags as string) as unknown,
        ingest_ts_ms: r.ingest_ts_ms,
      }));

    it.each([
      ['every event', ''],
      ['the wallet’s events', 'product.wallet.'],
    ])('lists %s of the minute once each, in event-time order', async (_label, prefix) => {
      const want = expectedLog(prefix);
      expect(want.length).toBeGreaterThan(prefix === '' ? 15 : 1);
      expect(await log(warehouse, prefix)).toEqual(want);
    });

    it('keeps the first stored copy of an event stored twice, as BigQuery can (the table has no key there)', async () => {
      const wh = await openMemoryWarehouse();
      try {
        await wh.insertEvents(events.filter((e) => e.event_ts_ms >= MINUTE_OF_INCIDENT - MINUTE && e.event_ts_ms < MINUTE_OF_INCIDENT + 2 * MINUTE));
        // Recreate metric_events without its DuckDB key, and store a late redelivery of every event.
        const run = (sql: string) => wh.execute(defineQuery('test', sql));
        await run('CREATE TABLE events_unkeyed AS SELECT * FROM metric_events');
        await run('DROP TABLE metric_events');
        await run('ALTER TABLE events_unkeyed RENAME TO metric_events');
        await run(`INSERT INTO metric_events SELECT * REPLACE (ingest_ts + INTERVAL 5 MINUTE AS ingest_ts, 'redelivery' AS message_id) FROM metric_events`);
        const [copies] = await wh.query(defineQuery('test', 'SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS ids FROM {{metric_events}}'));
        expect(copies!.n).toBe(2 * (copies!.ids as number));

        const rows = await wh.query(analystsIncidentMinuteEvents, { minute_ms: MINUTE_OF_INCIDENT, name_prefix: '' });
        expect(rows.every((r) => r.message_id !== 'redelivery')).toBe(true);
        expect(await log(wh, '')).toEqual(expectedLog(''));
      } finally {
        await wh.close();
      }
    });
  });
  describe('the pipeline’s own metrics', () => {
    const hourOf = (ms: number) => Math.floor(ms / HOUR) * HOUR;
    const pipelineEvents = (name: string) => events.filter((e) => e.name === `infra.pipeline.${name}`);

    it('counts the dead letters per hour and reason, beside the messages of the hour', async () => {
      const rows = await warehouse.query(analystsPipelineDeadLettersPerHour, { from_ms: T0, to_ms: END });
      const messages = new Map<number, number>();
      for (const e of pipelineEvents('ingest.message.count')) messages.set(hourOf(e.event_ts_ms), (messages.get(hourOf(e.event_ts_ms)) ?? 0) + e.value);
      const dead = new Map<string, number>();
      for (const e of pipelineEvents('ingest.dead_letter.count')) {
        const key = `${hourOf(e.event_ts_ms)}|${tagsOf(e).reason}`;
        dead.set(key, (dead.get(key) ?? 0) + e.value);
      }
      const expected = [...dead.entries()]
        .map(([key, n]) => {
          const [hour, reason] = key.split('|') as [string, string];
          return { hour_start_ms: Number(hour), reason, dead_letters: n, messages: messages.get(Number(hour)) };
        })
        .sort((a, b) => a.hour_start_ms - b.hour_start_ms || b.dead_letters - a.dead_letters || cmp(a.reason, b.reason));
      expect(expected.length).toBeGreaterThan(3);
      expect(rows).toEqual(expected);
    });

    it('returns only the hours of the requested range', async () => {
      const rows = await warehouse.query(analystsPipelineDeadLettersPerHour, { from_ms: T0 + HOUR, to_ms: T0 + 2 * HOUR });
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.hour_start_ms))).toEqual(new Set([T0 + HOUR]));
    });

    it('reports the ingest lag p95 and maximum per hour as the bucket values of the exact ones, within 1%', async () => {
      const rows = await warehouse.query(analystsPipelineIngestLag, { from_ms: T0, to_ms: END });
      const byHour = new Map<number, number[]>();
      for (const e of pipelineEvents('ingest.lag_ms')) byHour.set(hourOf(e.event_ts_ms), [...(byHour.get(hourOf(e.event_ts_ms)) ?? []), e.value]);
      expect(rows.map((r) => [r.hour_start_ms, r.reports])).toEqual([...byHour.entries()].map(([hour, lags]) => [hour, lags.length]));
      for (const row of rows) {
        const sorted = [...byHour.get(row.hour_start_ms as number)!].sort((a, b) => a - b);
        const p95 = sorted[Math.ceil((95 * sorted.length) / 100) - 1] as number;
        const max = sorted[sorted.length - 1] as number;
        expect(relativeError(row.p95_lag_ms as number, reportedValue(p95))).toBeLessThan(1e-12);
        expect(relativeError(row.p95_lag_ms as number, p95)).toBeLessThanOrEqual(0.01);
        expect(relativeError(row.max_lag_ms as number, reportedValue(max))).toBeLessThan(1e-12);
      }
      // The slow ten minutes of 11:10–11:20 show in their hour's p95, not in the others.
      const p95 = (hour: number) => rows.find((r) => r.hour_start_ms === T0 + hour * HOUR)?.p95_lag_ms as number;
      expect(p95(2)).toBeGreaterThan(10 * p95(0));
      expect(p95(1)).toBeLessThan(5_000);
    });
  });
});

describe('analysts’ queries over raw events of both shapes (issue #18: single and merged)', () => {
  // Two hours of calls of one timing and one count metric, in bursts; half stored one by one,
  // half merged per series per second (as an aggregating emitter sends them), through ingest.
  const START = T0;
  const random = rng(18);
  const calls: Call[] = [];
  for (let b = 0; b < 300; b++) {
    const timing = random() < 0.6;
    const name = timing ? 'infra.http.request.latency_ms' : 'infra.http.request.count';
    const tags = { tier: random() < 0.5 ? 'core' : 'secondary', endpoint: '/api/feed' };
    let ts = START + Math.floor(random() * 2 * HOUR);
    for (let i = 0, n = 1 + Math.floor(random() * 40); i < n; i++) {
      ts += Math.floor(random() * 80);
      const value = timing ? (random() < 0.02 ? 0 : Math.round(Math.exp(4 + 0.7 * normal(random)) * 10) / 10) : 1 + Math.floor(random() * 3);
      calls.push({ id: `r${String(calls.length).padStart(6, '0')}`, name, kind: timing ? 'timing' : 'count', value, ts, tags });
    }
  }
  const inRange = calls.filter((c) => c.ts < START + 2 * HOUR);
  const half = (c: Call) => Number(c.id.slice(1)) % 2 === 0;
  const events = [...inRange.filter(half).map(single), ...mergePerInterval(inRange.filter((c) => !half(c)), 1_000)];

  let warehouse: DuckDbWarehouse;
  beforeAll(async () => {
    warehouse = await openMemoryWarehouse();
    const handler = new IngestHandler({ warehouse, now: () => START + 2 * HOUR, log: silentIngestLog });
    for (let i = 0; i < events.length; i += 1_000) {
      const summary = await handler.handle({ id: `raw-${i}`, data: JSON.stringify({ schema: 'metrics.v1', source: { service: 'test', environment: 'test' }, events: events.slice(i, i + 1_000) }) });
      expect(summary.deadLettered).toBe(0);
    }
  });
  afterAll(() => warehouse.close());

  it('counts calls, not rows, per minute, and totals their values', async () => {
    expect(events.length).toBeLessThan(inRange.length * 0.75); // merging happened
    for (const name of ['infra.http.request.latency_ms', 'infra.http.request.count']) {
      const rows = await warehouse.query(analystsRawCallsPerMinute, { name, from_ms: START, to_ms: START + 2 * HOUR });
      const expected = new Map<number, { events: number; calls: number; total: number }>();
      for (const e of events.filter((x) => x.name === name)) {
        const minute = Math.floor(e.ts / MINUTE) * MINUTE;
        const entry = expected.get(minute) ?? { events: 0, calls: 0, total: 0 };
        entry.events += 1;
        expected.set(minute, entry);
      }
      for (const c of inRange.filter((x) => x.name === name)) {
        const entry = expected.get(Math.floor(c.ts / MINUTE) * MINUTE) as { calls: number; total: number };
        entry.calls += 1;
        entry.total += c.value;
      }
      expect(rows.map((r) => [r.minute_ms, r.events, r.calls])).toEqual([...expected.entries()].sort((a, b) => a[0] - b[0]).map(([m, e]) => [m, e.events, e.calls]));
      for (const row of rows) expect(relativeError(row.value_total as number, expected.get(row.minute_ms as number)!.total)).toBeLessThan(1e-9);
    }
  });

  it('reads p50, p95 and p99 from single and merged timings alike, the bucket values of the exact ones, within 1%', async () => {
    const [row] = await warehouse.query(analystsRawLatencyPercentiles, { name: 'infra.http.request.latency_ms', from_ms: START, to_ms: START + 2 * HOUR });
    const values = inRange.filter((c) => c.kind === 'timing').map((c) => c.value).sort((a, b) => a - b);
    expect(row?.calls).toBe(values.length);
    for (const [column, p] of [['p50_ms', 50], ['p95_ms', 95], ['p99_ms', 99]] as const) {
      const exact = values[Math.ceil((p * values.length) / 100) - 1] as number;
      expect(relativeError(row?.[column] as number, reportedValue(exact))).toBeLessThan(1e-12);
      expect(relativeError(row?.[column] as number, exact)).toBeLessThanOrEqual(0.01);
    }
  });

  it('answers with zero calls and no percentiles when the metric has no events in the range', async () => {
    expect(await warehouse.query(analystsRawLatencyPercentiles, { name: 'infra.http.request.latency_ms', from_ms: START - HOUR, to_ms: START })).toEqual([{ calls: 0, p50_ms: null, p95_ms: null, p99_ms: null }]);
  });
});
