import pLimit from 'p-limit';
import type { ChannelId } from '../../shared/channels';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Notifier, SendResult } from '../notifiers/notifier';
import { deliveryEntry, type AlertLog, type AlertLogEntry } from '../state/alert-log';
import type { AlertStore, DeliveryUpdate } from '../state/alert-store';
import { groupBatches } from './group-stage';
import type { NotificationKind } from './notification';
import { RETRY_POLICY, runBackoffMs, sendWithRetry, type RetryPolicy } from './retry-policy';

/** What happened to one message in this run. */
export interface DeliveryReport {
  readonly channel: ChannelId;
  readonly target: string;
  readonly notificationIds: readonly string[];
  readonly fingerprints: readonly string[];
  readonly kinds: readonly NotificationKind[];
  /** delivered; retry (stays pending for a later run); failed (given up). */
  readonly outcome: 'delivered' | 'retry' | 'failed';
  /** Sends made in this run (the retry policy's attempts). */
  readonly attempts: number;
  readonly waitsMs: readonly number[];
  readonly reason?: string;
}

export interface DeliveryStageDeps {
  readonly store: AlertStore;
  readonly log: AlertLog;
  readonly notifiers: ReadonlyMap<ChannelId, Notifier>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly policy?: RetryPolicy;
  /** A claim older than this is considered abandoned by a run that died. */
  readonly claimTimeoutMs: number;
  /** Channels delivered to at once. */
  readonly concurrency: number;
}

/**
 * The ledger update for one notification after a send: delivered; failed when the channel refused
 * it for good or it has used up its attempts; otherwise retried later. The backoff counts from
 * the run's start, so a 1-minute backoff makes the next minutely run retry it.
 */
function outcomeUpdate(result: SendResult, attempts: number, nowMs: number, atMs: number, policy: RetryPolicy): DeliveryUpdate {
  if (result.outcome === 'ok') return { status: 'delivered', atMs };
  if (result.outcome === 'permanent' || attempts >= policy.maxDeliveryAttempts) return { status: 'failed', atMs, error: result.reason };
  return { status: 'retry', atMs, error: result.reason, nextAttemptAtMs: nowMs + Math.max(runBackoffMs(attempts, policy), result.retryAfterMs ?? 0) };
}

/** Notifications one run claims per channel (one message for grouping channels). */
export const MAX_CLAIM_PER_CHANNEL = 100;

/**
 * The delivery stage: per channel, claim the due pending notifications, group them, send each
 * batch under the one retry policy, and write every outcome back (ledger and alert_log).
 * Channels are independent: each runs in its own task and a failure — even an unexpected throw —
 * stays in its channel. `nowMs` is the run's time; times written are `nowMs` plus the time this
 * stage has spent (retry waits included), so injected time stays consistent.
 */
export async function deliverPending(deps: DeliveryStageDeps, runId: string, nowMs: number): Promise<DeliveryReport[]> {
  const policy = deps.policy ?? RETRY_POLICY;
  const startedAt = deps.clock.now();
  const at = () => nowMs + (deps.clock.now() - startedAt);
  const limit = pLimit(deps.concurrency);

  const deliverChannel = async (channel: ChannelId, notifier: Notifier): Promise<DeliveryReport[]> => {
    const claimToken = `${runId}:${channel}`;
    const claimed = await deps.store.claimPending({ channel, claimToken, nowMs, staleBeforeMs: nowMs - deps.claimTimeoutMs, limit: MAX_CLAIM_PER_CHANNEL });
    const reports: DeliveryReport[] = [];
    for (const batch of groupBatches(notifier, claimed)) {
      const { result, attempts, waitsMs } = await sendWithRetry(() => notifier.send(batch), deps.clock, policy);
      const atMs = at();
      const entries: AlertLogEntry[] = [];
      // A batch is retried together, on the backoff of its most-tried notification.
      const update = outcomeUpdate(result, Math.max(...batch.items.map((i) => i.attempts)) + 1, nowMs, atMs, policy);
      const outcome = update.status;
      if (notifier.batching === 'grouped') await deps.store.completeClaim(claimToken, update);
      else for (const item of batch.items) await deps.store.completeDelivery(item.id, claimToken, update);
      for (const item of batch.items) {
        const detail = { target: notifier.target, attempts, waitsMs, ...(result.outcome === 'ok' ? { response: result.detail ?? 'ok' } : { reason: result.reason }) };
        entries.push(deliveryEntry(item, update.status === 'retry' ? 'retryable' : update.status, atMs, detail, claimToken));
      }
      await deps.log.append(entries);
      const report: DeliveryReport = {
        channel,
        target: notifier.target,
        notificationIds: batch.items.map((i) => i.id),
        fingerprints: batch.items.map((i) => i.fingerprint),
        kinds: batch.items.map((i) => i.kind),
        outcome,
        attempts,
        waitsMs,
        ...(result.outcome === 'ok' ? {} : { reason: result.reason }),
      };
      const fields = { channel, target: notifier.target, fingerprints: report.fingerprints, attempts, reason: report.reason };
      if (outcome === 'delivered') deps.logger.info('alert notification delivered', fields);
      else if (outcome === 'retry') deps.logger.warn('alert notification not delivered; will retry', fields);
      else deps.logger.error('alert notification failed for good', fields);
      reports.push(report);
    }
    return reports;
  };

  const perChannel = await Promise.all(
    [...deps.notifiers].map(([channel, notifier]) =>
      limit(async () => {
        try {
          return await deliverChannel(channel, notifier);
        } catch (error) {
          // One channel's trouble (say, the store timing out mid-way) must not stop the others;
          // its claims expire after claimTimeoutMs and a later run takes them over.
          deps.logger.error('alert delivery failed unexpectedly', { channel, error: error instanceof Error ? error.message : String(error) });
          return [];
        }
      }),
    ),
  );
  return perChannel.flat();
}
