import type { ChannelId } from '../../shared/channels';
import type { AlertInstance } from '../model/alert-instance';
import type { Silence } from '../mute/silences';
import type { NotificationRecord } from '../notify/notification';

/** An intended write of one instance: stored only if the stored version is still `expectedVersion`. */
export interface InstanceWrite {
  readonly next: AlertInstance;
  /** The version the run read; 0 when the instance did not exist. */
  readonly expectedVersion: number;
}

/** A claim on pending notifications of one channel, taken by one run. */
export interface ClaimRequest {
  readonly channel: ChannelId;
  /** Unique per run and channel. */
  readonly claimToken: string;
  readonly nowMs: number;
  /** Claims taken before this instant are abandoned (their run died) and may be taken over. */
  readonly staleBeforeMs: number;
  readonly limit: number;
}

/** Outcome of one delivery attempt, written back under the claim that sent it. */
export type DeliveryUpdate =
  | { readonly status: 'delivered'; readonly atMs: number }
  | { readonly status: 'retry'; readonly atMs: number; readonly nextAttemptAtMs: number; readonly error: string }
  | { readonly status: 'failed'; readonly atMs: number; readonly error: string };

/**
 * Durable alert state: current instances, the notification ledger and silences. Two adapters:
 * the warehouse tables (local, DuckDB: warehouse-alert-store.ts) and Firestore (production:
 * firestore-alert-store.ts). Both pass the same contract tests (test/integration/alerts/).
 *
 * Contract — what makes overlapping evaluator runs safe without a global lock:
 * - `compareAndSetInstances` applies each write only if the stored version equals its
 *   `expectedVersion` (0: the instance must not exist), storing `next` with version
 *   `expectedVersion + 1`, and resolves to the fingerprints it wrote. A write missing from the
 *   result lost to another run, whose write stands. Each write is its own compare-and-set; the
 *   batch is only for speed (an alert storm writes hundreds at once).
 * - `recordNotifications` inserts each row whose id is not stored yet and leaves existing rows
 *   untouched (ids are deterministic: notify/notification.ts).
 * - `claimPending` atomically marks up to `limit` of the channel's pending rows that are due
 *   (`nextAttemptAtMs ≤ now`) and unclaimed (or claimed before `staleBeforeMs`) with the claim
 *   token, and returns exactly the rows it claimed. Two concurrent claims never get the same row.
 * - `completeDelivery` applies an update only while the row still carries `claimToken`, and
 *   releases the claim; `completeClaim` does so for every row still held by the claim.
 */
export interface AlertStore {
  /** Every stored instance (any state). */
  loadInstances(): Promise<AlertInstance[]>;
  compareAndSetInstances(writes: readonly InstanceWrite[]): Promise<ReadonlySet<string>>;

  recordNotifications(rows: readonly NotificationRecord[]): Promise<void>;
  /** Ledger rows created at or after `sinceMs`, plus every pending row. */
  loadLedger(sinceMs: number): Promise<NotificationRecord[]>;
  claimPending(request: ClaimRequest): Promise<NotificationRecord[]>;
  completeDelivery(id: string, claimToken: string, update: DeliveryUpdate): Promise<void>;
  completeClaim(claimToken: string, update: DeliveryUpdate): Promise<void>;

  saveSilence(silence: Silence): Promise<void>;
  loadSilences(): Promise<Silence[]>;
  /** Ends an active or pending silence at `nowMs`; resolves to the updated silence, undefined when unknown. */
  expireSilence(id: string, nowMs: number): Promise<Silence | undefined>;
}
