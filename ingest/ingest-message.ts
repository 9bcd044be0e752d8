import type { MessageSource } from '../shared';
import type { DeadLetterRow, EventRow } from '../sql';
import type { AcceptedEvent } from './message-decoder';

/**
 * One message as ingest sees it, whatever carried it: a Pub/Sub push (the Firebase function), a
 * streaming pull (the local stack) or a line of a file (`obs ingest --file`).
 */
export interface IngestMessage {
  /** Pub/Sub message id, or `<file>@<hash>:<line>` for imports: the provenance of every row. */
  readonly id: string;
  /** The message data: wire format v1, UTF-8 JSON. */
  readonly data: Uint8Array | string;
  /**
   * `data` already parsed, for a caller that had to parse it anyway (`obs ingest --file`): the
   * decoder skips its own parse. Only when `data` is within the size and depth limits and parses
   * to exactly this value (ingest/ndjson-import.ts checks both); `data` is still what dead letters keep.
   */
  readonly parsed?: unknown;
  /** Pub/Sub attributes. Wire format v1 defines none; kept for logs and future versions. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** 1 on the first delivery; 0 or absent when the transport does not count deliveries. */
  readonly deliveryAttempt?: number;
  /** When Pub/Sub accepted the message (epoch ms): bounds retries when attempts are not counted. */
  readonly publishTimeMs?: number;
}

/** What one call stored and set aside. Every event of every message is counted in exactly one of stored, duplicates or dead letters. */
export interface IngestSummary {
  messages: number;
  /**
   * Events in the messages handled (a message dead-lettered whole counts 0 here, one left for
   * redelivery too): stored + duplicates + the event dead letters.
   */
  events: number;
  /** Events newly stored in metric_events. */
  stored: number;
  /** Events skipped because their id was already stored or repeated in the same call. */
  duplicates: number;
  /** Rows written to dead_letters (rejected events, unusable messages, given-up events). */
  deadLettered: number;
  /** Messages whose events went to dead_letters because the warehouse kept failing on them. */
  gaveUp: number;
}

export const emptySummary = (): IngestSummary => ({ messages: 0, events: 0, stored: 0, duplicates: 0, deadLettered: 0, gaveUp: 0 });

export function addSummary(into: IngestSummary, add: IngestSummary): IngestSummary {
  into.messages += add.messages;
  into.events += add.events;
  into.stored += add.stored;
  into.duplicates += add.duplicates;
  into.deadLettered += add.deadLettered;
  into.gaveUp += add.gaveUp;
  return into;
}

/** A message decoded and turned into rows, not yet written. */
export interface PreparedMessage {
  readonly message: IngestMessage;
  readonly source?: MessageSource;
  readonly events: number;
  readonly accepted: readonly AcceptedEvent[];
  readonly rows: readonly EventRow[];
  readonly deadLetters: readonly DeadLetterRow[];
}

/** Thrown by `IngestHandler.handle` when the message must be redelivered (the warehouse failed). */
export class IngestRetryableError extends Error {
  constructor(messageId: string, cause: unknown) {
    super(`ingest of message ${messageId} failed and will be retried: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'IngestRetryableError';
  }
}
