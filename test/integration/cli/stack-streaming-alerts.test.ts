import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboxEntry } from '../../../alerts/notifiers/outbox/outbox-notifier';
import { main } from '../../../cli/obs';
import { startStack, type RunningStack } from '../../../cli/local/stack';
import { loadConfig } from '../../../shared';
import { FakeClock } from '../../../shared/clock';
import { walletFailureBurst } from '../../support/wallet-burst';

/**
 * Issue #15 on `obs start`: with the stack's scheduler stopped (no rollup, no scheduled
 * evaluation), a wallet failure burst emitted through the stack's own emitter pages — the
 * streaming path, fed by the stack's ingest — and the stack says so. With
 * OBS_STREAMING_ALERTS=off the same burst pages nobody until the scheduler runs.
 */

jest.setTimeout(120_000);

const START_MS = Date.UTC(2026, 10, 27, 9, 0, 0);

async function withStack(streamingAlerts: boolean, run: (stack: RunningStack, lines: string[], notified: () => Array<{ channel: string; kind: string }>, clock: FakeClock) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-streaming-stack-'));
  const outbox = join(dir, 'outbox.jsonl');
  const lines: string[] = [];
  let stack: RunningStack | undefined;
  const clock = new FakeClock(START_MS);
  try {
    stack = await startStack({
      config: { ...loadConfig({}), duckdbPath: join(dir, 'observability.duckdb'), port: 0, streamingAlerts },
      demo: false,
      useEmulator: false,
      clock,
      schedulerIntervalMs: 0,
      outboxPath: outbox,
      runCommand: (args, io, app) => main(args, io, app),
      log: (line) => void lines.push(line),
      progress: () => undefined,
    });
    const notified = () =>
      existsSync(outbox)
        ? readFileSync(outbox, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as OutboxEntry)
            .flatMap((e) => e.notifications.filter((n) => n.fingerprint === 'wallet-spend-failures-critical').map((n) => ({ channel: e.channel, kind: n.kind })))
        : [];
    await run(stack, lines, notified, clock);
  } finally {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('streaming alerts on the local stack (issue #15)', () => {
  it('a wallet P0 burst pages through the streaming path with no scheduled run, and the stack says so', async () => {
    await withStack(true, async (stack, lines, notified, clock) => {
      await walletFailureBurst(stack);
      expect(notified()).toEqual(
        expect.arrayContaining([
          { channel: 'pagerduty', kind: 'firing' },
          { channel: 'oncall-slack', kind: 'firing' },
          { channel: 'finance-email', kind: 'firing' },
        ]),
      );
      expect(notified()).toHaveLength(3);
      expect(stack.streaming()).toMatchObject({ fired: 1, errors: 0 });
      expect(lines).toContain('  alert wallet-spend-failures-critical: inactive → firing (value 12, threshold 10) · streaming, as the events arrived');
      expect(lines.filter((l) => l.startsWith('  notification pagerduty → outbox'))).toHaveLength(1);
      // The scheduled run a minute later sees the burst in its rollups, finds the alert firing
      // already, and sends nothing twice.
      clock.set(START_MS + 60_000);
      await stack.tick();
      expect(notified()).toHaveLength(3);
    });
  });

  it('with OBS_STREAMING_ALERTS=off the burst waits for the scheduler', async () => {
    await withStack(false, async (stack, _lines, notified, clock) => {
      await walletFailureBurst(stack);
      expect(stack.streaming()).toBeUndefined();
      expect(notified()).toEqual([]);
      clock.set(START_MS + 60_000);
      await stack.tick();
      expect(notified()).toHaveLength(3);
    });
  });
});
