import { defaultAlertRules } from '../../../../alerts/rules/rule-set';
import type { AlertInstance, Observation } from '../../../../alerts/model/alert-instance';
import { streamingPlan } from '../../../../alerts/streaming/plan';
import { oldestSlotMs, rollupCutoffMs, streamingObservations, type LongWindowHead } from '../../../../alerts/streaming/streaming-observations';
import { tallyIncrements } from '../../../../alerts/streaming/tally';
import { MemoryTallyStore, type TallyRead } from '../../../../alerts/streaming/tally-store';
import type { MetricEvent } from '../../../../shared/event-schema';
import { instance } from '../helpers';

/**
 * Issue #15: the streaming rules' observations on the partial windows the tallies hold. What a
 * user notices: the wallet P0 pages at the 11th failed spend in 10 minutes (not the 10th, not for
 * spends older than the window), a resolved alert is not re-fired by the episode that already
 * closed, and the wallet page-tier burn rule judges 1h (rollup head + tallies) AND 5m.
 */
const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0) + 7 * MIN + 30_000; // 12:07:30, mid-minute
const plan = streamingPlan(defaultAlertRules());
const WALLET_P0 = 'wallet-spend-failures-critical';
const WALLET_PAGE = 'slo-wallet-spend-success-burn-page';

let seq = 0;
const failed = (ts: number): MetricEvent => ({ id: `f${++seq}`, name: 'product.wallet.spend.failed', kind: 'count', value: 1, ts, tags: { feature: 'chat', reason: 'provider_error' } });
const success = (ts: number): MetricEvent => ({ id: `s${++seq}`, name: 'product.wallet.spend.success', kind: 'count', value: 1, ts, tags: { feature: 'chat' } });
const times = (n: number, from: number, step = 1_000): number[] => Array.from({ length: n }, (_, i) => from + i * step);

/** The tallies after ingest stored `events`, each at its own time (as it would arrive), read at `nowMs`. */
async function talliesOf(events: readonly MetricEvent[], nowMs = NOW): Promise<TallyRead> {
  const store = new MemoryTallyStore();
  let batch = 0;
  for (const event of events) await store.add(`m${batch++}`, tallyIncrements(plan, [event], event.ts + 500), event.ts + 500);
  return store.read(plan.keys, oldestSlotMs(plan, nowMs));
}

async function observe(events: readonly MetricEvent[], options: { head?: LongWindowHead; instances?: AlertInstance[]; nowMs?: number } = {}): Promise<Map<string, Observation>> {
  const nowMs = options.nowMs ?? NOW;
  const observations = streamingObservations(plan, await talliesOf(events, nowMs), options.head ?? new Map(), new Map((options.instances ?? []).map((i) => [i.fingerprint, i])), nowMs);
  return new Map(observations.map((o) => [o.ruleId, o]));
}

describe('wallet P0 on the streaming path: sum of failed spends over 10 minutes > 10', () => {
  it('breaches at the 11th failure within the window, with the value a person reads in the page (11 > 10)', async () => {
    const o = (await observe(times(11, NOW - 8 * MIN, 20_000).map(failed))).get(WALLET_P0)!;
    expect([o.breaching, o.value, o.threshold]).toEqual([true, 11, 10]);
  });

  it('does not breach at 10', async () => {
    const o = (await observe(times(10, NOW - 8 * MIN, 20_000).map(failed))).get(WALLET_P0)!;
    expect([o.breaching, o.value]).toEqual([false, 10]);
  });

  it('does not breach when the 11 are older than the window', async () => {
    const o = (await observe(times(11, NOW - 11 * MIN, 1_000).map(failed))).get(WALLET_P0)!;
    expect([o.breaching, o.value]).toEqual([false, 0]);
  });

  it('never counts more than the scheduled window: failures 10 min 5 s old are out, 9 min 55 s old are in', async () => {
    const slotAligned = Date.UTC(2026, 10, 26, 12, 10, 0);
    const at = (ageMs: number) => times(11, slotAligned - ageMs, 0).map(failed);
    expect((await observe(at(10 * MIN + 5_000), { nowMs: slotAligned })).get(WALLET_P0)!.value).toBe(0);
    expect((await observe(at(10 * MIN - 5_000), { nowMs: slotAligned })).get(WALLET_P0)!.value).toBe(11);
  });

  it('counts the other P0 rules independently: 11 failed spends breach nothing else', async () => {
    const all = await observe(times(11, NOW - 2 * MIN).map(failed));
    expect([...all.values()].filter((o) => o.breaching).map((o) => o.ruleId)).toEqual([WALLET_P0]);
  });
});

describe('the "after it resolved" cut: an episode the scheduled path closed never fires again from the streaming path', () => {
  // Resolved at R = 12:05:00 (a slot boundary): slots that start at or before R do not count.
  const R = NOW - 2.5 * MIN;
  const resolved = instance({ fingerprint: WALLET_P0, ruleId: WALLET_P0, state: 'resolved', firedAtMs: R - 10 * MIN, resolvedAtMs: R, activeAtMs: null });

  it('11 failures before R (inside the 10-minute window) do not breach once the instance resolved at R', async () => {
    const events = times(11, R - 3 * MIN, 10_000).map(failed);
    expect((await observe(events)).get(WALLET_P0)!.breaching).toBe(true); // without the stored instance: they would
    const o = (await observe(events, { instances: [resolved] })).get(WALLET_P0)!;
    expect([o.breaching, o.value]).toEqual([false, 0]);
  });

  it('the slot R falls in does not count either (slot resolution), even for failures a few seconds after R', async () => {
    const o = (await observe(times(11, R + 1_000, 500).map(failed), { instances: [resolved] })).get(WALLET_P0)!;
    expect([o.breaching, o.value]).toEqual([false, 0]);
  });

  it('new failures in the slots after R count, and only they: 5 before + 11 after breaches at 11, not 16', async () => {
    const events = [...times(5, R - MIN, 5_000).map(failed), ...times(11, R + 10_000, 5_000).map(failed)];
    const o = (await observe(events, { instances: [resolved] })).get(WALLET_P0)!;
    expect([o.breaching, o.value]).toEqual([true, 11]);
    expect((await observe(events)).get(WALLET_P0)!.value).toBe(16);
  });

  it('a firing (not resolved) instance is not cut: its window is the whole 10 minutes', async () => {
    const firing = instance({ fingerprint: WALLET_P0, ruleId: WALLET_P0, state: 'firing', firedAtMs: R, resolvedAtMs: null });
    expect((await observe(times(11, R - 3 * MIN, 10_000).map(failed), { instances: [firing] })).get(WALLET_P0)!.value).toBe(11);
  });

  it('the cut is per alert: another rule resolved at R does not cut the wallet P0', async () => {
    const other = instance({ fingerprint: 'call-failures-critical', ruleId: 'call-failures-critical', state: 'resolved', resolvedAtMs: R });
    expect((await observe(times(11, R - 3 * MIN, 10_000).map(failed), { instances: [other] })).get(WALLET_P0)!.breaching).toBe(true);
  });
});

describe('wallet-spend-success page tier (1h AND 5m at 14.4×, at least 100 events in the hour) on the streaming path', () => {
  const cutoff = rollupCutoffMs(NOW); // 11:52: the head covers [11:07, 11:52), the tallies [11:52, now)
  const head = (total: number, good = 0): LongWindowHead => new Map([['wallet-spend-success', { good, total }]]);
  const burn = (o: Observation) => ({ breaching: o.breaching, events: (o.detail as { events: Record<string, unknown> }).events });

  it('the cutoff is 15 minutes before the current minute', () => {
    expect(cutoff).toBe(Date.UTC(2026, 10, 26, 11, 52, 0));
  });

  it('at 100% errors it breaches when head + tail reach the 100 events of the guard: 60 rolled up + 40 in the last 5 minutes', async () => {
    const o = (await observe(times(40, NOW - 4 * MIN, 5_000).map(failed), { head: head(60) })).get(WALLET_PAGE)!;
    expect(burn(o)).toMatchObject({ breaching: true, events: { '1h': { total: 100, bad: 100 }, '5m': { total: 40, bad: 40 } } });
    expect(o.value).toBeCloseTo(1 / (1 - 0.9995), 6); // 2000× burn
    expect(o.threshold).toBe(14.4);
  });

  it('does not breach one event short of the guard (59 + 40)', async () => {
    const o = (await observe(times(40, NOW - 4 * MIN, 5_000).map(failed), { head: head(59) })).get(WALLET_PAGE)!;
    expect(burn(o)).toMatchObject({ breaching: false, events: { '1h': { total: 99, bad: 99 } } });
  });

  it('the tail counts tallies between the cutoff and the short window too (40 failures 10 min ago + 20 in the last 5 min + 40 rolled up)', async () => {
    const events = [...times(40, NOW - 10 * MIN, 5_000).map(failed), ...times(20, NOW - 3 * MIN, 5_000).map(failed)];
    const o = (await observe(events, { head: head(40) })).get(WALLET_PAGE)!;
    expect(burn(o)).toMatchObject({ breaching: true, events: { '1h': { total: 100, bad: 100 }, '5m': { total: 20, bad: 20 } } });
  });

  it('tallies older than the cutoff are not counted twice (the head already holds them)', async () => {
    const beforeCutoff = times(50, cutoff - 2 * MIN, 1_000).map(failed);
    const o = (await observe([...beforeCutoff, ...times(10, NOW - MIN, 1_000).map(failed)], { head: head(50) })).get(WALLET_PAGE)!;
    expect(burn(o).events).toMatchObject({ '1h': { total: 60, bad: 60 } });
    expect(o.breaching).toBe(false);
  });

  it('does not breach when the short window is clean: an hour of failures rolled up, but the last 5 minutes all succeed', async () => {
    const o = (await observe(times(30, NOW - 4 * MIN, 5_000).map(success), { head: head(500) })).get(WALLET_PAGE)!;
    expect(burn(o)).toMatchObject({ breaching: false, events: { '1h': { total: 530, bad: 500 }, '5m': { total: 30, bad: 0 } } });
  });

  it('does not breach when the long window burns slowly: a healthy hour with a short burst', async () => {
    // 10 failures in 5 min, 100,000 good spends in the hour: long burn 0.0001/0.0005 = 0.2× < 14.4.
    const o = (await observe(times(10, NOW - 4 * MIN, 5_000).map(failed), { head: head(100_000, 100_000) })).get(WALLET_PAGE)!;
    expect(burn(o)).toMatchObject({ breaching: false, events: { '1h': { total: 100_010, bad: 10 }, '5m': { total: 10, bad: 10 } } });
  });
});
