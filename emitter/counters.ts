import { DROP_REASONS, type DropReason, type EmitterStats } from './types';

const REASON_INDEX = Object.fromEntries(DROP_REASONS.map((r, i) => [r, i])) as Record<DropReason, number>;

/**
 * The emitter's accounting, mutated in place by the hot path, the serialiser and the sender.
 * Every move keeps `emitted === published + dropped + buffered + inFlight` true between any two
 * statements a caller can observe (JavaScript is single-threaded: no update is ever half done).
 */
export class Counters {
  emitted = 0;
  published = 0;
  dropped = 0;
  buffered = 0;
  inFlight = 0;
  messagesPublished = 0;
  eventsPublished = 0;
  bytesPublished = 0;
  publishFailures = 0;
  private readonly droppedBy: number[] = DROP_REASONS.map(() => 0);
  lastDrop: EmitterStats['lastDrop'];
  lastTransportError: EmitterStats['lastTransportError'];

  /** Counts `n` events dropped for `reason`, taking them from the buffer or from in-flight. */
  drop(reason: DropReason, n: number, from: 'buffered' | 'inFlight' | 'call', message: string, atMs: number): void {
    if (n <= 0) return;
    if (from === 'buffered') this.buffered -= n;
    else if (from === 'inFlight') this.inFlight -= n;
    this.dropped += n;
    (this.droppedBy[REASON_INDEX[reason]] as number) += n;
    this.lastDrop = { reason, message, atMs };
  }

  /** Counts a drop at the caller's door: the call was emitted but never buffered. Hot path. */
  dropAtCall(reasonIndex: number): void {
    this.dropped++;
    (this.droppedBy[reasonIndex] as number)++;
  }

  droppedFor(reason: DropReason): number {
    return this.droppedBy[REASON_INDEX[reason]] as number;
  }

  snapshot(
    identity: { transport: string; service: string; environment: string },
    held: { aggregation: 'series' | 'none'; heldEvents: number; heldBytes: number; liveSeries: number } = { aggregation: 'none', heldEvents: 0, heldBytes: 0, liveSeries: 0 },
  ): EmitterStats {
    const droppedByReason = {} as Record<DropReason, number>;
    for (let i = 0; i < DROP_REASONS.length; i++) droppedByReason[DROP_REASONS[i] as DropReason] = this.droppedBy[i] as number;
    const stats: EmitterStats = {
      ...identity,
      emitted: this.emitted,
      published: this.published,
      dropped: this.dropped,
      droppedByReason,
      buffered: this.buffered,
      inFlight: this.inFlight,
      pending: this.buffered + this.inFlight,
      ...held,
      eventsPublished: this.eventsPublished,
      bytesPublished: this.bytesPublished,
      messagesPublished: this.messagesPublished,
      publishFailures: this.publishFailures,
    };
    if (this.lastDrop) stats.lastDrop = { ...this.lastDrop };
    if (this.lastTransportError) stats.lastTransportError = { ...this.lastTransportError };
    return stats;
  }
}

export const DROP_INDEX = REASON_INDEX;
