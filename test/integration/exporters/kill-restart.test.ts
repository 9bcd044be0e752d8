import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJobName } from '../../../exporters/export-job';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { readJobState } from '../../../sql/job-state';
import { MINUTE } from '../../unit/aggregator/support';
import { seedMinutes, T0 } from '../../unit/exporters/support';

const SCRIPT = join(__dirname, 'support', 'export-process.ts');
const MINUTES = 6;
const BATCH = 4; // nine points a minute: batches of 4, 4 and 1

interface Series {
  metric: string;
  points: Array<{ timestamp: number; value: number }>;
  tags?: string[];
}

/**
 * The exporter killed mid-minute and restarted, as processes: the first run is SIGKILLed by the
 * stand-in itself while it holds the second batch of the fourth minute (its first batch was
 * accepted); the second run starts from the cursor. Every minute is exported, none twice (the
 * cursor's `exported` lines), and only the one batch accepted before the kill reaches Datadog twice.
 */
describe('the exporter killed mid-minute and restarted (separate processes, SIGKILL)', () => {
  let dir: string;
  let dbPath: string;
  let server: Server;
  let endpoint = '';
  /** Bodies of the requests answered 202, in order. */
  const accepted: Array<{ series: Series[] }> = [];
  let requests = 0;
  /** While set: the request with this number is not answered; the child is SIGKILLed instead. */
  let killAt: { request: number; child: ChildProcess } | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obs-export-kill-'));
    dbPath = join(dir, 'observability.duckdb');
    const wh = await DuckDbWarehouse.open(dbPath);
    await wh.createSchema();
    await seedMinutes(wh, MINUTES, T0 + (MINUTES + 2) * MINUTE);
    await wh.close();
    // Datadog's intake stand-in: 202 to every request, except the one the test kills the exporter on.
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        requests++;
        if (killAt && requests === killAt.request) {
          killAt.child.kill('SIGKILL');
          req.socket.destroy();
          return;
        }
        accepted.push(JSON.parse(raw) as { series: Series[] });
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"errors":[]}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (killOnRequest?: number) =>
    new Promise<{ lines: string[]; signal: NodeJS.Signals | null }>((resolve, reject) => {
      const env = { ...process.env, OBS_DUCKDB_PATH: dbPath, DD_ENDPOINT: endpoint, BATCH: String(BATCH), NOW_MS: String(T0 + (MINUTES + 2) * MINUTE), START_MS: String(T0) };
      const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      killAt = killOnRequest === undefined ? undefined : { request: requests + killOnRequest, child };
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('error', reject);
      child.on('exit', (_code, signal) => resolve({ lines: out.trim().split('\n').filter(Boolean), signal }));
    });

  it('exports every minute exactly once by cursor, and only the batch accepted before the kill is sent twice', async () => {
    // Minute 4's second batch is request 3·3 + 2 = 11: the stand-in kills the process on it, unanswered.
    const held = await run(11);
    expect(held.signal).toBe('SIGKILL');
    const exportedFirst = held.lines.filter((l) => l.startsWith('exported ')).map((l) => Number(l.split(' ')[1]));
    expect(exportedFirst).toEqual([T0, T0 + MINUTE, T0 + 2 * MINUTE]);
    const wh = await DuckDbWarehouse.open(dbPath);
    expect((await readJobState(wh, exportJobName('datadog'))).watermarkMs).toBe(T0 + 3 * MINUTE);
    await wh.close();

    const second = await run();
    expect(second.signal).toBeNull();
    const exportedSecond = second.lines.filter((l) => l.startsWith('exported ')).map((l) => Number(l.split(' ')[1]));
    expect([...exportedFirst, ...exportedSecond]).toEqual(Array.from({ length: MINUTES }, (_, m) => T0 + m * MINUTE));

    // What Datadog received: every point of every minute at least once; repeats only from minute 4's first batch.
    const received = new Map<string, number>();
    for (const body of accepted) {
      for (const s of body.series) {
        const key = `${s.points[0]!.timestamp}|${s.metric}|${(s.tags ?? []).join(',')}`;
        received.set(key, (received.get(key) ?? 0) + 1);
      }
    }
    const minutesSeen = new Set([...received.keys()].map((k) => Number(k.split('|')[0]) * 1000));
    expect([...minutesSeen].sort()).toEqual(Array.from({ length: MINUTES }, (_, m) => T0 + m * MINUTE));
    expect(received.size).toBe(MINUTES * 9);
    const repeated = [...received.entries()].filter(([, n]) => n > 1).map(([k]) => Number(k.split('|')[0]) * 1000);
    expect(repeated.length).toBe(BATCH);
    expect(new Set(repeated)).toEqual(new Set([T0 + 3 * MINUTE]));
  }, 120_000);
});
