import { lifecycleRule, stepAll, stepInstance } from '../../../alerts/lifecycle/lifecycle';
import type { AlertInstance, Observation } from '../../../alerts/model/alert-instance';
import { instanceToRecord, recordToInstance } from '../../../alerts/state/row-codec';
import { instance, MIN, T0, thresholdRule } from './helpers';

const obs = (breaching: boolean, value = breaching ? 20 : 0): Observation => ({
  fingerprint: 'test-rule',
  ruleId: 'test-rule',
  labels: { alertname: 'test-rule' },
  value,
  threshold: 10,
  breaching,
  detail: {},
});

/** Runs the lifecycle over a sequence of (minute, condition) evaluations; returns the states. */
function run(rule = thresholdRule(), sequence: Array<[number, boolean]>): string[] {
  const r = lifecycleRule(rule);
  let state: AlertInstance | undefined;
  const seen: string[] = [];
  for (const [minute, holds] of sequence) {
    const step = stepInstance(r, state, obs(holds), T0 + minute * MIN, 'run');
    state = step.next ? { ...step.next, version: (state?.version ?? 0) + 1 } : state;
    seen.push(`${minute}:${state?.state ?? 'inactive'}${step.transitions.map((t) => `(${t.from}→${t.to})`).join('')}`);
  }
  return seen;
}

describe('alert lifecycle: inactive → pending → firing → resolved', () => {
  it('with for = 0 an alert fires at the first breach (as Prometheus), and resolves when it stops', () => {
    expect(run(thresholdRule(), [[0, false], [1, true], [2, true], [3, false]])).toEqual([
      '0:inactive',
      '1:firing(inactive→firing)',
      '2:firing',
      '3:resolved(firing→resolved)',
    ]);
  });

  it('with for = 15m it stays pending until the condition has held 15 minutes', () => {
    expect(run(thresholdRule({ forSeconds: 900 }), [[0, true], [14, true], [15, true]])).toEqual([
      '0:pending(inactive→pending)',
      '14:pending',
      '15:firing(pending→firing)',
    ]);
  });

  it('a pending alert whose condition stops goes back to inactive without ever firing', () => {
    expect(run(thresholdRule({ forSeconds: 900 }), [[0, true], [5, false], [6, true]])).toEqual([
      '0:pending(inactive→pending)',
      '5:inactive(pending→inactive)',
      '6:pending(inactive→pending)',
    ]);
  });

  it('keep_firing_for holds a flapping alert firing; it resolves once the condition has been false that long', () => {
    expect(run(thresholdRule({ keepFiringForSeconds: 300 }), [[0, true], [1, false], [2, true], [3, false], [7, false], [8, false]])).toEqual([
      '0:firing(inactive→firing)',
      '1:firing',
      '2:firing',
      '3:firing',
      '7:firing',
      '8:resolved(firing→resolved)',
    ]);
  });

  it('a resolved alert that breaches again starts a new episode with a new firedAt', () => {
    const r = lifecycleRule(thresholdRule());
    const first = stepInstance(r, undefined, obs(true), T0, 'a').next!;
    const resolved = stepInstance(r, first, obs(false), T0 + MIN, 'a').next!;
    const again = stepInstance(r, resolved, obs(true), T0 + 5 * MIN, 'a').next!;
    expect([first.firedAtMs, resolved.state, resolved.resolvedAtMs, again.state, again.firedAtMs, again.resolvedAtMs]).toEqual([T0, 'resolved', T0 + MIN, 'firing', T0 + 5 * MIN, null]);
  });

  it('stepAll resolves a firing instance whose series vanished, and one whose rule was removed', () => {
    const rule = thresholdRule({ groupBy: ['feature'] });
    const firing = (fingerprint: string, ruleId: string): AlertInstance => ({
      ...stepInstance(lifecycleRule({ ...rule, id: ruleId }), undefined, { ...obs(true), fingerprint, ruleId }, T0, 'a').next!,
      version: 1,
    });
    const result = stepAll([rule], [firing('test-rule{feature=chat}', 'test-rule'), firing('gone-rule', 'gone-rule')], [], T0 + MIN, 'b');
    expect(result.transitions.map((t) => [t.fingerprint, t.from, t.to])).toEqual([
      ['test-rule{feature=chat}', 'firing', 'resolved'],
      ['gone-rule', 'firing', 'resolved'],
    ]);
    expect(result.writes.map((w) => w.expectedVersion)).toEqual([1, 1]);
  });

  it('stepAll writes nothing for rules that are quiet and have no stored state', () => {
    expect(stepAll([thresholdRule()], [], [obs(false)], T0, 'a').writes).toEqual([]);
  });
});

describe('the value an alert fired with (issue 12: resolve texts read "0 > 10")', () => {
  it('is kept from the firing step through keep_firing_for to the resolve, and cleared for a new episode', () => {
    const r = lifecycleRule(thresholdRule({ keepFiringForSeconds: 120 }));
    const fired = stepInstance(r, undefined, obs(true, 14), T0, 'a');
    expect(fired.next?.firedValue).toBe(14);
    const higher = stepInstance(r, fired.next, obs(true, 25), T0 + MIN, 'a').next!;
    expect(higher).toMatchObject({ value: 25, firedValue: 14 });
    const recovering = stepInstance(r, higher, obs(false, 0), T0 + 2 * MIN, 'a').next!;
    expect(recovering).toMatchObject({ state: 'firing', value: 0, firedValue: 14, keepFiringSinceMs: T0 + 2 * MIN });
    expect(recovering.annotations.keepFiringForSeconds).toBe(120);
    const resolved = stepInstance(r, recovering, obs(false, 0), T0 + 4 * MIN, 'a');
    expect(resolved.next).toMatchObject({ state: 'resolved', value: 0, firedValue: 14 });
    expect(resolved.transitions[0]).toMatchObject({ to: 'resolved', value: 0, firedValue: 14 });
    expect(stepInstance(r, resolved.next, obs(true, 30), T0 + 10 * MIN, 'a').next?.firedValue).toBe(30);
  });

  it('survives the state row (kept in its detail JSON) and reads as absent from older rows', () => {
    const stored = instance({ value: 0, firedValue: 14, detail: { events: 3 } });
    expect(recordToInstance(instanceToRecord(stored))).toEqual(stored);
    expect(recordToInstance(instanceToRecord(instance({ firedValue: null })))).toEqual(instance({ firedValue: null }));
    const older = recordToInstance({ ...instanceToRecord(instance()), detail: '{"events":3}' });
    expect(older.firedValue).toBeUndefined();
    expect(older.detail).toEqual({ events: 3 });
  });
});
