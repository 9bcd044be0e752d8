import { streamingPlan } from '../../../alerts/streaming/plan';
import { StreamingAlerts } from '../../../alerts/streaming/streaming-alerts';
import { MemoryTallyStore } from '../../../alerts/streaming/tally-store';
import { IngestHandler } from '../../../ingest';
import { silentIngestLog } from '../../../ingest/ingest-log';
import { WarehouseMaintenanceStore } from '../../../maintenance/warehouse-maintenance-store';
import { createMaintenanceWindow } from '../../../maintenance/window';
import { AlertEnv, MIN, T0 } from '../alerts/support/alert-env';

const T = T0 + 3 * 1_440 * MIN;
const PAGE = 'slo-wallet-spend-success-burn-page';

/**
 * The streaming path (issue #15) and maintenance windows excluded from budgets (issue #16): its
 * tallies and long-window head count every minute, so a burn rule whose long window overlaps an
 * excluded window is left to the scheduled path, which leaves the window out exactly. Wallet
 * spends fail at 1% for the hour; a window covered its first half and has ended (nothing muted).
 */
describe('streaming burn-rate alerts after a maintenance window excluded from budgets', () => {
  async function streamingFires(excludeFromBudget: boolean): Promise<string[]> {
    const env = await AlertEnv.open();
    try {
      await env.insertCountEvents('product.wallet.spend.success', { feature: 'chat' }, T - 60 * MIN, T - 15 * MIN, 99);
      await env.insertCountEvents('product.wallet.spend.failed', { feature: 'chat', reason: 'timeout' }, T - 60 * MIN, T - 15 * MIN, 1);
      await env.aggregate(T - 15 * MIN);
      await new WarehouseMaintenanceStore(env.warehouse).save(
        createMaintenanceWindow({ module: 'wallet', title: 'Payment provider upgrade', excludeFromBudget, startsAtMs: T - 60 * MIN, endsAtMs: T - 30 * MIN, recurrence: null, createdBy: 'ana' }, T - 2 * 60 * MIN, 'mw-stream'),
      );
      const runtime = env.runtime();
      const fired: string[] = [];
      const streaming = new StreamingAlerts({
        plan: streamingPlan(runtime.rules),
        tallies: new MemoryTallyStore(),
        warehouse: () => Promise.resolve(env.warehouse),
        runtime: () => runtime,
        clock: env.clock,
        logger: env.logger,
        onReport: (report) => fired.push(...report.transitions.filter((t) => t.to === 'firing').map((t) => t.fingerprint)),
      });
      const ingest = new IngestHandler({ warehouse: env.warehouse, now: () => env.clock.now(), log: silentIngestLog, onStored: (id, events) => streaming.observe(id, events) });
      env.clock.set(T);
      // The last five minutes, as they arrive: 99 spends and one failure a minute.
      const events = [];
      for (let m = 5; m >= 1; m--) {
        events.push({ id: `ok-${m}`, name: 'product.wallet.spend.success', kind: 'count', value: 99, ts: T - m * MIN, tags: { feature: 'chat' } });
        events.push({ id: `bad-${m}`, name: 'product.wallet.spend.failed', kind: 'count', value: 1, ts: T - m * MIN + 1_000, tags: { feature: 'chat', reason: 'timeout' } });
      }
      await ingest.handle({ id: 'm-1', data: JSON.stringify({ schema: 'metrics.v1', source: { service: 'wallet', environment: 'test' }, events }) });
      await streaming.idle();
      return fired;
    } finally {
      await env.close();
    }
  }

  it('counted, the streaming path fires the page burn', async () => {
    expect(await streamingFires(false)).toContain(PAGE);
  });

  it('excluded, it leaves the burn rule to the scheduled path', async () => {
    expect(await streamingFires(true)).not.toContain(PAGE);
  });
});
