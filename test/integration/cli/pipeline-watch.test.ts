import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { startStack, type RunningStack } from '../../../cli/local/stack';
import type { OutboxEntry } from '../../../alerts/notifiers/outbox/outbox-notifier';
import { loadConfig } from '../../../shared';
import { FakeClock } from '../../../shared/clock';
import { rollupChangedSpans } from '../../../sql/queries/rollup-incremental';
import type { Warehouse } from '../../../sql/warehouse';

/**
 * Issue 11, "Done when" 1: the pipeline pages about itself on the real local stack (DuckDB, the
 * in-process transport, the stack's scheduler tick, its long-lived alert runtime, the outbox and
 * the heartbeat). Stack time is a hand-moved clock and the test is the scheduler: each "minute"
 * moves the clock, emits traffic through the stack's emitter and runs one tick, as the stack's
 * 60 s timer would. Nothing waits for time, only for outbox lines and stand-in requests.
 */

jest.setTimeout(120_000);

const MINUTE_MS = 60_000;
const START_MS = Date.UTC(2026, 2, 2, 10, 0, 0);

/** The dead man's switch's outside service: counts the GETs to its secret URL. */
async function heartbeatStandIn(): Promise<{ url: string; pings(): number; close(): Promise<void> }> {
  const path = `/ping/${randomBytes(8).toString('hex')}`;
  let pings = 0;
  const server: Server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === path) pings++;
    response.writeHead(request.url === path ? 200 : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    pings: () => pings,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Harness {
  readonly stack: RunningStack;
  readonly clock: FakeClock;
  readonly lines: string[];
  readonly heartbeat: Awaited<ReturnType<typeof heartbeatStandIn>>;
  /** One scheduled minute: the clock moves, traffic flows, the stack's tick runs. */
  minute(): Promise<void>;
  /** Traffic without a tick (the scheduler is stopped). */
  traffic(): void;
  /** Outbox notifications of `kind` for `ruleId`, with their channel and the stack time they were sent. */
  notified(ruleId: string, kind: 'firing' | 'resolved'): Array<{ channel: string; atMs: number; severity: string }>;
}

async function withStack(faults: { rollupsFail: boolean }, run: (h: Harness) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-watch-'));
  const outbox = join(dir, 'outbox.jsonl');
  const heartbeat = await heartbeatStandIn();
  const clock = new FakeClock(START_MS);
  const lines: string[] = [];
  let stack: RunningStack | undefined;
  try {
    stack = await startStack({
      config: { ...loadConfig({}), duckdbPath: join(dir, 'observability.duckdb'), port: 0, heartbeatUrl: heartbeat.url },
      demo: false,
      useEmulator: false,
      clock,
      schedulerIntervalMs: 0,
      // A warehouse fault that only the rollup job meets: the query for what changed since its watermark.
      wrapWarehouse: (warehouse) => failingRollups(warehouse, faults),
      outboxPath: outbox,
      runCommand: (args, io, app) => main(args, io, app),
      log: (line) => void lines.push(line),
      progress: () => undefined,
    });
    const running = stack;
    const traffic = () => {
      for (let i = 0; i < 5; i++) void running.emitter.count('product.chat.message.count', 1, { channel: 'dm', message_type: 'text' });
    };
    await run({
      stack,
      clock,
      lines,
      heartbeat,
      traffic,
      async minute() {
        traffic();
        clock.set(clock.now() + MINUTE_MS);
        await running.tick();
      },
      notified(ruleId, kind) {
        if (!existsSync(outbox)) return [];
        const entries = readFileSync(outbox, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as OutboxEntry);
        return entries.flatMap((e) => e.notifications.filter((n) => n.kind === kind && n.fingerprint.startsWith(ruleId)).map((n) => ({ channel: e.channel, atMs: Date.parse(e.at), severity: n.severity })));
      },
    });
  } finally {
    await stack?.stop();
    await heartbeat.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The warehouse, except that the rollup job's read of changed minutes fails while `faults.rollupsFail`. */
function failingRollups(warehouse: Warehouse, faults: { rollupsFail: boolean }): Warehouse {
  return {
    dialect: warehouse.dialect,
    createSchema: () => warehouse.createSchema(),
    insertEvents: (rows) => warehouse.insertEvents(rows),
    insertDeadLetters: (rows) => warehouse.insertDeadLetters(rows),
    query: (query, params) => (faults.rollupsFail && query === rollupChangedSpans ? Promise.reject(new Error('injected warehouse fault: rollup query refused')) : warehouse.query(query, params)),
    execute: (query, params) => warehouse.execute(query, params),
    upsert: (table, rows) => warehouse.upsert(table, rows),
    close: () => warehouse.close(),
  };
}

describe('the pipeline watches itself on the local stack (issue 11)', () => {
  it('a failing rollup job pages P1 pipeline-stale-rollups within 6 minutes while evaluation and the heartbeat go on, and resolves once the rollups recover', async () => {
    const faults = { rollupsFail: false };
    await withStack(faults, async ({ stack, clock, lines, heartbeat, minute, notified }) => {
      for (let i = 0; i < 3; i++) await minute();
      await waitFor('a ping per evaluation', () => heartbeat.pings() >= 3);
      expect(notified('pipeline-stale-rollups', 'firing')).toEqual([]);

      faults.rollupsFail = true;
      const storedBefore = stack.ingested().stored;
      const failedAtMs = clock.now() + MINUTE_MS; // the first tick that fails
      let minutes = 0;
      while (notified('pipeline-stale-rollups', 'firing').length === 0 && minutes < 6) {
        await minute();
        minutes++;
      }
      const firing = notified('pipeline-stale-rollups', 'firing');
      expect(firing).toEqual([{ channel: 'oncall-slack', atMs: expect.any(Number) as number, severity: 'P1' }]);
      expect(firing[0]!.atMs - failedAtMs).toBeLessThanOrEqual(6 * MINUTE_MS);
      // Each failed rollup was logged, and the evaluation still ran on every tick: the heartbeat kept pinging.
      expect(lines.filter((l) => l.includes('aggregation failed; alerts are still evaluated') && l.includes('injected warehouse fault')).length).toBe(minutes);
      await waitFor('a ping per evaluation, failing rollups or not', () => heartbeat.pings() >= 3 + minutes);
      // Traffic kept flowing into the warehouse meanwhile: only the rollups were stuck.
      expect(stack.ingested().stored).toBeGreaterThan(storedBefore);

      faults.rollupsFail = false;
      await minute();
      expect(notified('pipeline-stale-rollups', 'resolved')).toEqual([{ channel: 'oncall-slack', atMs: clock.now(), severity: 'P1' }]);
      await minute();
      expect(notified('pipeline-stale-rollups', 'firing')).toHaveLength(1);
      expect(lines.some((l) => l.includes('pipeline-stale-rollups') && l.includes('firing → resolved'))).toBe(true);
    });
  });

  it('a stopped scheduler stops the heartbeat pings; on resume they come again and pipeline-stale-alerts fires on the first run after the gap, then resolves', async () => {
    await withStack({ rollupsFail: false }, async ({ clock, heartbeat, minute, traffic, notified }) => {
      for (let i = 0; i < 3; i++) await minute();
      const before = await waitFor('a ping per evaluation', () => heartbeat.pings() >= 3 && heartbeat.pings());

      // The scheduler stops for 7 stack-minutes while traffic still flows: no evaluation, no ping.
      for (let i = 0; i < 7; i++) {
        traffic();
        clock.set(clock.now() + MINUTE_MS);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(heartbeat.pings()).toBe(before);
      expect(notified('pipeline-stale-alerts', 'firing')).toEqual([]);

      // Resumed: the first tick pings again and fires the P1 about the gap it finds.
      await minute();
      await waitFor('the pings to come again', () => heartbeat.pings() === before + 1);
      expect(notified('pipeline-stale-alerts', 'firing')).toEqual([{ channel: 'oncall-slack', atMs: clock.now(), severity: 'P1' }]);
      // The rollups ran in the same tick, before the evaluation: they are not stale.
      expect(notified('pipeline-stale-rollups', 'firing')).toEqual([]);

      await minute();
      expect(notified('pipeline-stale-alerts', 'resolved')).toEqual([{ channel: 'oncall-slack', atMs: clock.now(), severity: 'P1' }]);
      await waitFor('a ping per evaluation', () => heartbeat.pings() === before + 2);
    });
  });
});
