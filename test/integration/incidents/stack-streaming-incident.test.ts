import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { startStack } from '../../../cli/local/stack';
import { loadConfig } from '../../../shared';
import { FakeClock } from '../../../shared/clock';
import { walletFailureBurst } from '../../support/wallet-burst';

jest.setTimeout(120_000);

/**
 * The streaming path (issue #15) opens incidents too: with the stack's scheduler stopped, a wallet
 * failure burst fires the P0 as the events arrive, and the incident is there — with the alert and
 * its notifications — before any scheduled run.
 */
describe('incidents from the streaming path on the local stack', () => {
  it('a streaming P0 opens the incident, with the alert and its notifications, with no scheduled run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-incident-streaming-'));
    const stack = await startStack({
      config: { ...loadConfig({}), duckdbPath: join(dir, 'observability.duckdb'), port: 0, streamingAlerts: true },
      demo: false,
      useEmulator: false,
      clock: new FakeClock(Date.UTC(2026, 10, 27, 9, 0, 0)),
      schedulerIntervalMs: 0,
      outboxPath: join(dir, 'outbox.jsonl'),
      runCommand: (args, io, app) => main(args, io, app),
      log: () => undefined,
      progress: () => undefined,
    });
    try {
      await walletFailureBurst(stack);
      const response = await fetch(`${stack.url}/api/incidents`, { headers: { authorization: `Bearer ${stack.token}` } });
      const { incidents } = (await response.json()) as { incidents: Array<{ module: string; status: string; timeline: Array<{ type: string; fingerprint?: string; channel?: string; outcome?: string }> }> };
      expect(incidents.map((i) => [i.module, i.status])).toEqual([['wallet', 'open']]);
      const timeline = incidents[0]!.timeline;
      expect(timeline.filter((e) => e.type === 'alert_fired').map((e) => e.fingerprint)).toEqual(['wallet-spend-failures-critical']);
      expect(timeline.filter((e) => e.type === 'notified').map((e) => `${e.channel}:${e.outcome}`).sort()).toEqual(['finance-email:delivered', 'oncall-slack:delivered', 'pagerduty:delivered']);
    } finally {
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
