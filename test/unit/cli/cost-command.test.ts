import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from '../../support/capture-io';
import { main } from '../../../cli/obs';
import type { CostReport } from '../../../aggregator/cost/cost-report';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { event } from '../aggregator/support';

const NOV = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

describe('obs cost', () => {
  let dir: string;
  const saved = { ...process.env };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obs-cost-cli-'));
    process.env = { ...saved, OBS_WAREHOUSE: 'duckdb', OBS_DUCKDB_PATH: join(dir, 'obs.duckdb') };
    delete process.env.OBS_BQ_WRITE_API;
    delete process.env.OBS_PRICES_FILE;
    const wh = await DuckDbWarehouse.open(process.env.OBS_DUCKDB_PATH!);
    await wh.createSchema();
    await wh.insertEvents([
      event('product.wallet.spend.success', 'count', 1, NOV + DAY, { feature: 'chat' }),
      event('product.wallet.spend.success', 'count', 1, NOV + 2 * DAY, { feature: 'chat' }),
      event('infra.http.request.count', 'count', 1, NOV + 3 * DAY, { tier: 'core', endpoint: '/api/messages', method: 'POST', status_class: '2xx' }),
    ]);
    await wh.close();
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('--json: the month, both write paths priced, every metric with its module, the prices with source and date', async () => {
    const io = capture();
    expect(await main(['cost', '--month', '2026-11', '--at', '2026-12-05T00:00:00Z', '--json'], io)).toBe(0);
    expect(io.stderr).toBe('');
    const r = JSON.parse(io.stdout) as CostReport;
    expect(r).toMatchObject({ month: '2026-11', fromMs: NOV, toMs: Date.UTC(2026, 11, 1), inProgress: false, warehouse: 'duckdb', writeApi: 'storage' });
    expect(r.usage).toMatchObject({ events: 3, calls: 3 });
    expect(r.priced.writeApi).toBe('storage');
    expect(r.alternative.writeApi).toBe('insert-all');
    expect(r.priced.lines.map((l) => l.component)).toEqual(['pubsub', 'ingest', 'storage', 'storage', 'scans']);
    expect(r.metrics.map((m) => [m.name, m.module, m.events]).sort()).toEqual([
      ['infra.http.request.count', 'infrastructure', 1],
      ['product.wallet.spend.success', 'wallet', 2],
    ]);
    expect(r.modules.map((m) => m.module).sort()).toEqual(['infrastructure', 'wallet']);
    expect(r.scans.source).toBe('estimated');
    for (const price of r.prices) expect(price).toEqual(expect.objectContaining({ usd: expect.any(Number), unit: expect.any(String), source: expect.stringMatching(/^https:/), recorded: '2026-11-27' }));
  });

  it('the text report names each component, the write path and the other one, and the modules', async () => {
    const io = capture();
    expect(await main(['cost', '--month', '2026-11', '--at', '2026-12-05T00:00:00Z'], io)).toBe(0);
    expect(io.stdout).toMatch(/^Cost of 2026-11 \(whole month\), DuckDB \(as BigQuery would bill it\), write path storage/);
    for (const label of ['Pub/Sub', 'ingest', 'storage', 'scans', 'total', 'the other write path, insertAll']) expect(io.stdout).toContain(label);
    expect(io.stdout).toMatch(/By module[\s\S]*wallet\s+2 events/);
    expect(io.stdout).toMatch(/This report read about [0-9.]+ (B|KiB) \(on BigQuery: about \$[0-9.e-]+\)\./);
  });

  it('OBS_BQ_WRITE_API=insert-all prices the totals through insertAll; OBS_PRICES_FILE changes a price', async () => {
    process.env.OBS_BQ_WRITE_API = 'insert-all';
    const file = join(dir, 'prices.json');
    writeFileSync(file, JSON.stringify({ bq_insert_all: { usd: 1 } }));
    process.env.OBS_PRICES_FILE = file;
    const io = capture();
    expect(await main(['cost', '--month', '2026-11', '--at', '2026-12-05T00:00:00Z', '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout) as CostReport;
    expect(r.writeApi).toBe('insert-all');
    const ingest = r.priced.lines.find((l) => l.component === 'ingest')!;
    expect(ingest.priceId).toBe('bq_insert_all');
    expect(ingest.listUsd).toBeCloseTo((3 * 1024) / 1024 ** 3, 12);
  });

  it('the month defaults to the month of --at, measured up to it', async () => {
    const io = capture();
    expect(await main(['cost', '--at', '2026-11-02T12:00:00Z', '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout) as CostReport;
    expect(r).toMatchObject({ month: '2026-11', inProgress: true, untilMs: Date.UTC(2026, 10, 2, 12) });
    expect(r.usage.events).toBe(1);
  });

  it.each([
    [['cost', '--month', '2026-13'], /--month must be YYYY-MM/],
    [['cost', '--month', 'last'], /--month must be YYYY-MM/],
    [['cost', 'now'], /unexpected argument "now"/],
    [['cost', '--at', 'yesterday'], /yesterday/],
  ])('bad arguments %j: usage, exit 64', async (args, message) => {
    const io = capture();
    expect(await main(args, io)).toBe(64);
    expect(io.stderr).toMatch(message);
    expect(io.stderr).toContain('usage: obs cost');
  });

  it('a bad OBS_PRICES_FILE is a configuration error (78) naming the variable and the problem', async () => {
    process.env.OBS_PRICES_FILE = join(dir, 'nope.json');
    const io = capture();
    expect(await main(['cost', '--month', '2026-11'], io)).toBe(78);
    expect(io.stderr).toMatch(/OBS_PRICES_FILE=.*nope\.json: cannot read it \(ENOENT\)/);
  });
});
