import pLimit from 'p-limit';
import type { ChannelId } from '../../shared/channels';
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { Notifier, SendResult } from '../notifiers/notifier';
import { deliveryEntry, type AlertLog } from '../state/alert-log';
import type { AlertStore, DeliveryUpdate } from '../state/alert-store';
import { DELIVERY_LIMITS, type DeliveryLimits } from './delivery-limits';
import { deliveryChains, waitingOn, type DeliveryChain } from './delivery-plan';
import { groupBatches } from './group-stage';
import type { NotificationBatch, NotificationKind, NotificationRecord } from './notification';
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
  /** Sends made in this run (the retry policy's attempts); 0 when it was released unsent. */
  readonly attempts: number;
  readonly waitsMs: readonly number[];
  /** The last attempt was cut off by its deadline. */
  readonly timedOut?: true;
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
  /** Pool sizes and deadlines (notify/delivery-limits.ts; checked by the runtime). */
  readonly limits?: DeliveryLimits;
  /**
   * Pending ledger rows as the run saw them before claiming: a claimed notification waits for an
   * earlier one of the same alert that is pending but not claimed (delivery-plan.ts `waitingOn`).
   */
  readonly pending?: readonly NotificationRecord[];
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

interface ChannelClaim {
  readonly channel: ChannelId;
  readonly notifier: Notifier;
  readonly claimToken: string;
  readonly claimedIds: ReadonlySet<string>;
  readonly chains: readonly DeliveryChain[];
}

/** Why a batch is put back unsent, and when it is due again. */
interface Release {
  readonly reason: string;
  readonly nextAttemptAtMs: number;
}

/**
 * The delivery stage: per channel, claim the due pending notifications and group them; then send
 * every batch under the one retry policy, concurrently, and write every outcome back (ledger and
 * alert_log).
 *
 * - **Concurrency.** Batches of different channels and different alerts go out at once through
 *   one p-limit pool (`maxConcurrentDeliveries`), each channel bounded on its own
 *   (`maxConcurrentDeliveriesPerChannel`), so a hanging endpoint delays only itself.
 * - **Order.** The batches of one alert form a chain sent in order — firing, reminders, resolved
 *   (delivery-plan.ts); when one is not delivered, the rest of its chain is released unsent.
 * - **Deadlines.** Every attempt is aborted at `requestTimeoutMs`; nothing runs past the stage's
 *   `runDeadlineMs`, and a batch still queued then is released unsent, due at the next run. So a
 *   claim is held for a bounded time, below the claim timeout (delivery-limits.ts).
 * - **Exactly once per claim.** Each notification is claimed by one run, sent by one task, and
 *   completed under that claim; a timed-out send is retryable and goes back to the ledger.
 *
 * A failure — even an unexpected throw — stays in its chain; its claims expire after
 * claimTimeoutMs and a later run takes them over. `nowMs` is the run's time; times written are
 * `nowMs` plus the time this stage has spent (retry waits included).
 */
export async function deliverPending(deps: DeliveryStageDeps, runId: string, nowMs: number): Promise<DeliveryReport[]> {
  const policy = deps.policy ?? RETRY_POLICY;
  const limits = deps.limits ?? DELIVERY_LIMITS;
  const startedAt = deps.clock.now();
  const stopAtMs = startedAt + limits.runDeadlineMs;
  const at = () => nowMs + (deps.clock.now() - startedAt);
  const pool = pLimit(limits.maxConcurrentDeliveries);

  const claimChannel = async (channel: ChannelId, notifier: Notifier): Promise<ChannelClaim | undefined> => {
    const claimToken = `${runId}:${channel}`;
    try {
      const claimed = await deps.store.claimPending({ channel, claimToken, nowMs, staleBeforeMs: nowMs - deps.claimTimeoutMs, limit: MAX_CLAIM_PER_CHANNEL });
      return { channel, notifier, claimToken, claimedIds: new Set(claimed.map((c) => c.id)), chains: deliveryChains(groupBatches(notifier, claimed)) };
    } catch (error) {
      unexpected(deps.logger, channel, error);
      return undefined;
    }
  };

  /**
   * Writes one batch's outcome: the ledger (under the claim) and alert_log. A grouped message
   * completes every row its claim still holds; `perItem` completes only the batch's own rows.
   */
  const complete = async (claim: ChannelClaim, batch: NotificationBatch, update: DeliveryUpdate, report: DeliveryReport, response?: string, perItem = false): Promise<DeliveryReport> => {
    const { notifier, claimToken } = claim;
    if (notifier.batching === 'grouped' && !perItem) await deps.store.completeClaim(claimToken, update);
    else for (const item of batch.items) await deps.store.completeDelivery(item.id, claimToken, update);
    const detail = { target: notifier.target, attempts: report.attempts, waitsMs: report.waitsMs, ...(response !== undefined ? { response } : { reason: report.reason }) };
    await deps.log.append(batch.items.map((item) => deliveryEntry(item, update.status === 'retry' ? 'retryable' : update.status, update.atMs, detail, claimToken)));
    const fields = { channel: claim.channel, target: notifier.target, fingerprints: report.fingerprints, attempts: report.attempts, reason: report.reason };
    if (report.outcome === 'delivered') deps.logger.info('alert notification delivered', fields);
    else if (report.outcome === 'retry') deps.logger.warn('alert notification not delivered; will retry', fields);
    else deps.logger.error('alert notification failed for good', fields);
    return report;
  };

  const baseReport = (claim: ChannelClaim, batch: NotificationBatch) => ({
    channel: claim.channel,
    target: claim.notifier.target,
    notificationIds: batch.items.map((i) => i.id),
    fingerprints: batch.items.map((i) => i.fingerprint),
    kinds: batch.items.map((i) => i.kind),
  });

  /** Puts a batch back unsent (the ledger counts it as an attempt: a completion always does). */
  const release = (claim: ChannelClaim, batch: NotificationBatch, why: Release, perItem = false) =>
    complete(claim, batch, { status: 'retry', atMs: at(), error: why.reason, nextAttemptAtMs: why.nextAttemptAtMs }, { ...baseReport(claim, batch), outcome: 'retry', attempts: 0, waitsMs: [], reason: why.reason }, undefined, perItem);

  /**
   * Releases the items of `batch` that must wait for an earlier notification of their alert which
   * is pending outside this claim, each on its own row; returns the rest, still to be sent (for a
   * grouped message: the other alerts go out now instead of waiting with it).
   */
  const releaseWaiting = async (claim: ChannelClaim, batch: NotificationBatch, reports: DeliveryReport[]): Promise<NotificationBatch> => {
    const rest: NotificationRecord[] = [];
    for (const item of batch.items) {
      const earlier = waitingOn(item, deps.pending ?? [], claim.claimedIds);
      if (!earlier) rest.push(item);
      else reports.push(await release(claim, { ...batch, items: [item] }, { reason: `held back: the ${earlier.kind} notification of this alert is not delivered yet`, nextAttemptAtMs: Math.max(nowMs, earlier.nextAttemptAtMs) }, true));
    }
    return { ...batch, items: rest };
  };

  const send = async (claim: ChannelClaim, batch: NotificationBatch): Promise<{ report: DeliveryReport; update: DeliveryUpdate }> => {
    const { result, attempts, waitsMs } = await sendWithRetry((signal) => claim.notifier.send(batch, signal), deps.clock, policy, { requestTimeoutMs: limits.requestTimeoutMs, stopAtMs });
    // A batch is retried together, on the backoff of its most-tried notification.
    const update = outcomeUpdate(result, Math.max(...batch.items.map((i) => i.attempts)) + 1, nowMs, at(), policy);
    const report: DeliveryReport = {
      ...baseReport(claim, batch),
      outcome: update.status,
      attempts,
      waitsMs,
      ...(result.outcome === 'retryable' && result.timedOut ? { timedOut: true as const } : {}),
      ...(result.outcome === 'ok' ? {} : { reason: result.reason }),
    };
    return { report: await complete(claim, batch, update, report, result.outcome === 'ok' ? (result.detail ?? 'ok') : undefined), update };
  };

  const deliverChain = async (claim: ChannelClaim, chain: DeliveryChain): Promise<DeliveryReport[]> => {
    const reports: DeliveryReport[] = [];
    let blocked: Release | undefined;
    try {
      for (const claimed of chain.batches) {
        const why =
          blocked ?? (deps.clock.now() >= stopAtMs ? { reason: `not sent: the run's delivery deadline (${limits.runDeadlineMs} ms) passed first; due again next run`, nextAttemptAtMs: nowMs } : undefined);
        if (why) {
          reports.push(await release(claim, claimed, why));
          continue;
        }
        const batch = await releaseWaiting(claim, claimed, reports);
        if (batch.items.length === 0) continue;
        const { report, update } = await send(claim, batch);
        reports.push(report);
        // The rest of the chain follows its predecessor: due again when it is.
        if (update.status === 'retry') blocked = { reason: 'held back: an earlier notification of this alert was not delivered in this run', nextAttemptAtMs: update.nextAttemptAtMs };
      }
    } catch (error) {
      unexpected(deps.logger, claim.channel, error);
    }
    return reports;
  };

  const claims = (await Promise.all([...deps.notifiers].map(([channel, notifier]) => claimChannel(channel, notifier)))).filter((c): c is ChannelClaim => c !== undefined);
  // Nested limits: a chain first takes a slot of its channel, then one of the shared pool, so a
  // channel at its own bound waits without holding a pool slot another channel could use.
  const perChain = await Promise.all(
    claims.map((claim) => {
      const channelLimit = pLimit(limits.maxConcurrentDeliveriesPerChannel);
      return Promise.all(claim.chains.map((chain) => channelLimit(() => pool(() => deliverChain(claim, chain)))));
    }),
  );
  return perChain.flat(2);
}

/** One channel's trouble (say, the store timing out mid-way) must not stop the others. */
function unexpected(logger: Logger, channel: ChannelId, error: unknown): void {
  logger.error('alert delivery failed unexpectedly', { channel, error: error instanceof Error ? error.message : String(error) });
}
