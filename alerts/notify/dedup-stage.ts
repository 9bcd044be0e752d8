import type { AlertInstance } from '../model/alert-instance';
import type { Muter, MuteReason } from '../mute/muter';
import type { ChannelRoute } from '../routing/route-tree';
import { pendingNotification, type NotificationRecord } from './notification';

/** How far back the ledger is read to decide (and how long a resolve may still be sent). */
export const LEDGER_LOOKBACK_MS = 7 * 86_400_000;

export interface MutedAlert {
  readonly fingerprint: string;
  readonly reason: MuteReason;
}

export interface DedupInput {
  /** Stored instances after this run's lifecycle step. */
  readonly instances: readonly AlertInstance[];
  readonly routeOf: (instance: AlertInstance) => readonly ChannelRoute[];
  readonly muter: Muter;
  /** Ledger rows created within {@link LEDGER_LOOKBACK_MS}, plus every pending one. */
  readonly ledger: readonly NotificationRecord[];
  readonly nowMs: number;
  /**
   * Alert episodes (`fingerprint \0 firedAtMs`) whose reminders are held back: those of an
   * acknowledged incident (incidents/incident-tracker.ts `quietEpisodes`). Their firing and
   * resolve notifications are unaffected.
   */
  readonly quiet?: ReadonlySet<string>;
}

export interface DedupDecision {
  /** Notifications to record (idempotently: a row with the same id already stored is kept as is). */
  readonly due: readonly NotificationRecord[];
  readonly muted: readonly MutedAlert[];
}

/**
 * The dedup stage: a pure decision over the notification ledger (Alertmanager's DedupStage over
 * its notification log). Per firing episode and channel:
 *
 * - firing, nothing recorded yet → `firing` (unless muted: then nothing, and it is tried again
 *   next run, so an alert that outlives its silence is notified then);
 * - firing, last firing/reminder at least the route's repeat interval ago → `reminder` n+1
 *   (unless muted);
 * - resolved, a firing or reminder was recorded for this episode and channel, no resolve yet →
 *   `resolved`. Resolves are never muted: a muted resolve would leave a PagerDuty incident open.
 */
export function decideNotifications(input: DedupInput): DedupDecision {
  const byEpisode = new Map<string, NotificationRecord[]>();
  for (const row of input.ledger) {
    const key = `${row.fingerprint}\u0000${row.episodeStartMs}`;
    let list = byEpisode.get(key);
    if (!list) byEpisode.set(key, (list = []));
    list.push(row);
  }
  const due: NotificationRecord[] = [];
  const muted: MutedAlert[] = [];
  for (const instance of input.instances) {
    if (instance.firedAtMs === null) continue;
    const episode = byEpisode.get(`${instance.fingerprint}\u0000${instance.firedAtMs}`) ?? [];
    if (instance.state === 'firing') {
      const reason = input.muter.mutes(instance.labels, instance.fingerprint);
      if (reason) {
        muted.push({ fingerprint: instance.fingerprint, reason });
        continue;
      }
      for (const route of input.routeOf(instance)) {
        const sent = episode.filter((r) => r.channel === route.channel && r.kind !== 'resolved');
        if (sent.length === 0) {
          due.push(pendingNotification(route.channel, instance, 'firing', 0, input.nowMs));
          continue;
        }
        if (input.quiet?.has(`${instance.fingerprint}\u0000${instance.firedAtMs}`)) continue;
        const last = sent.reduce((a, b) => (b.createdAtMs > a.createdAtMs ? b : a));
        if (input.nowMs - last.createdAtMs >= route.repeatIntervalSeconds * 1000) {
          const sequence = Math.max(...sent.map((r) => r.sequence)) + 1;
          due.push(pendingNotification(route.channel, instance, 'reminder', sequence, input.nowMs));
        }
      }
    } else if (instance.state === 'resolved' && instance.resolvedAtMs !== null && input.nowMs - instance.resolvedAtMs <= LEDGER_LOOKBACK_MS) {
      const channels = new Set(episode.filter((r) => r.kind !== 'resolved').map((r) => r.channel));
      for (const channel of channels) {
        if (episode.some((r) => r.channel === channel && r.kind === 'resolved')) continue;
        due.push(pendingNotification(channel, instance, 'resolved', 0, input.nowMs));
      }
    }
  }
  return { due, muted };
}
