import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from '../../support/capture-io';
import { main } from '../../../cli/obs';
import { defineQuery } from '../../../sql/dialect';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { DAY, event, HOUR } from '../aggregator/support';

const AT = '2026-11-27T15:30:00Z';
const EVENTS_CUTOFF = Date.UTC(2026, 7, 29); // 90 days before 2026-11-27

async function countEvents(path: string): Promise<number> {
  const wh = await DuckDbWarehouse.open(path);
  try {
    const [row] = await wh.query<{ n: number }>(defineQuery('t', 'SELECT COUNT(*) AS n FROM {{metric_events}}'));
    return Number(row?.n);
  } finally {
    await wh.close();
  }
}

describe('obs retention apply', () => {
  let dir: string;
  const saved = { ...process.env };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obs-retention-cli-'));
    process.env = { ...saved, OBS_WAREHOUSE: 'duckdb', OBS_DUCKDB_PATH: join(dir, 'obs.duckdb') };
    for (const name of Object.keys(process.env)) if (name.startsWith('OBS_RETENTION_')) delete process.env[name];
    const wh = await DuckDbWarehouse.open(process.env.OBS_DUCKDB_PATH!);
    await wh.createSchema();
    await wh.insertEvents([
      event('infra.http.request.count', 'count', 1, EVENTS_CUTOFF - 3 * DAY, {}, { id: 'old-1' }),
      event('infra.http.request.count', 'count', 1, EVENTS_CUTOFF - 1, {}, { id: 'old-2' }),
      event('infra.http.request.count', 'count', 1, EVENTS_CUTOFF, {}, { id: 'at-cutoff' }),
      event('infra.http.request.count', 'count', 1, EVENTS_CUTOFF + 40 * DAY + HOUR, {}, { id: 'recent' }),
    ]);
    await wh.close();
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('--dry-run prints per table what it would remove and the cut-off, and removes nothing', async () => {
    const io = capture();
    expect(await main(['retention', 'apply', '--dry-run', '--at', AT], io)).toBe(0);
    expect(io.stdout).toContain('Retention on DuckDB as of 2026-11-27T15:30:00.000Z (dry run: nothing removed):');
    expect(io.stdout).toMatch(/metric_events\s+would remove 2 row\(s\) before 2026-08-29 \(90 days\)/);
    expect(io.stdout).toMatch(/dead_letters\s+would remove 0 row\(s\) before 2026-10-28 \(30 days\)/);
    expect(io.stdout).toMatch(/metric_rollups \(1m\)\s+would remove 0 row\(s\) before 2026-10-23 \(35 days\)/);
    expect(io.stdout).toMatch(/metric_histograms \(1h, 1d\)\s+would remove 0 row\(s\) before 2025-10-26 \(397 days\)/);
    // The change log's row of the two old events' write goes with them (ingest_ts before the same cut-off).
    expect(io.stdout).toMatch(/ingest_batches\s+would remove 1 row\(s\) before 2026-08-29 \(90 days\)/);
    expect(io.stdout).toContain('Would remove 3 row(s) in all.');
    expect(await countEvents(process.env.OBS_DUCKDB_PATH!)).toBe(4);
  });

  it('removes the rows past retention and says so; --json gives the same per table; OBS_RETENTION_EVENTS_DAYS moves the cut-off', async () => {
    const io = capture();
    expect(await main(['retention', 'apply', '--at', AT], io)).toBe(0);
    expect(io.stdout).toMatch(/metric_events\s+removed 2 row\(s\) before 2026-08-29 \(90 days\)/);
    expect(await countEvents(process.env.OBS_DUCKDB_PATH!)).toBe(2);

    process.env.OBS_RETENTION_EVENTS_DAYS = '60';
    const json = capture();
    expect(await main(['retention', 'apply', '--at', AT, '--json'], json)).toBe(0);
    const result = JSON.parse(json.stdout) as { dryRun: boolean; warehouse: string; tables: Array<{ table: string; label: string; rows: number; cutoff: string; variable: string; days: number }> };
    expect(result).toMatchObject({ dryRun: false, warehouse: 'duckdb' });
    expect(result.tables[0]).toEqual({ label: 'metric_events', table: 'metric_events', variable: 'OBS_RETENTION_EVENTS_DAYS', days: 60, cutoffMs: Date.UTC(2026, 8, 28), cutoff: '2026-09-28T00:00:00.000Z', method: 'delete', rows: 1 });
    expect(await countEvents(process.env.OBS_DUCKDB_PATH!)).toBe(1);
  });

  it.each([
    [['retention'], /missing sub-command: apply/],
    [['retention', 'purge'], /unknown sub-command "purge"; use apply/],
    [['retention', 'apply', '--force'], /Unknown option '--force'/],
    [['retention', 'apply', '--at', 'yesterday'], /yesterday/],
  ])('obs %j is a usage error (64)', async (args, message) => {
    const io = capture();
    expect(await main(args, io)).toBe(64);
    expect(io.stderr).toMatch(message);
    expect(io.stderr).toContain('usage: obs retention apply [--dry-run] [--at ISO] [--json]');
  });

  it('a bad OBS_RETENTION_* value is a configuration error (78) naming the variable', async () => {
    process.env.OBS_RETENTION_MINUTE_ROLLUPS_DAYS = 'forever';
    const io = capture();
    expect(await main(['retention', 'apply', '--dry-run'], io)).toBe(78);
    expect(io.stderr).toContain('OBS_RETENTION_MINUTE_ROLLUPS_DAYS="forever" must be a whole number of days');
  });

  it('obs rebuild refuses a range over days whose raw events retention removed (64), and rebuilds from the cut-off', async () => {
    const rebuild = ['rebuild', '--from', '2026-08-01T00:00:00Z', '--to', '2026-09-02T00:00:00Z', '--at', AT];
    // The raw events are all still there: the rebuild rolls them up (and removes again the minute
    // rows past the minute retention it recomputed: three minutes, 2026-08-26, 08-28 and 08-29).
    const before = capture();
    expect(await main(rebuild, before)).toBe(0);
    expect(before.stdout).toContain('Removed again 3 recomputed rollup row(s) older than their retention');

    expect(await main(['retention', 'apply', '--at', AT], capture())).toBe(0);
    const refused = capture();
    expect(await main(rebuild, refused)).toBe(64);
    expect(refused.stderr).toContain(
      'the range reaches 2026-08-26 … 2026-08-28 (2 days), whose raw events retention removed (days before 2026-08-29, OBS_RETENTION_EVENTS_DAYS=90)',
    );
    const ok = capture();
    expect(await main([...rebuild.slice(0, 2), '2026-08-29T00:00:00Z', ...rebuild.slice(3)], ok)).toBe(0);
    expect(ok.stdout).toContain('Removed again 1 recomputed rollup row(s) older than their retention');
  });
});
