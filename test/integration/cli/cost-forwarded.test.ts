/**
 * `obs cost` from another shell while `obs start` holds the DuckDB file: forwarded into the stack
 * (POST /api/cli) like every warehouse command, and it reports on the stack's file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import type { RunningStack } from '../../../cli/local/stack';
import { startForwardingStack } from '../../support/forwarding-stack';
import type { CostReport } from '../../../aggregator/cost/cost-report';

jest.setTimeout(90_000);

describe('obs cost beside a running obs start', () => {
  const saved = { ...process.env };
  let dir: string;
  let stack: RunningStack;
  let forwarded: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obs-cost-forward-'));
    const duckdbPath = join(dir, 'observability.duckdb');
    process.env.OBS_WAREHOUSE = 'duckdb';
    process.env.OBS_DUCKDB_PATH = duckdbPath;
    delete process.env.OBSERVABILITY_PROVIDER;
    delete process.env.PUBSUB_EMULATOR_HOST;
    delete process.env.OBS_PRICES_FILE;
    ({ stack, forwarded } = await startForwardingStack(duckdbPath));
  });
  afterAll(async () => {
    await stack?.stop();
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the events ingested into the stack\'s file, per metric', async () => {
    const now = Date.now();
    const file = join(dir, 'events.ndjson');
    const line = (id: string) => JSON.stringify({ id, name: 'product.wallet.spend.success', kind: 'count', value: 1, ts: now - 60_000, tags: { feature: 'chat' } });
    writeFileSync(file, [line('a'), line('b'), line('c')].join('\n') + '\n');
    expect(await main(['ingest', '--file', file], capture())).toBe(0);

    const month = new Date(now - 60_000).toISOString().slice(0, 7);
    const io = capture();
    expect(await main(['cost', '--month', month, '--json'], io)).toBe(0);
    expect(io.stderr).toBe('');
    const report = JSON.parse(io.stdout) as CostReport;
    expect(report.month).toBe(month);
    expect(report.metrics.map((m) => [m.name, m.module, m.events])).toEqual([['product.wallet.spend.success', 'wallet', 3]]);
    expect(forwarded).toContain(`cost --month ${month} --json`);
  });
});
