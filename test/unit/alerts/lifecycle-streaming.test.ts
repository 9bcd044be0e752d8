import { lifecycleRule, stepAll, stepInstance, STREAMING_HANDOVER_MS } from '../../../alerts/lifecycle/lifecycle';
import type { AlertInstance, FiringPath, Observation } from '../../../alerts/model/alert-instance';
import { instanceToRecord, recordToInstance } from '../../../alerts/state/row-codec';
import { instance, MIN, T0, thresholdRule } from './helpers';

/**
 * Issue #15: the handover between the two paths. An alert the streaming path fired from the
 * events stays firing while the scheduled path's rollups catch up (STREAMING_HANDOVER_MS, 5 min):
 * without it the next scheduled run — whose rollups do not hold the burst yet — would start
 * keep_firing_for at once and resolve a real incident minutes after paging for it.
 */
const rule = thresholdRule({ id: 'wallet-p0', keepFiringForSeconds: 300 });
const r = lifecycleRule(rule);
const obs = (breaching: boolean, value = breaching ? 11 : 0): Observation => ({ fingerprint: 'wallet-p0', ruleId: 'wallet-p0', labels: { alertname: 'wallet-p0' }, value, threshold: 10, breaching, detail: {} });

/** Fires at T0 on `path`, then runs the scheduled path at each (ms after T0, breaching); returns "offset:state[keepFiringSince]" lines. */
function afterFiring(path: FiringPath, steps: Array<[number, boolean]>): string[] {
  const fired = stepInstance(r, undefined, obs(true), T0, 'fire', path);
  expect(fired.transitions.map((t) => `${t.from}→${t.to}`)).toEqual(['inactive→firing']);
  let state = { ...fired.next!, version: 1 };
  const seen: string[] = [];
  for (const [offset, holds] of steps) {
    const step = stepInstance(r, state, obs(holds), T0 + offset, `run-${offset}`);
    state = { ...(step.next ?? state), version: state.version + 1 };
    const since = state.keepFiringSinceMs === null ? '' : `[keep since +${(state.keepFiringSinceMs - T0) / 1000}s]`;
    seen.push(`+${offset / 1000}s:${state.state}${since}${step.transitions.map((t) => `(${t.from}→${t.to})`).join('')}`);
  }
  return seen;
}

describe('the handover: the scheduled path leaves a streaming-fired alert firing for 5 minutes', () => {
  it('is 5 minutes', () => {
    expect(STREAMING_HANDOVER_MS).toBe(5 * MIN);
  });

  it('not breaching on schedule before firedAt + 5 min leaves it firing, keep_firing_for not started; from then on keep_firing_for (5 min) runs and it resolves', () => {
    expect(
      afterFiring('streaming', [
        [1 * MIN, false],
        [4 * MIN, false],
        [5 * MIN - 1, false],
        [5 * MIN, false],
        [9 * MIN, false],
        [10 * MIN - 1, false],
        [10 * MIN, false],
      ]),
    ).toEqual([
      '+60s:firing',
      '+240s:firing',
      '+299.999s:firing',
      '+300s:firing[keep since +300s]',
      '+540s:firing[keep since +300s]',
      '+599.999s:firing[keep since +300s]',
      '+600s:resolved(firing→resolved)',
    ]);
  });

  it('the scheduled path seeing the breach during the handover keeps it firing as usual', () => {
    expect(afterFiring('streaming', [[1 * MIN, true], [2 * MIN, false], [6 * MIN, true], [7 * MIN, false], [12 * MIN, false]])).toEqual([
      '+60s:firing',
      '+120s:firing',
      '+360s:firing',
      '+420s:firing[keep since +420s]',
      '+720s:resolved(firing→resolved)',
    ]);
  });

  it('a scheduled-fired alert is unaffected: keep_firing_for starts at the first clean run and it resolves 5 minutes later', () => {
    expect(afterFiring('scheduled', [[1 * MIN, false], [5 * MIN, false], [6 * MIN, false]])).toEqual([
      '+60s:firing[keep since +60s]',
      '+300s:firing[keep since +60s]',
      '+360s:resolved(firing→resolved)',
    ]);
  });

  it('during the handover the alert keeps the value it fired with (the lagging rollups say 0); after it, the scheduled value', () => {
    let state = { ...stepInstance(r, undefined, obs(true, 14), T0, 'fire', 'streaming').next!, version: 1 };
    const values: Array<number | null> = [];
    for (const offset of [1 * MIN, 4 * MIN, 5 * MIN]) {
      state = { ...stepInstance(r, state, obs(false, 0), T0 + offset, 'run').next!, version: state.version + 1 };
      values.push(state.value);
    }
    expect(values).toEqual([14, 14, 0]);
    expect(state.firedValue).toBe(14);
  });

  it('stepAll: a streaming-fired instance not observed by a scheduled run (its series vanished) is also held through the handover', () => {
    const fired = { ...stepInstance(r, undefined, obs(true), T0, 'fire', 'streaming').next!, version: 1 };
    expect(stepAll([rule], [fired], [], T0 + 2 * MIN, 'run').transitions).toEqual([]);
    const after = stepAll([rule], [fired], [], T0 + 5 * MIN, 'run');
    expect(after.writes.map((w) => [w.next.state, w.next.keepFiringSinceMs])).toEqual([['firing', T0 + 5 * MIN]]);
  });
});

describe('firedBy: which path fired an alert', () => {
  it("is 'scheduled' by default and 'streaming' when the streaming path fires it", () => {
    expect(stepInstance(r, undefined, obs(true), T0, 'run').next!.firedBy).toBe('scheduled');
    expect(stepInstance(r, undefined, obs(true), T0, 'run', 'streaming').next!.firedBy).toBe('streaming');
  });

  it('with for > 0 it is the path that moved it from pending to firing', () => {
    const slow = lifecycleRule(thresholdRule({ id: 'wallet-p0', forSeconds: 120 }));
    const pending = { ...stepInstance(slow, undefined, obs(true), T0, 'a').next!, version: 1 };
    expect([pending.state, pending.firedBy]).toEqual(['pending', undefined]);
    const fired = stepInstance(slow, pending, obs(true), T0 + 2 * MIN, 'b', 'streaming').next!;
    expect([fired.state, fired.firedBy]).toEqual(['firing', 'streaming']);
  });

  it('stays while the alert fires, and a new episode records its own path', () => {
    const fired = { ...stepInstance(r, undefined, obs(true), T0, 'a', 'streaming').next!, version: 1 };
    const still = { ...stepInstance(r, fired, obs(true), T0 + MIN, 'b').next!, version: 2 };
    expect(still.firedBy).toBe('streaming');
    const resolved = { ...stepInstance(r, { ...still, firedAtMs: T0 - 20 * MIN, keepFiringSinceMs: T0 - 10 * MIN }, obs(false), T0 + 2 * MIN, 'c').next!, version: 3 };
    expect(resolved.state).toBe('resolved');
    const again = stepInstance(r, resolved, obs(true), T0 + 30 * MIN, 'd').next!;
    expect([again.state, again.firedBy, again.firedAtMs]).toEqual(['firing', 'scheduled', T0 + 30 * MIN]);
  });

  it.each<[string, Partial<AlertInstance>]>([
    ['streaming', { firedBy: 'streaming' }],
    ['scheduled', { firedBy: 'scheduled' }],
    ['absent (instances stored before issue #15)', {}],
  ])('survives the row codec round trip: %s', (_name, fields) => {
    const original = instance({ detail: { slo: 'x', pairs: [1, 2] }, firedValue: 23, ...fields });
    const back = recordToInstance(instanceToRecord(original));
    expect(back).toEqual(original);
    expect(back.detail).toEqual({ slo: 'x', pairs: [1, 2] }); // not leaked into the detail a person reads
  });

  it('a stored detail with an unknown firedBy reads as absent (not trusted)', () => {
    const record = instanceToRecord(instance());
    const back = recordToInstance({ ...record, detail: JSON.stringify({ firedBy: 'manual' }) });
    expect(back.firedBy).toBeUndefined();
    expect(back.detail).toEqual({});
  });
});
