/**
 * `obs emit` and `obs sql` run in another shell while `obs start` holds the DuckDB file: main()
 * finds the stack through .data/stack.json and forwards the command into it (POST /api/cli). A
 * real stack (in-process transport, no demo), the commands through the CLI's own main().
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import { runThroughStack } from '../../../cli/local/remote-cli';
import { startStack, type RunningStack } from '../../../cli/local/stack';
import { findRunningStack } from '../../../cli/local/stack-file';
import { loadConfig } from '../../../shared';

jest.setTimeout(90_000);

describe('obs emit and obs sql from another shell, forwarded into a running obs start', () => {
  const saved = { ...process.env };
  let dir: string;
  let duckdbPath: string;
  let stack: RunningStack;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obs-forward-'));
    duckdbPath = join(dir, 'observability.duckdb');
    // The other shell's environment: the same DuckDB file, no Pub/Sub of its own.
    process.env.OBS_WAREHOUSE = 'duckdb';
    process.env.OBS_DUCKDB_PATH = duckdbPath;
    delete process.env.OBSERVABILITY_PROVIDER;
    delete process.env.PUBSUB_EMULATOR_HOST;
    stack = await startStack({
      config: { ...loadConfig({}), duckdbPath, port: 0 },
      demo: false,
      useEmulator: false,
      schedulerIntervalMs: 0,
      runCommand: (args, io, app) => main(args, io, app),
      log: () => undefined,
      progress: () => undefined,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('obs emit goes through the stack: published via the running obs start, and the event is stored in its warehouse', async () => {
    const before = stack.ingested().stored;
    const emit = capture();
    expect(await main(['emit', 'product.wallet.spend.success', '--tag', 'feature=chat'], emit)).toBe(0);
    expect(emit.stdout).toContain('via the running obs start');
    for (let i = 0; i < 100 && stack.ingested().stored <= before; i++) await new Promise((r) => setTimeout(r, 100));

    // Read back with a forwarded obs sql: the stack holds the file, so only it can answer.
    const sql = capture();
    const code = await main(['sql', "SELECT name, JSON_VALUE(tags, '$.feature') AS feature, value, service FROM `observability.metric_events` WHERE name = 'product.wallet.spend.success'", '--json'], sql);
    expect(sql.stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(sql.stdout)).toEqual([{ name: 'product.wallet.spend.success', feature: 'chat', value: 1, service: 'local' }]);
  });

  it('obs sql --file with a relative path reads the file in the caller\'s folder, not the stack\'s', async () => {
    const callerDir = join(dir, 'analyst');
    mkdirSync(callerDir, { recursive: true });
    writeFileSync(join(callerDir, 'count.sql'), '-- the caller\'s query\nSELECT COUNT(*) AS events FROM `observability.metric_events`\n');
    const info = findRunningStack(duckdbPath);
    expect(info?.port).toBe(Number(new URL(stack.url).port));
    // The stack's working folder (this process's) has no count.sql; the caller's has.
    const io = capture();
    expect(await runThroughStack(info!, ['sql', '--file', 'count.sql', '--json'], io, callerDir)).toBe(0);
    expect(io.stderr).toBe('');
    expect(JSON.parse(io.stdout)).toEqual([{ events: expect.any(Number) }]);
    // Through main(), from the caller's folder.
    const cwd = process.cwd();
    process.chdir(callerDir);
    try {
      const viaMain = capture();
      expect(await main(['sql', '--file=count.sql', '--csv'], viaMain)).toBe(0);
      expect(viaMain.stdout).toMatch(/^events\n\d+\n$/);
    } finally {
      process.chdir(cwd);
    }
  });

  it('a missing relative file is reported with the absolute path the stack looked at (exit 66)', async () => {
    const io = capture();
    expect(await runThroughStack(findRunningStack(duckdbPath)!, ['sql', '--file', 'nowhere.sql'], io, dir)).toBe(66);
    expect(io.stderr).toContain(join(dir, 'nowhere.sql'));
  });
});
