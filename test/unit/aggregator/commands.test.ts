import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from '../../support/capture-io';
import { main } from '../../../cli/obs';
import { createPipelineJobs } from '../../../app/jobs';
import { scheduledNowMs } from '../../../functions/schedule';
import { jsonLinesLogger } from '../../../shared/logger';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { event, HOUR, MINUTE, openMemoryWarehouse } from './support';

const T0 = Date.UTC(2026, 10, 3, 9, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

describe('obs aggregate, obs slo and obs rebuild', () => {
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obs-agg-cli-'));
    process.env.OBS_WAREHOUSE = 'duckdb';
    process.env.OBS_DUCKDB_PATH = join(dir, 'obs.duckdb');
    const wh = await DuckDbWarehouse.open(process.env.OBS_DUCKDB_PATH);
    await wh.createSchema();
    const rows = [];
    for (let m = 0; m < 120; m++) {
      rows.push(event('infra.http.request.count', 'count', 99, T0 + m * MINUTE, { tier: 'core', status_class: '2xx' }));
      rows.push(event('infra.http.request.count', 'count', m === 30 ? 10 : 0, T0 + m * MINUTE + 1, { tier: 'core', status_class: '5xx' }));
      rows.push(event('infra.http.request.latency_ms', 'timing', 100 + m, T0 + m * MINUTE + 2, { tier: 'core' }));
    }
    await wh.insertEvents(rows);
    await wh.close();
  });
  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('obs aggregate --at runs the rollups and the SLOs as of that time', async () => {
    const io = capture();
    expect(await main(['aggregate', '--at', iso(T0 + 3 * HOUR)], io)).toBe(0);
    expect(io.stdout).toContain('Rollups: 360 new events');
    expect(io.stdout).toMatch(/core-api-availability\s+99\.900%\s+99\.916%/);
    expect(io.stdout).toMatch(/secondary-api-availability .* no data .* no_data/);
  });

  it('obs slo status --json reports null (not NaN) without data, and the burn rates per window', async () => {
    const io = capture();
    expect(await main(['slo', 'status', '--at', iso(T0 + 3 * HOUR), '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout) as { statuses: Array<{ sloId: string; attainment: number | null; burnRates: Record<string, number | null>; status: string }> };
    const core = out.statuses.find((s) => s.sloId === 'core-api-availability')!;
    expect(core.attainment).toBeCloseTo(11_880 / 11_890, 12);
    expect(core.burnRates['5m']).toBeNull(); // no traffic in the last 5 minutes before 12:00
    expect(core.burnRates['6h']).toBeCloseTo(10 / 11_890 / (1 - 0.999), 9);
    expect(out.statuses.find((s) => s.sloId === 'wallet-spend-success')).toMatchObject({ attainment: null, status: 'no_data' });
  });

  it('obs slo report writes Markdown, CSV and JSON for a month', async () => {
    const md = capture();
    expect(await main(['slo', 'report', '--month', '2026-11'], md)).toBe(0);
    expect(md.stdout).toContain('# SLO compliance report — 2026-11');
    expect(md.stdout).toMatch(/\| Core API availability \(`core-api-availability`\) \| 99\.900% \| 99\.916% \| yes \|/);
    expect(md.stdout).toContain('2026-11-03: 99.92%, 10 bad');
    const csv = capture();
    expect(await main(['slo', 'report', '--month', '2026-11', '--format', 'csv'], csv)).toBe(0);
    const [header, first] = csv.stdout.split('\r\n');
    expect(header).toBe('month,slo_id,name,category,objective,good_events,total_events,bad_events,attainment,met,budget_allowed,budget_used,budget_minutes,budget_minutes_used,days_with_data,worst_days');
    expect(first).toMatch(/^2026-11,core-api-availability,Core API availability,availability,0\.999,11880,11890,10,/);
    const json = capture();
    expect(await main(['slo', 'report', '--month', '2026-11', '--json'], json)).toBe(0);
    expect((JSON.parse(json.stdout) as { slos: unknown[] }).slos).toHaveLength(7);
  });

  it('obs rebuild recomputes whole days and leaves the same numbers', async () => {
    const io = capture();
    expect(await main(['rebuild', '--from', iso(T0), '--to', iso(T0 + HOUR), '--at', iso(T0 + 4 * HOUR)], io)).toBe(0);
    expect(io.stdout).toContain('Rebuilt the rollups of 2026-11-03T00:00:00.000Z to 2026-11-04T00:00:00.000Z');
    const after = capture();
    await main(['slo', 'status', '--at', iso(T0 + 3 * HOUR), '--json'], after);
    const core = (JSON.parse(after.stdout) as { statuses: Array<{ sloId: string; attainment: number }> }).statuses.find((s) => s.sloId === 'core-api-availability')!;
    expect(core.attainment).toBeCloseTo(11_880 / 11_890, 12);
  });

  it.each([
    [['aggregate', '--at', 'yesterday'], /not an ISO-8601 time/],
    [['rebuild', '--from', '2026-11-03T00:00:00Z'], /--from and --to are required/],
    [['rebuild', '--from', '2026-11-03T00:00:00Z', '--to', '2026-11-02T00:00:00Z'], /--to must be after --from/],
    [['slo'], /subcommand is required/],
    [['slo', 'report', '--month', '2026-13'], /not a month/],
    [['slo', 'report', '--month', '2026-11', '--format', 'xml'], /--format must be one of md, csv, json/],
    [['slo', 'status', '--bogus'], /Unknown option/],
  ])('obs %j is a usage error (exit 64)', async (args, message) => {
    const io = capture();
    expect(await main(args, io)).toBe(64);
    expect(io.stderr).toMatch(message);
    expect(io.stderr).toContain('usage: obs');
  });
});

describe('the scheduled handlers (index.ts onSchedule)', () => {
  it('use the schedule time as "now", and the clock only for a manual run', () => {
    expect(scheduledNowMs({ scheduleTime: '2026-11-03T09:01:00Z' }, () => 1)).toBe(Date.UTC(2026, 10, 3, 9, 1));
    expect(scheduledNowMs({ scheduleTime: 'garbage' }, () => 42)).toBe(42);
    expect(scheduledNowMs({}, () => 7)).toBe(7);
  });

  it('run the rollups and the SLO job on the injected warehouse and log one line each', async () => {
    const wh = await openMemoryWarehouse();
    try {
      await wh.insertEvents([event('product.wallet.spend.success', 'count', 5, T0, {})]);
      const lines: string[] = [];
      const jobs = createPipelineJobs({
        warehouse: () => Promise.resolve(wh),
        logger: jsonLinesLogger({}, (l) => void lines.push(l)),
        alertRuntime: () => {
          throw new Error('no alerts here');
        },
      });
      const nowMs = scheduledNowMs({ scheduleTime: iso(T0 + MINUTE) }, () => 0);
      const rollups = await jobs.runRollups(nowMs);
      expect(rollups.newEvents).toBe(1);
      const slos = await jobs.runSlos(nowMs);
      expect(slos.written).toBe(true);
      expect(slos.statuses.find((s) => s.sloId === 'wallet-spend-success')?.attainment).toBe(1);
      expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(['rollups done', 'slo statuses written']);
    } finally {
      await wh.close();
    }
  });
});
