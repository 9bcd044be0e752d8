/**
 * `obs retention apply` from another shell while `obs start` holds the DuckDB file: forwarded into
 * the stack (POST /api/cli) like every warehouse command, and it removes from the stack's file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import type { RunningStack } from '../../../cli/local/stack';
import { startForwardingStack } from '../../support/forwarding-stack';

jest.setTimeout(90_000);

const DAY_MS = 86_400_000;

describe('obs retention apply beside a running obs start', () => {
  const saved = { ...process.env };
  let dir: string;
  let stack: RunningStack;
  /** The commands the stack ran for other shells. */
  let forwarded: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obs-retention-forward-'));
    const duckdbPath = join(dir, 'observability.duckdb');
    process.env.OBS_WAREHOUSE = 'duckdb';
    process.env.OBS_DUCKDB_PATH = duckdbPath;
    delete process.env.OBSERVABILITY_PROVIDER;
    delete process.env.PUBSUB_EMULATOR_HOST;
    ({ stack, forwarded } = await startForwardingStack(duckdbPath));
  });
  afterAll(async () => {
    await stack?.stop();
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts, then removes, the raw events older than 90 days in the stack\'s file', async () => {
    const now = Date.now();
    const file = join(dir, 'events.ndjson');
    const line = (id: string, ts: number) => JSON.stringify({ id, name: 'product.wallet.spend.success', kind: 'count', value: 1, ts, tags: {} });
    writeFileSync(file, [line('old-a', now - 100 * DAY_MS), line('old-b', now - 95 * DAY_MS), line('new', now - DAY_MS)].join('\n') + '\n');
    const ingest = capture();
    expect(await main(['ingest', '--file', file], ingest)).toBe(0);

    const dry = capture();
    expect(await main(['retention', 'apply', '--dry-run'], dry)).toBe(0);
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toMatch(/metric_events\s+would remove 2 row\(s\) before/);

    const run = capture();
    expect(await main(['retention', 'apply', '--json'], run)).toBe(0);
    const result = JSON.parse(run.stdout) as { tables: Array<{ table: string; rows: number }> };
    expect(result.tables.find((t) => t.table === 'metric_events')?.rows).toBe(2);

    expect(forwarded.filter((c) => c.startsWith('retention'))).toEqual(['retention apply --dry-run', 'retention apply --json']);
    const sql = capture();
    expect(await main(['sql', 'SELECT event_id FROM `observability.metric_events` WHERE event_ts >= TIMESTAMP \'2000-01-01\'', '--json'], sql)).toBe(0);
    expect(JSON.parse(sql.stdout)).toEqual([{ event_id: 'new' }]);
  });
});
