/**
 * docs/ANALYSTS.md shows, after each example query, the `npx obs sql` command that runs it
 * locally. Here every such command is taken from the page, split into arguments as a shell would,
 * and run through the CLI's main() on a DuckDB file filled by the real pipeline code: two hours of
 * traffic with a burst of failed wallet spends, rolled up, turned into SLO statuses and evaluated
 * by the alert runtime every two minutes (alert_log), and dead letters from the ingest handler.
 * Each command must answer with rows, so a wrong parameter or date in the page fails here.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAggregation } from '../../../aggregator/aggregate';
import { evaluateAlerts } from '../../../alerts/run/evaluate-run';
import { createAlertRuntime } from '../../../alerts/run/runtime';
import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import { IngestHandler } from '../../../ingest/ingest-handler';
import { FakeClock } from '../../../shared/clock';
import { bucketIndex } from '../../../shared/histogram';
import { loadConfig } from '../../../shared/config';
import { silentLogger } from '../../../shared/logger';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { QUERIES } from '../../../sql/queries/analysts';
import type { EventRow } from '../../../sql/warehouse';
import { event, MINUTE } from '../../unit/aggregator/support';

jest.setTimeout(120_000);

const root = join(__dirname, '..', '..', '..');
const doc = readFileSync(join(root, 'docs', 'ANALYSTS.md'), 'utf8');
const T0 = Date.UTC(2026, 10, 26, 9, 0); // the day the page's commands ask about

/** Shell words of one command line (continuations joined; '…' and "…" quoting), as sh would pass them. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  for (const m of command.replace(/\\\n/g, ' ').matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)) words.push(m[1] ?? m[2]?.replace(/\\(.)/g, '$1') ?? (m[3] as string));
  return words;
}

/** Each generated query block of the page and the sh block right after it. */
function documentedCommands(): Array<{ query: string; command: string }> {
  return [...doc.matchAll(/<!-- BEGIN GENERATED: query ([a-z0-9_]+) -->[\s\S]*?<!-- END GENERATED -->\n\n```sh\n([\s\S]*?)```/g)].map((m) => ({ query: m[1] as string, command: (m[2] as string).trim() }));
}

function traffic(): EventRow[] {
  const rows: EventRow[] = [];
  for (let m = 0; m < 120; m++) {
    const t = T0 + m * MINUTE;
    rows.push(event('product.wallet.spend.success', 'count', 10, t + 1_000, { feature: 'chat' }));
    const failures = m >= 20 && m < 28 ? 3 : 0;
    if (failures > 0) rows.push(event('product.wallet.spend.failed', 'count', failures, t + 3_000, { feature: 'chat', reason: 'timeout' }));
    rows.push(event('infra.http.request.count', 'count', 100, t + 2_000, { tier: 'core', endpoint: '/api/feed', method: 'GET', status_class: '2xx' }));
    for (let i = 0; i < 5; i++) rows.push(event('infra.http.request.latency_ms', 'timing', 80 + 40 * i, t + 4_000 + i, { tier: 'core', endpoint: '/api/feed', method: 'GET', status_class: '2xx' }));
    // And three calls merged into one event (50, 50 and 200 ms), as an aggregating emitter sends them (issue #18).
    rows.push({
      ...event('infra.http.request.latency_ms', 'timing', 300, t + 4_900, { tier: 'core', endpoint: '/api/feed', method: 'GET', status_class: '2xx' }),
      call_count: 3, value_min: 50, value_max: 200, last_value: 200, start_ts_ms: t + 4_100,
      histogram: JSON.stringify([[bucketIndex(50), 2], [bucketIndex(200), 1]]),
    });
    rows.push(event('infra.pipeline.ingest.message.count', 'count', 30, t + 5_000));
    rows.push(event('infra.pipeline.ingest.lag_ms', 'timing', 500 + m, t + 5_001));
    if (m % 10 === 0) rows.push(event('infra.pipeline.ingest.dead_letter.count', 'count', 1, t + 5_002, { reason: 'invalid_json' }));
  }
  return rows;
}

async function seed(path: string, dir: string): Promise<void> {
  const warehouse = await DuckDbWarehouse.open(path);
  try {
    await warehouse.createSchema();
    await warehouse.insertEvents(traffic());
    const runtime = createAlertRuntime({ warehouse, config: loadConfig({ OBS_ENVIRONMENT: 'test' }), clock: new FakeClock(T0), logger: silentLogger, outboxPath: join(dir, 'outbox.jsonl') });
    try {
      for (let t = T0 + 2 * MINUTE; t <= T0 + 130 * MINUTE; t += 2 * MINUTE) {
        await runAggregation(warehouse, t + 15_000);
        await evaluateAlerts(runtime, t + 20_000);
      }
    } finally {
      runtime.close();
    }
    const ingest = new IngestHandler({ warehouse, now: () => T0 + 30 * MINUTE });
    await ingest.handle({ id: 'poison-1', data: '{"schema": "metrics.v1", "events": [' });
  } finally {
    await warehouse.close();
  }
}

describe('docs/ANALYSTS.md: the obs sql command shown beside each query', () => {
  const saved = { ...process.env };
  const cwd = process.cwd();
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obs-analysts-doc-'));
    await seed(join(dir, 'observability.duckdb'), dir);
    process.env.OBS_WAREHOUSE = 'duckdb';
    process.env.OBS_DUCKDB_PATH = join(dir, 'observability.duckdb');
    process.chdir(root); // the page says: from the repository's folder
  });
  afterAll(() => {
    process.chdir(cwd);
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows every example query of sql/queries/analysts.ts with a command that runs that query’s golden file', () => {
    const shown = documentedCommands();
    expect(shown.map((c) => c.query).sort()).toEqual(QUERIES.map((q) => q.name).sort());
    for (const { query, command } of shown) expect(shellWords(command).slice(0, 5)).toEqual(['npx', 'obs', 'sql', '--file', `sql/golden/queries/${query}.sql`]);
  });

  it.each(documentedCommands().map((c) => [c.query, c.command] as const))('%s: the command runs as written and answers with rows', async (_query, command) => {
    const [npx, obs, ...args] = shellWords(command);
    expect([npx, obs]).toEqual(['npx', 'obs']);
    const io = capture();
    const code = await main([...args, '--json'], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    const rows = JSON.parse(io.stdout) as unknown[];
    expect(rows.length).toBeGreaterThan(0);
  });
});
