import { componentUsd } from '../../../aggregator/cost/cost-model';
import { costReport, monthBounds } from '../../../aggregator/cost/cost-report';
import { loadConfig } from '../../../shared';
import { PRICES } from '../../../shared/prices';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { EventRow } from '../../../sql/warehouse';
import { event, openMemoryWarehouse } from './support';

/**
 * The cost report on a DuckDB warehouse holding known events: what it counts per metric and module
 * is checked against BigQuery's data-size rule applied here by hand, row by row.
 */

const NOV = Date.UTC(2026, 10, 1);
const DEC = Date.UTC(2026, 11, 1);
const DAY = 86_400_000;
const retention = loadConfig({}).retention;

/** BigQuery's data size of an event row as ingest stores it: STRING/JSON 2 + UTF-8 bytes, numbers and timestamps 8, NULL 0. */
const s = (v: string | null | undefined) => (v === null || v === undefined ? 0 : 2 + Buffer.byteLength(v));
const n = (v: number | null | undefined) => (v === null || v === undefined ? 0 : 8);

/** The columns the minute recompute reads: all but service, environment, message_id and start_ts. */
function recomputeBytes(e: EventRow): number {
  return (
    s(e.event_id) + s(e.name) + s(e.kind) + 8 /* value */ + 8 /* event_ts */ + 8 /* ingest_ts */ + s(e.series_key) + s(e.tags) +
    n(e.call_count) + n(e.value_min) + n(e.value_max) + n(e.last_value) + s(e.histogram) + n(e.value_sum)
  );
}

function rowBytes(e: EventRow): number {
  return recomputeBytes(e) + s(e.service) + s(e.environment) + s(e.message_id) + n(e.start_ts_ms);
}

const withMessage = (row: EventRow, message: string): EventRow => ({ ...row, message_id: message });

const inNovember: EventRow[] = [
  withMessage(event('product.wallet.spend.success', 'count', 1, NOV + 2 * DAY, { feature: 'chat' }, { id: 'w1' }), 'm1'),
  withMessage(event('product.wallet.spend.success', 'count', 1, NOV + 2 * DAY + 1000, { feature: 'chat' }, { id: 'w2' }), 'm1'),
  // A merged event: 40 calls of one series (issue #18).
  { ...withMessage(event('product.chat.message.count', 'count', 40, NOV + 10 * DAY, { channel: 'direct', message_type: 'text' }, { id: 'c1' }), 'm2'), call_count: 40, value_min: 1, value_max: 1, last_value: 1, start_ts_ms: NOV + 10 * DAY - 500 },
  withMessage(event('product.chat.message.count', 'count', 1, DEC - 1, { channel: 'direct', message_type: 'text' }, { id: 'c2' }), 'm3'),
  // Not in the catalogue: its module is "unknown".
  withMessage(event('custom.team.thing', 'count', 1, NOV + 3 * DAY, {}, { id: 'x1' }), 'm4'),
];
const outside: EventRow[] = [
  event('product.wallet.spend.success', 'count', 1, NOV - 1, { feature: 'chat' }, { id: 'oct' }),
  event('product.wallet.spend.success', 'count', 1, DEC, { feature: 'chat' }, { id: 'dec' }),
];

describe('obs cost: the report on a DuckDB warehouse with known events (aggregator/cost/cost-report.ts)', () => {
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    wh = await openMemoryWarehouse();
    await wh.insertEvents([...inNovember, ...outside]);
  });
  afterAll(() => wh.close());

  const report = (month = '2026-11', nowMs = DEC + DAY, writeApi: 'storage' | 'insert-all' = 'storage') => costReport(wh, { month, nowMs, writeApi, retention, prices: PRICES });

  it('counts the events of the month only, with the calls merged events stand for, per metric and per module', async () => {
    const r = await report();
    expect(r.usage.events).toBe(5);
    expect(r.usage.calls).toBe(44);
    const byName = Object.fromEntries(r.metrics.map((m) => [m.name, m]));
    expect(Object.keys(byName).sort()).toEqual(['custom.team.thing', 'product.chat.message.count', 'product.wallet.spend.success']);
    const wallet = inNovember.filter((e) => e.name === 'product.wallet.spend.success');
    const chat = inNovember.filter((e) => e.name === 'product.chat.message.count');
    expect(byName['product.wallet.spend.success']).toMatchObject({ module: 'wallet', events: 2, calls: 2, rowBytes: wallet.reduce((s, e) => s + rowBytes(e), 0), insertAllBytes: 2 * 1024 });
    expect(byName['product.chat.message.count']).toMatchObject({ module: 'chat', events: 2, calls: 41, rowBytes: chat.reduce((s, e) => s + rowBytes(e), 0) });
    expect(byName['custom.team.thing']?.module).toBe('unknown');
    expect(r.modules.map((m) => m.module).sort()).toEqual(['chat', 'unknown', 'wallet']);
    expect(r.usage.rowBytes).toBe(inNovember.reduce((s, e) => s + rowBytes(e), 0));
    // Every row is under 1 KB: insertAll bills 1,024 bytes each.
    expect(r.usage.insertAllBytes).toBe(5 * 1024);
    expect(r.usage.messages).toBe(4);
    // Each message is under Pub/Sub's 1,000-byte request minimum.
    expect(r.usage.messageBilledBytes).toBe(4 * 1000);
    expect(r.usage.messageBytes).toBeGreaterThan(0);
    expect(r.usage.messageBytes).toBeLessThan(4 * 1000);
  });

  it('--month bounds: the first millisecond of the month is in, the first of the next is out; October has its one event', async () => {
    expect(monthBounds('2026-11')).toEqual({ fromMs: NOV, toMs: DEC });
    expect(monthBounds('2026-12')).toEqual({ fromMs: DEC, toMs: Date.UTC(2027, 0, 1) });
    const october = await report('2026-10');
    expect(october.usage.events).toBe(1);
    const december = await report('2026-12', Date.UTC(2026, 11, 15));
    expect(december.usage.events).toBe(1);
    expect(december.inProgress).toBe(true);
    expect(december.untilMs).toBe(Date.UTC(2026, 11, 15));
    for (const bad of ['2026-13', '2026-1', 'November', '2026-00']) expect(() => monthBounds(bad)).toThrow(/--month must be YYYY-MM/);
  });

  it('the month in progress counts only up to now: an event later in the month is not yet there', async () => {
    const midMonth = await report('2026-11', NOV + 5 * DAY);
    expect(midMonth.usage.events).toBe(3); // w1, w2, x1; c1 (day 10) and c2 (the last ms) are after now
  });

  it('prices the same usage through both write paths side by side; insertAll costs more for small rows', async () => {
    const storage = await report('2026-11', DEC + DAY, 'storage');
    const insertAll = await report('2026-11', DEC + DAY, 'insert-all');
    expect(storage.priced.writeApi).toBe('storage');
    expect(storage.alternative.writeApi).toBe('insert-all');
    expect(componentUsd(storage.alternative, 'ingest')).toBeCloseTo(componentUsd(insertAll.priced, 'ingest'), 12);
    expect(componentUsd(insertAll.priced, 'ingest')).toBeCloseTo((5 * 1024 / 1024 ** 3) * 0.05, 12);
    expect(componentUsd(storage.priced, 'ingest')).toBeCloseTo((storage.usage.rowBytes / 1024 ** 3) * 0.025, 12);
    // The per-metric shares add up to the attributed components (everything but the scan floor and the rollup tables' storage).
    const attributed = storage.metrics.reduce((s, m) => s + m.listUsd, 0);
    expect(attributed).toBeLessThan(storage.priced.listUsd);
    expect(attributed).toBeGreaterThan(componentUsd(storage.priced, 'ingest') + componentUsd(storage.priced, 'pubsub'));
  });

  it('storage: November\'s events stored for the rest of the month (90-day retention), in GiB-months of their data size', async () => {
    const r = await report();
    const events = r.storage.find((t) => t.table === 'metric_events')!;
    // Each row is stored from its day (partition) to the end of November; October's row all month.
    const month = DEC - NOV;
    const dayOf = (ms: number) => Math.floor(ms / DAY) * DAY;
    const expected = [...inNovember, outside[0]!].reduce((s, e) => s + (rowBytes(e) * (DEC - Math.max(NOV, dayOf(e.event_ts_ms)))) / month, 0);
    expect(events.activeByteMonths).toBeCloseTo(expected, 6);
    expect(events.longTermByteMonths).toBe(0);
  });

  it('says what making the report read: the stored rows its storage queries cover, the month\'s events twice more, and the recompute\'s columns of them once more', async () => {
    const r = await report();
    const november = inNovember.reduce((sum, e) => sum + rowBytes(e), 0);
    const recomputed = inNovember.reduce((sum, e) => sum + recomputeBytes(e), 0);
    expect(r.reportReadBytes).toBe(november + rowBytes(outside[0]!) + 2 * november + recomputed);
  });

  it('prices the minute recompute by the columns it reads (not service, environment, message_id, start_ts), from the month\'s events', async () => {
    const r = await report();
    const recomputed = inNovember.reduce((sum, e) => sum + recomputeBytes(e), 0);
    expect(r.scans.recomputeColumnBytes).toBe(recomputed);
    expect(recomputed).toBeLessThan(r.usage.rowBytes);
    // Every day of November past: 1,440 runs reading each hour partition so far (30.5 times its
    // bytes), then the script's two MERGEs reading the temporary table (2 runs × 2 reads).
    expect(r.scans.recomputeBytes).toBeCloseTo(recomputed * (30.5 + 4), 6);
  });

  it('an empty month costs only the scan floor of the jobs that run every minute', async () => {
    const r = await report('2025-01', DEC);
    expect(r.usage.events).toBe(0);
    expect(r.metrics).toEqual([]);
    expect(r.scans.recomputeBytes).toBe(0);
    expect(r.scans.floorBytes).toBe(31 * 1440 * r.scans.tableReferencesPerMinute * 10 * 1024 * 1024);
    expect(r.priced.listUsdPerMillionCalls).toBeNull();
  });
});
