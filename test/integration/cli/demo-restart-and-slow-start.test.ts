import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import { runThroughStack } from '../../../cli/local/remote-cli';
import { startStack, type RunningStack, type StackOptions } from '../../../cli/local/stack';
import { findRunningStack } from '../../../cli/local/stack-file';
import type { OutboxEntry } from '../../../alerts/notifiers/outbox/outbox-notifier';
import { loadConfig } from '../../../shared';
import { sourceHistory } from '../../../sql/queries/demo-history';

/**
 * Issue 12, the demo on a slow machine and on a second start. The stack runs as `obs start` does
 * (the demo clock, its own scheduler and traffic timers, the in-process transport, DuckDB, the
 * outbox), with the demo clock's real time handed in: the backfill hook moves that real time on,
 * so the demo sees a backfill that took 60 s without the test waiting for it. The test only waits
 * for conditions (log lines, outbox lines), never for a time.
 */

jest.setTimeout(300_000);

const MINUTE_MS = 60_000;
const P0 = 'wallet-spend-failures-critical';

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Run {
  readonly stack: RunningStack;
  readonly lines: string[];
  seen(text: string): boolean;
}

async function start(dir: string, options: Partial<StackOptions> & { realNow: () => number }): Promise<Run> {
  const lines: string[] = [];
  const stack = await startStack({
    config: { ...loadConfig({}), duckdbPath: join(dir, 'observability.duckdb'), port: 0 },
    demo: true,
    useEmulator: false,
    demoClock: { leadMs: 30 * MINUTE_MS, speed: 40, realNow: options.realNow },
    backfillDays: 1,
    schedulerIntervalMs: 1_000,
    trafficIntervalMs: 250,
    outboxPath: join(dir, 'outbox.jsonl'),
    runCommand: (args, io, app) => main(args, io, app),
    log: (line) => void lines.push(line),
    progress: () => undefined,
    ...options,
  });
  return { stack, lines, seen: (text) => lines.some((l) => l.includes(text)) };
}

function outbox(dir: string): OutboxEntry[] {
  const path = join(dir, 'outbox.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as OutboxEntry);
}

async function demoEvents(stack: RunningStack): Promise<number> {
  const now = stack.app.clock.now();
  const rows = await stack.app.withWarehouse((w) => w.query(sourceHistory, { since_ms: now - 3 * 86_400_000, until_ms: now + 86_400_000, service: 'demo' }));
  return Number(rows[0]?.events ?? 0);
}

describe('obs start, the demo (issue 12)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'obs-demo-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fires the wallet P0 into the outbox and resolves it although the backfill took 60 s, and forwarded commands read the stack clock', async () => {
    let skewMs = 0;
    const run = await start(dir, {
      realNow: () => Date.now() + skewMs,
      // 60 s of real time pass during the backfill, as far as the demo clock can tell.
      onBackfillHour: () => void (skewMs = Math.min(60_000, skewMs + 2_500)),
    });
    try {
      expect(skewMs).toBe(60_000);
      expect(run.seen('backfilling 1 days of history')).toBe(true);
      await waitFor('the P0 in the outbox', () => outbox(dir).some((e) => e.channel === 'pagerduty' && e.notifications.some((n) => n.kind === 'firing' && n.fingerprint.startsWith(P0))), 60_000);
      await waitFor('the delivery in the log', () => run.seen('notification pagerduty → outbox (not configured'), 60_000);
      expect(outbox(dir).filter((e) => e.notifications.some((n) => n.kind === 'firing' && n.fingerprint.startsWith(P0))).map((e) => e.channel).sort()).toEqual(['finance-email', 'oncall-slack', 'pagerduty']);

      // One clock: a command another shell forwards (POST /api/cli) runs at the stack's time, not the wall clock's.
      const info = findRunningStack(join(dir, 'observability.duckdb'));
      expect(info?.port).toBe(Number(new URL(run.stack.url).port));
      const io = capture();
      const before = run.stack.app.clock.now();
      expect(await runThroughStack(info!, ['slo', 'status', '--json'], io)).toBe(0);
      const after = run.stack.app.clock.now();
      const { nowMs } = JSON.parse(io.stdout) as { nowMs: number };
      expect(nowMs).toBeGreaterThanOrEqual(before);
      expect(nowMs).toBeLessThanOrEqual(after);
      expect(Date.now() + skewMs - nowMs).toBeGreaterThan(5 * MINUTE_MS); // still replaying: demo time is behind the wall clock
      const health = (await (await fetch(`${run.stack.url}/health/public`)).json()) as { timestamp: number };
      expect(health.timestamp).toBeGreaterThanOrEqual(before);
      expect(health.timestamp).toBeLessThanOrEqual(run.stack.app.clock.now());

      await waitFor('the P0 to resolve', () => outbox(dir).some((e) => e.notifications.some((n) => n.kind === 'resolved' && n.fingerprint.startsWith(P0))), 90_000);
      await waitFor('the resolve in the log', () => run.lines.some((l) => l.includes(P0) && l.includes('firing → resolved')), 60_000);
    } finally {
      await run.stack.stop();
    }
  });

  it('backfills all 30 days of history: every day has its events and the emitter drops none', async () => {
    // 30 days of hourly totals are ~18,700 events, more than the emitter's 8 MB buffer holds at
    // once: the backfill must hand them to the transport as it goes, not once at the end.
    const run = await start(dir, { realNow: () => Date.now(), backfillDays: 30 });
    try {
      expect(run.seen('backfilling 30 days of history')).toBe(true);
      expect(run.lines.filter((l) => /dropped/.test(l))).toEqual([]);
      const io = capture();
      const sql = "SELECT CAST(event_ts AS DATE) AS day, COUNT(*) AS events FROM metric_events WHERE service = 'demo' GROUP BY 1 ORDER BY 1";
      expect(await main(['sql', sql, '--json'], io, run.stack.app)).toBe(0);
      const days = JSON.parse(io.stdout) as Array<{ day: unknown; events: number }>;
      // 30 days back from today: 31 calendar days (the first and the last partly).
      expect(days.length).toBeGreaterThanOrEqual(30);
      const whole = days.slice(1, -1).map((d) => Number(d.events));
      expect(Math.min(...whole)).toBeGreaterThan(0.8 * Math.max(...whole));
    } finally {
      await run.stack.stop();
    }
  }, 400_000);

  it('a second start on the same file continues the history instead of backfilling it again, and raises no false alert', async () => {
    const first = await start(dir, { realNow: () => Date.now() });
    let firstCount: number;
    try {
      firstCount = await demoEvents(first.stack);
      expect(firstCount).toBeGreaterThan(1_000);
    } finally {
      await first.stack.stop();
    }

    // Started again three hours later (as far as the demo clock can tell): only the gap is backfilled.
    const second = await start(dir, { realNow: () => Date.now() + 3 * 60 * MINUTE_MS });
    try {
      expect(second.seen('continuing the existing demo history')).toBe(true);
      expect(second.seen('backfilling 1 days')).toBe(false);
      const secondCount = await demoEvents(second.stack);
      expect(secondCount).toBeGreaterThan(firstCount);
      expect(secondCount).toBeLessThan(firstCount * 1.3);
      await waitFor('a first evaluation', () => second.seen('banner —'), 90_000);
      await second.stack.tick();
      const io = capture();
      expect(await main(['alerts', 'list', '--all', '--json'], io, second.stack.app)).toBe(0);
      expect(io.stdout).not.toContain('support-ticket-spike');
      expect(second.lines.join('\n')).not.toContain('support-ticket-spike');
    } finally {
      await second.stack.stop();
    }
  });
});
