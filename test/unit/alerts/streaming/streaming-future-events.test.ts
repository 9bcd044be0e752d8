import { defaultAlertRules } from '../../../../alerts/rules/rule-set';
import { streamingPlan } from '../../../../alerts/streaming/plan';
import { oldestSlotMs, streamingObservations } from '../../../../alerts/streaming/streaming-observations';
import { tallyIncrements } from '../../../../alerts/streaming/tally';
import { MemoryTallyStore } from '../../../../alerts/streaming/tally-store';
import { validateEvent } from '../../../../shared/event-schema';

it('failures stamped 10 min in the future (producer clock ahead; the wire accepts up to 15 min) are not in the window ending now', async () => {
  const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
  const plan = streamingPlan(defaultAlertRules());
  const events = Array.from({ length: 11 }, (_, i) => ({ id: `f${i}`, name: 'product.wallet.spend.failed' as const, kind: 'count' as const, value: 1, ts: NOW + 10 * 60_000 + i, tags: {} }));
  for (const e of events) expect(validateEvent(e, { nowMs: NOW }).ok).toBe(true);
  const store = new MemoryTallyStore();
  await store.add('m', tallyIncrements(plan, events, NOW), NOW);
  const o = streamingObservations(plan, await store.read(plan.keys, oldestSlotMs(plan, NOW)), new Map(), new Map(), NOW).find((x) => x.ruleId === 'wallet-spend-failures-critical')!;
  expect([o.value, o.breaching]).toEqual([0, false]);
});
