import type { AlertStore } from '../../../../alerts/state/alert-store';
import { createSilence } from '../../../../alerts/mute/silences';
import { parseMatcher } from '../../../../alerts/model/matchers';
import { pendingNotification } from '../../../../alerts/notify/notification';
import { MIN, T0 } from './alert-env';
import { walletInstance } from './batches';

export interface OpenedStore {
  readonly store: AlertStore;
  close(): Promise<void>;
}

/**
 * The AlertStore contract (alerts/state/alert-store.ts), run against every adapter: the
 * compare-and-set and the claims are what keep two overlapping evaluator runs from notifying twice.
 */
export function alertStoreContract(open: () => Promise<OpenedStore>): void {
  let opened: OpenedStore;
  let store: AlertStore;
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });
  afterEach(() => opened.close());

  const note = (channel: 'oncall-slack' | 'pagerduty', fingerprint = 'wallet-spend-failures-critical', createdAtMs = T0) =>
    pendingNotification(channel, walletInstance({ fingerprint }), 'firing', 0, createdAtMs);

  const cas = async (next: ReturnType<typeof walletInstance>, expectedVersion: number) => (await store.compareAndSetInstances([{ next, expectedVersion }])).has(next.fingerprint);

  it('compare-and-set creates an absent instance, refuses a second create, and updates only from the stored version', async () => {
    const first = walletInstance({ updatedBy: 'run-a' });
    expect(await cas(first, 0)).toBe(true);
    expect(await cas({ ...first, updatedBy: 'run-b' }, 0)).toBe(false);
    expect(await cas({ ...first, state: 'resolved', updatedBy: 'run-c' }, 2)).toBe(false);
    expect(await cas({ ...first, state: 'resolved', resolvedAtMs: T0 + MIN, updatedBy: 'run-d' }, 1)).toBe(true);
    const [stored] = await store.loadInstances();
    expect(stored).toEqual({ ...first, state: 'resolved', resolvedAtMs: T0 + MIN, updatedBy: 'run-d', version: 2 });
  });

  it('applies each write of a batch on its own: the ones that lost are reported, the rest are stored', async () => {
    await cas(walletInstance({ fingerprint: 'a', updatedBy: 'run-0' }), 0);
    const won = await store.compareAndSetInstances([
      { next: walletInstance({ fingerprint: 'a', updatedBy: 'run-1' }), expectedVersion: 0 }, // lost: a exists
      { next: walletInstance({ fingerprint: 'b', updatedBy: 'run-1' }), expectedVersion: 0 },
      { next: walletInstance({ fingerprint: 'c{x=1}', updatedBy: 'run-1' }), expectedVersion: 0 },
    ]);
    expect([...won].sort()).toEqual(['b', 'c{x=1}']);
    expect((await store.loadInstances()).map((i) => [i.fingerprint, i.updatedBy]).sort()).toEqual([['a', 'run-0'], ['b', 'run-1'], ['c{x=1}', 'run-1']]);
  });

  it('of concurrent compare-and-sets from the same version, exactly one wins', async () => {
    await cas(walletInstance(), 0);
    const results = await Promise.all(['a', 'b', 'c'].map((run) => cas(walletInstance({ state: 'resolved', updatedBy: run }), 1)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const [stored] = await store.loadInstances();
    expect(stored!.version).toBe(2);
  });

  it('records a notification once, whoever records it and however often', async () => {
    await store.recordNotifications([note('oncall-slack')]);
    await Promise.all([store.recordNotifications([note('oncall-slack', undefined, T0 + 5)]), store.recordNotifications([note('oncall-slack'), note('pagerduty')])]);
    const ledger = await store.loadLedger(0);
    expect(ledger.map((n) => [n.channel, n.createdAtMs, n.status]).sort()).toEqual([
      ['oncall-slack', T0, 'pending'],
      ['pagerduty', T0, 'pending'],
    ]);
  });

  it('two concurrent claims never get the same notification', async () => {
    await store.recordNotifications([note('oncall-slack', 'a'), note('oncall-slack', 'b'), note('oncall-slack', 'c'), note('pagerduty', 'a')]);
    const claim = (token: string) => store.claimPending({ channel: 'oncall-slack', claimToken: token, nowMs: T0, staleBeforeMs: T0 - 5 * MIN, limit: 100 });
    const [x, y] = await Promise.all([claim('x'), claim('y')]);
    const ids = [...x, ...y].map((n) => n.fingerprint).sort();
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(x.length === 0 || y.length === 0).toBe(true);
  });

  it('a fresh claim is respected; a stale one is taken over; not-yet-due rows wait', async () => {
    await store.recordNotifications([note('oncall-slack')]);
    const claim = (token: string, nowMs: number) => store.claimPending({ channel: 'oncall-slack', claimToken: token, nowMs, staleBeforeMs: nowMs - 5 * MIN, limit: 100 });
    expect(await claim('first', T0)).toHaveLength(1);
    expect(await claim('second', T0 + MIN)).toHaveLength(0);
    const [taken] = await claim('third', T0 + 6 * MIN);
    expect(taken!.claimToken).toBe('third');
    await store.completeDelivery(taken!.id, 'third', { status: 'retry', atMs: T0 + 6 * MIN, nextAttemptAtMs: T0 + 8 * MIN, error: 'HTTP 500' });
    expect(await claim('fourth', T0 + 7 * MIN)).toHaveLength(0);
    expect(await claim('fifth', T0 + 8 * MIN)).toMatchObject([{ attempts: 1, lastError: 'HTTP 500' }]);
  });

  it('completing under someone else\'s claim changes nothing; delivered leaves the pending set', async () => {
    const n = note('oncall-slack');
    await store.recordNotifications([n]);
    await store.claimPending({ channel: 'oncall-slack', claimToken: 'mine', nowMs: T0, staleBeforeMs: T0 - MIN, limit: 10 });
    await store.completeDelivery(n.id, 'not-mine', { status: 'delivered', atMs: T0 });
    expect((await store.loadLedger(0))[0]).toMatchObject({ status: 'pending', claimToken: 'mine' });
    await store.completeDelivery(n.id, 'mine', { status: 'delivered', atMs: T0 + 1 });
    expect((await store.loadLedger(0))[0]).toMatchObject({ status: 'delivered', deliveredAtMs: T0 + 1, attempts: 1, claimToken: null });
    expect(await store.claimPending({ channel: 'oncall-slack', claimToken: 'again', nowMs: T0 + MIN, staleBeforeMs: T0, limit: 10 })).toEqual([]);
  });

  it('completing a claim updates every notification it holds, and only those', async () => {
    await store.recordNotifications([note('oncall-slack', 'a'), note('oncall-slack', 'b'), note('pagerduty', 'a')]);
    await store.claimPending({ channel: 'oncall-slack', claimToken: 'grouped', nowMs: T0, staleBeforeMs: T0 - MIN, limit: 10 });
    await store.completeClaim('grouped', { status: 'retry', atMs: T0, nextAttemptAtMs: T0 + MIN, error: 'HTTP 429' });
    const ledger = await store.loadLedger(0);
    expect(ledger.map((n) => [n.channel, n.fingerprint, n.attempts, n.claimToken, n.nextAttemptAtMs, n.lastError]).sort()).toEqual([
      ['oncall-slack', 'a', 1, null, T0 + MIN, 'HTTP 429'],
      ['oncall-slack', 'b', 1, null, T0 + MIN, 'HTTP 429'],
      ['pagerduty', 'a', 0, null, T0, null],
    ]);
  });

  it('saves, lists and expires silences', async () => {
    const silence = createSilence({ matchers: [parseMatcher('module=wallet')], startsAtMs: T0, durationMs: 120 * MIN, createdBy: 'ana', comment: 'maintenance' }, T0, 'sil-1');
    await store.saveSilence(silence);
    expect(await store.loadSilences()).toEqual([silence]);
    expect(await store.expireSilence('sil-1', T0 + MIN)).toEqual({ ...silence, endsAtMs: T0 + MIN });
    expect(await store.expireSilence('nope', T0)).toBeUndefined();
    expect((await store.loadSilences())[0]!.endsAtMs).toBe(T0 + MIN);
  });
}
