import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { rollupChangedSpansScan } from '../../../sql/queries/rollup-incremental';

/**
 * Issue #13, done when: "`obs ingest --file` of 10 days of history followed by `obs aggregate`
 * gives the same SLO status as a rebuild". Before the change log, the incremental run only looked
 * at events less than seven days old (its late-data horizon), so three of the ten days were stored
 * and never rolled up.
 */
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const MINUTE = 60_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function obs(args: string[]): Promise<string> {
  const io = capture();
  const code = await main(args, io);
  if (code !== 0) throw new Error(`obs ${args.join(' ')} exited ${code}: ${io.stderr}`);
  return io.stdout;
}

interface Line {
  id: string;
  name: string;
  kind: 'count';
  value: number;
  ts: number;
  tags: Record<string, string>;
}

/**
 * Wallet spends and core-API requests every 10 minutes from `fromMs` to `toMs`; the oldest three
 * days fail far more often, so leaving them out changes the SLO numbers (and the status).
 */
function history(fromMs: number, toMs: number, prefix: string): Line[] {
  const lines: Line[] = [];
  let i = 0;
  for (let ts = fromMs; ts < toMs; ts += 10 * MINUTE) {
    const bad = ts < NOW - 7 * DAY ? 3 : 0;
    lines.push({ id: `${prefix}${i++}`, name: 'product.wallet.spend.success', kind: 'count', value: 20, ts, tags: { feature: 'chat' } });
    if (bad > 0 || i % 50 === 0) lines.push({ id: `${prefix}${i++}`, name: 'product.wallet.spend.failed', kind: 'count', value: Math.max(bad, 1), ts: ts + 1_000, tags: { feature: 'chat', reason: 'declined' } });
    lines.push({ id: `${prefix}${i++}`, name: 'infra.http.request.count', kind: 'count', value: 100, ts: ts + 2_000, tags: { tier: 'core', endpoint: '/api/feed', status_class: '2xx' } });
    if (bad > 0) lines.push({ id: `${prefix}${i++}`, name: 'infra.http.request.count', kind: 'count', value: bad, ts: ts + 3_000, tags: { tier: 'core', endpoint: '/api/feed', status_class: '5xx' } });
  }
  return lines;
}

describe('obs ingest --file of 10 days of history, then obs aggregate (issue #13)', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'obs-history-'));
    process.env.OBS_WAREHOUSE = 'duckdb';
    process.env.OBS_DUCKDB_PATH = join(dir, 'obs.duckdb');
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same SLO status as a rebuild, the days older than seven included; importing the file again gives the job no work', async () => {
    // A running system: live traffic, rolled up (the job has a watermark and trusts the change log).
    const live = join(dir, 'live.ndjson');
    writeFileSync(live, history(NOW - 2 * 3_600_000, NOW - 30 * MINUTE, 'live').map((l) => JSON.stringify(l)).join('\n') + '\n');
    await obs(['ingest', '--file', live, '--service', 'api', '--environment', 'prod', '--at', iso(NOW - 30 * MINUTE)]);
    await obs(['aggregate', '--at', iso(NOW - 20 * MINUTE)]);

    // Ten days of history, imported now.
    const lines = history(NOW - 10 * DAY, NOW - 2 * 3_600_000, 'h');
    const file = join(dir, 'history.ndjson');
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const imported = JSON.parse(await obs(['ingest', '--file', file, '--service', 'api', '--environment', 'prod', '--at', iso(NOW), '--json'])) as { stored: number; rebuildNeeded: unknown };
    expect(imported).toMatchObject({ stored: lines.length, rebuildNeeded: null }); // the next run sees them

    // The old change detection would have missed every event older than its seven-day horizon.
    const wh = await DuckDbWarehouse.open(join(dir, 'obs.duckdb'));
    try {
      const scanned = await wh.query<{ events: number }>(rollupChangedSpansScan, { horizon_ms: NOW - 10_000 + 5 * MINUTE - 7 * DAY, after_ms: NOW - MINUTE, upto_ms: NOW + 5 * MINUTE - 10_000 });
      const older = lines.filter((l) => l.ts < NOW + 5 * MINUTE - 10_000 - 7 * DAY).length;
      expect(older).toBeGreaterThan(1_000);
      expect(scanned.reduce((n, r) => n + r.events, 0)).toBe(lines.length - older);
    } finally {
      await wh.close();
    }

    const at = iso(NOW + 5 * MINUTE);
    const aggregated = JSON.parse(await obs(['aggregate', '--at', at, '--json'])) as { rollup: { changeDetection: string; newEvents: number } };
    expect(aggregated.rollup).toMatchObject({ changeDetection: 'change_log', newEvents: lines.length });
    const incremental = JSON.parse(await obs(['slo', 'status', '--at', at, '--json'])) as { statuses: Array<Record<string, unknown>> };

    await obs(['rebuild', '--from', iso(NOW - 11 * DAY), '--to', iso(NOW + DAY), '--at', iso(NOW + 6 * MINUTE)]);
    const rebuilt = JSON.parse(await obs(['slo', 'status', '--at', at, '--json'])) as { statuses: Array<Record<string, unknown>> };
    expect(incremental.statuses).toEqual(rebuilt.statuses);

    // Every wallet call of both files is in the 30-day SLO window, the oldest three days too.
    const wallet = incremental.statuses.find((s) => s.sloId === 'wallet-spend-success');
    const all = [...lines, ...history(NOW - 2 * 3_600_000, NOW - 30 * MINUTE, 'live')].filter((l) => l.name.startsWith('product.wallet.spend'));
    expect(wallet).toMatchObject({ totalEvents: all.reduce((n, l) => n + l.value, 0) });

    // The same file again: every event a duplicate, nothing logged, nothing recomputed.
    await obs(['ingest', '--file', file, '--service', 'api', '--environment', 'prod', '--at', iso(NOW + 10 * MINUTE)]);
    const again = JSON.parse(await obs(['aggregate', '--at', iso(NOW + 15 * MINUTE), '--json'])) as { rollup: { newEvents: number; spans: unknown[] } };
    expect(again.rollup).toMatchObject({ newEvents: 0, spans: [] });
  }, 300_000);

  it('says exactly which obs rebuild to run when --at puts the ingest time behind the rollup watermark, and that rebuild rolls the events up', async () => {
    const live = join(dir, 'live.ndjson');
    writeFileSync(live, history(NOW - 3_600_000, NOW - 30 * MINUTE, 'live').map((l) => JSON.stringify(l)).join('\n') + '\n');
    await obs(['ingest', '--file', live, '--at', iso(NOW - 30 * MINUTE)]);
    await obs(['aggregate', '--at', iso(NOW)]);

    // Two days of history stamped with an ingest time a day back: behind the watermark.
    const lines = history(Date.UTC(2026, 10, 20, 6), Date.UTC(2026, 10, 21, 18), 'back');
    const file = join(dir, 'backdated.ndjson');
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const text = await obs(['ingest', '--file', file, '--at', iso(NOW - DAY)]);
    const command = 'obs rebuild --from 2026-11-20T00:00:00.000Z --to 2026-11-22T00:00:00.000Z';
    expect(text).toContain(`NOT YET IN THE ROLLUPS: ${lines.length} event(s) were stored with ingest time ${iso(NOW - DAY)} (--at), before the rollup watermark ${iso(NOW - 10_000)}: obs aggregate will not see them. Run: npx ${command}`);

    const wallet = async () => (JSON.parse(await obs(['slo', 'status', '--at', iso(NOW + MINUTE), '--json'])) as { statuses: Array<{ sloId: string; totalEvents: number }> }).statuses.find((s) => s.sloId === 'wallet-spend-success')?.totalEvents;
    expect(JSON.parse(await obs(['aggregate', '--at', iso(NOW + MINUTE), '--json'])).rollup).toMatchObject({ newEvents: 0 });
    const before = await wallet();
    await obs([...command.split(' ').slice(1), '--at', iso(NOW + MINUTE)]);
    const walletLines = lines.filter((l) => l.name.startsWith('product.wallet.spend'));
    expect(await wallet()).toBe((before ?? 0) + walletLines.reduce((n, l) => n + l.value, 0));
  }, 300_000);
});
