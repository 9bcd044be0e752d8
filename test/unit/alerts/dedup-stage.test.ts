import { decideNotifications } from '../../../alerts/notify/dedup-stage';
import type { NotificationRecord } from '../../../alerts/notify/notification';
import { routeAlert } from '../../../alerts/routing/route-tree';
import { ROUTES } from '../../../alerts/routing/routes';
import type { Muter } from '../../../alerts/mute/muter';
import { MIN, T0, instance } from './helpers';

const none: Muter = { mutes: () => undefined };
const all: Muter = { mutes: () => ({ by: 'silence', silenceId: 's', comment: 'maintenance' }) };
const routeOf = (i: ReturnType<typeof instance>) => routeAlert(ROUTES, i.labels);

function decide(instances = [instance()], ledger: NotificationRecord[] = [], nowMs = T0, muter = none) {
  return decideNotifications({ instances, routeOf, muter, ledger, nowMs });
}
const delivered = (rows: readonly NotificationRecord[]) => rows.map((r) => ({ ...r, status: 'delivered' as const }));

describe('dedup stage: a pure decision over the notification ledger', () => {
  it('a newly firing P0 wallet alert is due once on each routed channel', () => {
    const { due } = decide();
    expect(due.map((n) => [n.channel, n.kind, n.sequence]).sort()).toEqual([
      ['finance-email', 'firing', 0],
      ['oncall-slack', 'firing', 0],
      ['pagerduty', 'firing', 0],
    ]);
  });

  it('deciding again with those recorded gives nothing new, and the same decision twice gives the same ids', () => {
    const first = decide().due;
    expect(decide([instance()], [...first], T0 + MIN).due).toEqual([]);
    expect(decide().due.map((n) => n.id)).toEqual(first.map((n) => n.id));
  });

  it('reminds at the route repeat interval (30 min for P0), then again 30 min after the reminder', () => {
    const first = delivered(decide().due);
    expect(decide([instance()], first, T0 + 29 * MIN).due).toEqual([]);
    const reminders = decide([instance()], first, T0 + 30 * MIN).due;
    expect(reminders.map((n) => [n.kind, n.sequence])).toEqual([['reminder', 1], ['reminder', 1], ['reminder', 1]]);
    expect(decide([instance()], [...first, ...reminders], T0 + 59 * MIN).due).toEqual([]);
    expect(decide([instance()], [...first, ...reminders], T0 + 60 * MIN).due.map((n) => n.sequence)).toEqual([2, 2, 2]);
  });

  it('a resolved alert is due once as resolved on the channels that were told it fired', () => {
    const firedOnSlack = delivered(decide().due.filter((n) => n.channel === 'oncall-slack'));
    const resolved = instance({ state: 'resolved', resolvedAtMs: T0 + 10 * MIN });
    const { due } = decide([resolved], firedOnSlack, T0 + 10 * MIN);
    expect(due.map((n) => [n.channel, n.kind])).toEqual([['oncall-slack', 'resolved']]);
    expect(decide([resolved], [...firedOnSlack, ...due], T0 + 11 * MIN).due).toEqual([]);
  });

  it('a muted firing alert is not notified (and is reported muted); its resolve still is', () => {
    const { due, muted } = decide([instance()], [], T0, all);
    expect(due).toEqual([]);
    expect(muted).toEqual([{ fingerprint: 'test-rule', reason: { by: 'silence', silenceId: 's', comment: 'maintenance' } }]);
    const fired = delivered(decide().due);
    const resolved = instance({ state: 'resolved', resolvedAtMs: T0 + MIN });
    expect(decide([resolved], fired, T0 + MIN, all).due).toHaveLength(3);
  });

  it('an alert that resolved without anyone being told sends no resolve', () => {
    expect(decide([instance({ state: 'resolved', resolvedAtMs: T0 + MIN })], [], T0 + MIN).due).toEqual([]);
  });

  it('pending alerts are not notified', () => {
    expect(decide([instance({ state: 'pending', firedAtMs: null })]).due).toEqual([]);
  });
});
