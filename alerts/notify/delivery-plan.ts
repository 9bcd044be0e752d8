import type { NotificationBatch, NotificationKind, NotificationRecord } from './notification';

/** Batches that must go out one after another, in order; different chains go out concurrently. */
export interface DeliveryChain {
  readonly batches: readonly NotificationBatch[];
}

const KIND_ORDER: Readonly<Record<NotificationKind, number>> = { firing: 0, reminder: 1, resolved: 2 };

/** Whether `a` is to be sent before `b` within one alert: episode, then firing → reminders → resolved. */
export function sentBefore(a: NotificationRecord, b: NotificationRecord): boolean {
  return compareNotifications(a, b) < 0;
}

function compareNotifications(a: NotificationRecord, b: NotificationRecord): number {
  return a.episodeStartMs - b.episodeStartMs || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.sequence - b.sequence || a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The delivery plan of one channel's batches (pure). Batches that share an alert (a
 * fingerprint) form one chain, ordered so that an alert's firing goes before its reminders and
 * its resolve — PagerDuty must see the trigger before the resolve, or the incident never closes.
 * Every other pair of batches is independent. A grouping channel's one batch is one chain; a
 * per-alert channel (PagerDuty) has one chain per alert, which is what lets them go out at once.
 */
export function deliveryChains(batches: readonly NotificationBatch[]): DeliveryChain[] {
  const chains: NotificationBatch[][] = [];
  const chainOf = new Map<string, NotificationBatch[]>();
  for (const batch of batches) {
    const joined = [...new Set(batch.items.map((i) => chainOf.get(i.fingerprint)).filter((c): c is NotificationBatch[] => c !== undefined))];
    const chain = joined[0] ?? [];
    if (joined.length === 0) chains.push(chain);
    for (const other of joined.slice(1)) {
      chain.push(...other.splice(0));
      for (const b of chain) for (const i of b.items) chainOf.set(i.fingerprint, chain);
    }
    chain.push(batch);
    for (const item of batch.items) chainOf.set(item.fingerprint, chain);
  }
  const first = (batch: NotificationBatch) => batch.items.reduce((a, b) => (compareNotifications(b, a) < 0 ? b : a));
  return chains.filter((c) => c.length > 0).map((c) => ({ batches: [...c].sort((a, b) => compareNotifications(first(a), first(b))) }));
}

/**
 * An earlier notification of the same alert, channel and episode that is still pending but not
 * in this run's claim (backing off after a failure, or held by another run): `item` must wait
 * for it. Returns the first such, if any.
 */
export function waitingOn(item: NotificationRecord, pending: readonly NotificationRecord[], claimedIds: ReadonlySet<string>): NotificationRecord | undefined {
  return pending.find(
    (p) => p.channel === item.channel && p.fingerprint === item.fingerprint && p.episodeStartMs === item.episodeStartMs && p.id !== item.id && !claimedIds.has(p.id) && sentBefore(p, item),
  );
}
