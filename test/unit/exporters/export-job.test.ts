import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { exportJobName, runExportJob } from '../../../exporters/export-job';
import { FakeClock } from '../../../shared/clock';
import { readJobState } from '../../../sql/job-state';
import { MINUTE, openMemoryWarehouse, select } from '../aggregator/support';
import { RecordingExporter, seedMinutes, T0 } from './support';

describe('the exporter stage (exporters/export-job.ts)', () => {
  let wh: DuckDbWarehouse;
  beforeEach(async () => {
    wh = await openMemoryWarehouse();
  });
  afterEach(async () => {
    await wh.close();
  });

  it('sends each closed minute once, in order, with counts as deltas, gauges as last value and timings flattened', async () => {
    // Rolled up as of T0+6min: the watermark is T0+5:50, so minutes up to 10:04 are closed (1 min grace).
    const now = T0 + 6 * MINUTE;
    await seedMinutes(wh, 5, now);
    const exporter = new RecordingExporter('datadog', 100);
    const clock = new FakeClock(now);
    const result = await runExportJob(wh, [exporter], { nowMs: now, clock, startAtMs: T0 });
    expect(result.closedUptoMs).toBe(T0 + 4 * MINUTE);
    expect(exporter.minutes()).toEqual([T0, T0 + MINUTE, T0 + 2 * MINUTE, T0 + 3 * MINUTE]);
    const first = exporter.batches[0]!.points;
    const byMetric = Object.fromEntries(first.map((p) => [p.metric, p]));
    expect(byMetric['product.wallet.spend.success']).toMatchObject({ type: 'count', value: 3, tags: { feature: 'chat' }, minuteMs: T0 });
    expect(byMetric['infra.pipeline.alerts.retry_waiting']).toMatchObject({ type: 'gauge', value: 0.5 });
    expect(byMetric['infra.pipeline.rollup.duration_ms.count']).toMatchObject({ type: 'count', value: 10 });
    expect(byMetric['infra.pipeline.rollup.duration_ms.sum']).toMatchObject({ type: 'count', value: 550 });
    expect(byMetric['infra.pipeline.rollup.duration_ms.min']!.value).toBe(10);
    expect(byMetric['infra.pipeline.rollup.duration_ms.max']!.value).toBe(100);
    // Nearest rank: p50 of 10…100 is the 5th value (50), p95 and p99 the 10th (100), each within 1%.
    expect(byMetric['infra.pipeline.rollup.duration_ms.p50']!.value).toBeCloseTo(50, -0.3);
    expect(Math.abs(byMetric['infra.pipeline.rollup.duration_ms.p99']!.value - 100)).toBeLessThan(1);
    expect(result.exporters[0]).toMatchObject({ minutes: 4, lastMinuteMs: T0 + 3 * MINUTE, cursorMs: T0 + 4 * MINUTE, error: null, behindMinutes: 0 });
    expect(result.exporters[0]!.lagMs).toBe(now - (T0 + 4 * MINUTE));

    // Run again at the same time: nothing new is closed, nothing is sent again.
    await runExportJob(wh, [exporter], { nowMs: now, clock });
    expect(exporter.batches).toHaveLength(4);
    expect((await readJobState(wh, exportJobName('datadog'))).watermarkMs).toBe(T0 + 4 * MINUTE);
  });

  it('cuts a minute into batches of the exporter\'s size and waits between requests for its rate limit', async () => {
    const now = T0 + 3 * MINUTE;
    await seedMinutes(wh, 1, now);
    const exporter = new RecordingExporter('gcp', 4);
    Object.assign(exporter, { requestsPerSecond: 2 });
    const clock = new FakeClock(now);
    await runExportJob(wh, [exporter], { nowMs: now, clock, startAtMs: T0 });
    // 1 count + 1 gauge + 7 timing points = 9 points: batches of 4, 4, 1.
    expect(exporter.batches.map((b) => b.points.length)).toEqual([4, 4, 1]);
    expect(exporter.batches.map((b) => b.index)).toEqual([0, 1, 2]);
    expect(clock.waits).toEqual([500, 500]);
  });

  it('retries a 429 after the server\'s Retry-After and a 503 with backoff, then goes on', async () => {
    const now = T0 + 3 * MINUTE;
    await seedMinutes(wh, 1, now);
    const exporter = new RecordingExporter('datadog', 100);
    exporter.script.push({ outcome: 'retry', status: 429, reason: 'slow down', retryAfterMs: 7_000 }, { outcome: 'retry', status: 503, reason: 'unavailable' });
    const clock = new FakeClock(now);
    const result = await runExportJob(wh, [exporter], { nowMs: now, clock, startAtMs: T0 });
    expect(clock.waits).toEqual([7_000, 1_000]);
    expect(result.exporters[0]).toMatchObject({ minutes: 1, retries: 2, requests: 3, error: null });
  });

  it('dead-letters a batch the provider rejects (4xx) into dead_letters with the reason, and moves on', async () => {
    const now = T0 + 4 * MINUTE;
    await seedMinutes(wh, 2, now);
    const exporter = new RecordingExporter('datadog', 100);
    exporter.script.push({ outcome: 'rejected', status: 400, reason: 'Datadog answered 400: Payload too large' });
    const result = await runExportJob(wh, [exporter], { nowMs: now, clock: new FakeClock(now), startAtMs: T0 });
    expect(result.exporters[0]).toMatchObject({ minutes: 2, deadLettered: 1, cursorMs: T0 + 2 * MINUTE });
    const rows = await select(wh, `SELECT dead_letter_id, scope, reason_codes, CAST(reasons AS VARCHAR) AS reasons, raw_payload FROM {{dead_letters}}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ dead_letter_id: `export:datadog:${T0}:0`, scope: 'export', reason_codes: 'export_datadog_400' });
    expect(String(rows[0]!.reasons)).toContain('Payload too large');
    expect(String(rows[0]!.raw_payload)).toContain('product.wallet.spend.success');
  });

  it('keeps the cursor on a minute whose batch still fails after every retry, records the error, and resumes there', async () => {
    const now = T0 + 4 * MINUTE;
    await seedMinutes(wh, 2, now);
    const exporter = new RecordingExporter('prometheus', 100);
    for (let i = 0; i < 5; i++) exporter.script.push({ outcome: 'retry', status: 500, reason: 'Pushgateway answered 500' });
    const clock = new FakeClock(now);
    const failed = await runExportJob(wh, [exporter], { nowMs: now, clock, startAtMs: T0 });
    expect(failed.exporters[0]!.error).toMatch(/still failing after 5 attempts: Pushgateway answered 500/);
    expect(failed.exporters[0]).toMatchObject({ minutes: 0, cursorMs: T0, behindMinutes: 2, lastMinuteMs: null });
    const state = await readJobState(wh, exportJobName('prometheus'));
    expect(state.watermarkMs).toBe(T0);
    expect((state.lastResult as { lastError: string }).lastError).toMatch(/Pushgateway answered 500/);

    const again = await runExportJob(wh, [exporter], { nowMs: now + MINUTE, clock });
    expect(again.exporters[0]).toMatchObject({ minutes: 2, error: null, cursorMs: T0 + 2 * MINUTE });
    // Five failed attempts at the first minute, then both minutes once.
    expect(exporter.minutes()).toEqual([T0, T0, T0, T0, T0, T0, T0 + MINUTE]);
    expect((await readJobState(wh, exportJobName('prometheus'))).lastResult).toMatchObject({ lastError: null });
  });

  it('keeps one cursor per exporter: a provider that is down holds back only itself', async () => {
    const now = T0 + 4 * MINUTE;
    await seedMinutes(wh, 2, now);
    const up = new RecordingExporter('datadog', 100);
    const down = new RecordingExporter('gcp', 100);
    for (let i = 0; i < 5; i++) down.script.push({ outcome: 'retry', status: 503, reason: 'down' });
    const result = await runExportJob(wh, [down, up], { nowMs: now, clock: new FakeClock(now), startAtMs: T0 });
    expect(result.exporters.map((e) => [e.exporter, e.minutes, e.error === null])).toEqual([
      ['gcp', 0, false],
      ['datadog', 2, true],
    ]);
  });

  it('exports every minute exactly once across a run stopped mid-minute and a restart (by cursor)', async () => {
    const now = T0 + 9 * MINUTE;
    await seedMinutes(wh, 7, now);
    const exported: number[] = [];
    const exporter = new RecordingExporter('gcp', 4);
    // The process "dies" in the middle of the fourth minute: its second batch throws out of the run.
    let sent = 0;
    const send = exporter.send.bind(exporter);
    exporter.send = (batch) => {
      if (++sent === 3 * 3 + 2) throw new Error('killed');
      return send(batch);
    };
    const clock = new FakeClock(now);
    const first = await runExportJob(wh, [exporter], { nowMs: now, clock, startAtMs: T0, onMinuteExported: (_e, m) => void exported.push(m) });
    expect(first.exporters[0]!.error).toMatch(/killed/);
    expect(exported).toEqual([T0, T0 + MINUTE, T0 + 2 * MINUTE]);
    expect((await readJobState(wh, exportJobName('gcp'))).watermarkMs).toBe(T0 + 3 * MINUTE);

    await runExportJob(wh, [exporter], { nowMs: now, clock, onMinuteExported: (_e, m) => void exported.push(m) });
    expect(exported).toEqual([0, 1, 2, 3, 4, 5, 6].map((m) => T0 + m * MINUTE));
    // The minute cut short was sent again from its first batch: only its one batch that went out before the stop repeats.
    const batchesOfMinute3 = exporter.batches.filter((b) => b.minuteMs === T0 + 3 * MINUTE).map((b) => b.index);
    expect(batchesOfMinute3).toEqual([0, 0, 1, 2]);
  });
});
