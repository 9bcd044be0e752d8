import type { MetricEvent } from '../shared/event-schema';
import { isRowsRejected, isWarehouseDataError, type DeadLetterRow, type EventRow, type Warehouse } from '../sql';
import {
  eventDeadLetter,
  ingestErrorReason,
  messageDeadLetter,
  replayableMessage,
  serviceOf,
  warehouseFailedReason,
  warehouseRejectedReason,
  type DeadLetterContext,
} from './dead-letters';
import { addSummary, emptySummary, IngestRetryableError, type IngestMessage, type IngestSummary, type PreparedMessage } from './ingest-message';
import { describeError } from '../shared/describe-error';
import { consoleIngestLog, type IngestLog } from './ingest-log';
import { MessageDecoder } from './message-decoder';
import type { CardinalityLimiter } from './cardinality-limiter';

export interface IngestHandlerOptions {
  readonly warehouse: Warehouse;
  /** The clock: ingest_ts of stored rows and received_at of dead letters. */
  readonly now?: () => number;
  /**
   * After this many deliveries of a message the warehouse kept failing on, its events go to
   * dead_letters (`warehouse_failed`, replayable) and the message is acked: a message that makes
   * the warehouse fail every time must not loop forever.
   */
  readonly maxDeliveryAttempts?: number;
  /** The same bound by age, for transports that do not count deliveries (Firebase's push). */
  readonly maxRetryAgeMs?: number;
  readonly decoder?: MessageDecoder;
  readonly log?: IngestLog;
  /** Folds events of series beyond the per-metric daily limit into an overflow series (ingest/cardinality-limiter.ts); its `stats` count them. */
  readonly cardinality?: CardinalityLimiter;
  /**
   * Told once per {@link IngestHandler.handleBatch} call (so once per message through `handle`)
   * what the batch came to: the pipeline's own ingest metrics (app/pipeline-metrics.ts). Called
   * after the writes, synchronously; what it throws is ignored. When absent, nothing is tallied.
   */
  readonly onBatch?: (batch: IngestBatchReport) => void;
  /**
   * Told, after the writes, the valid events of each message that is not left for redelivery
   * (the streaming alerts of issue #15: alerts/streaming/streaming-alerts.ts `observe`).
   * Synchronous; what it throws is ignored.
   */
  readonly onStored?: (messageId: string, events: readonly MetricEvent[]) => void;
}

/** What one batch came to, for the pipeline's own metrics. */
export interface IngestBatchReport extends IngestSummary {
  /** Dead letters written, by the first reason code of each (`reason_codes` up to its first comma). */
  readonly deadLettersByReason: ReadonlyMap<string, number>;
  /**
   * Ingest time − the oldest event time among the valid events of the messages not left for
   * redelivery (duplicates included: a redelivered message shows how late it came); null when
   * there were none.
   */
  readonly maxLagMs: number | null;
  /** Messages left for redelivery (the warehouse failed). */
  readonly retried: number;
}

/** Dead letters written in one batch, by reason code; undefined when no one asked (no onBatch). */
type DeadLetterTally = Map<string, number> | undefined;

export const DEFAULT_MAX_DELIVERY_ATTEMPTS = 10;
export const DEFAULT_MAX_RETRY_AGE_MS = 24 * 3_600_000;

/** The outcome of a batch: what was done, and which messages must be redelivered. */
export interface BatchOutcome extends IngestSummary {
  readonly retry: readonly IngestMessage[];
  /** Ids of the messages that produced at least one dead letter (imports report their line numbers). */
  readonly deadLetteredFrom: readonly string[];
  /** The last warehouse error behind `retry`. */
  readonly error?: unknown;
}

/**
 * The ingest handler: framework-free. Decodes each v1 message, validates every event with the
 * shared validator and PII guard, stores the valid ones (the warehouse skips ids it already holds),
 * and writes every rejected event and every unusable message to dead_letters. Nothing is dropped
 * silently: each event ends up stored, counted as a duplicate, or dead-lettered.
 *
 * Failures: a warehouse error means "try again later" (the message is redelivered), except that a
 * message whose write keeps failing is dead-lettered after `maxDeliveryAttempts` deliveries or
 * `maxRetryAgeMs`, and rows the warehouse refuses outright are dead-lettered at once.
 */
export class IngestHandler {
  private readonly warehouse: Warehouse;
  private readonly now: () => number;
  private readonly maxDeliveryAttempts: number;
  private readonly maxRetryAgeMs: number;
  private readonly decoder: MessageDecoder;
  private readonly log: IngestLog;
  private readonly cardinality: CardinalityLimiter | undefined;
  private readonly onBatch: ((batch: IngestBatchReport) => void) | undefined;
  private readonly onStored: IngestHandlerOptions['onStored'];

  constructor(options: IngestHandlerOptions) {
    this.warehouse = options.warehouse;
    this.now = options.now ?? Date.now;
    this.maxDeliveryAttempts = options.maxDeliveryAttempts ?? DEFAULT_MAX_DELIVERY_ATTEMPTS;
    this.maxRetryAgeMs = options.maxRetryAgeMs ?? DEFAULT_MAX_RETRY_AGE_MS;
    this.decoder = options.decoder ?? new MessageDecoder();
    this.log = options.log ?? consoleIngestLog;
    this.cardinality = options.cardinality;
    this.onBatch = options.onBatch;
    this.onStored = options.onStored;
    if (!(this.maxDeliveryAttempts >= 1)) throw new Error(`maxDeliveryAttempts must be at least 1, got ${this.maxDeliveryAttempts}`);
  }

  /** One message (the Firebase function). Throws {@link IngestRetryableError} when it must be redelivered. */
  async handle(message: IngestMessage): Promise<IngestSummary> {
    const { retry, error, deadLetteredFrom: _ids, ...summary } = await this.handleBatch([message]);
    if (retry.length > 0) throw new IngestRetryableError(message.id, error);
    return summary;
  }

  /**
   * Several messages in one warehouse write (the streaming subscriber, imports). Never throws for
   * a warehouse failure: it returns the messages to redeliver. When the joint write fails, each
   * message is retried alone, so one bad message cannot hold back (or use up the attempts of) the
   * others.
   */
  async handleBatch(messages: readonly IngestMessage[]): Promise<BatchOutcome> {
    const nowMs = this.now();
    const prepared = messages.map((m) => this.prepareIsolated(m, nowMs));
    if (!this.onBatch) return this.told(prepared, await this.writeBatch(prepared, nowMs, undefined));
    const tally = new Map<string, number>();
    const outcome = this.told(prepared, await this.writeBatch(prepared, nowMs, tally));
    try {
      this.onBatch({ ...outcome, deadLettersByReason: tally, maxLagMs: maxLagOf(prepared, outcome.retry, nowMs), retried: outcome.retry.length });
    } catch {
      // The metrics sink must not throw (app/pipeline-metrics.ts); if it does, the batch stands.
    }
    return outcome;
  }

  /** Hands the stored messages' events to `onStored`. */
  private told(prepared: readonly PreparedMessage[], outcome: BatchOutcome): BatchOutcome {
    if (!this.onStored) return outcome;
    for (const p of prepared) {
      if (p.accepted.length === 0 || (outcome.retry.length > 0 && outcome.retry.includes(p.message))) continue;
      try {
        this.onStored(p.message.id, p.accepted.map((a) => a.event));
      } catch {
        // The streaming path must not throw (alerts/streaming/); if it does, the batch stands.
      }
    }
    return outcome;
  }

  private async writeBatch(prepared: readonly PreparedMessage[], nowMs: number, tally: DeadLetterTally): Promise<BatchOutcome> {
    try {
      return { ...(await this.write(prepared, tally)), retry: [] };
    } catch (error) {
      if (prepared.length === 1) return this.writeAlone(prepared[0] as PreparedMessage, error, nowMs, tally);
      this.log('warn', 'ingest: batch write failed; retrying its messages one by one', { messages: prepared.length, messageIds: prepared.slice(0, 10).map((p) => p.message.id), error: describeError(error) });
    }
    const total = emptySummary();
    const retry: IngestMessage[] = [];
    const deadLetteredFrom: string[] = [];
    let lastError: unknown;
    for (const p of prepared) {
      let outcome: BatchOutcome;
      try {
        outcome = { ...(await this.write([p], tally)), retry: [] };
      } catch (error) {
        outcome = await this.writeAlone(p, error, nowMs, tally);
      }
      addSummary(total, outcome);
      retry.push(...outcome.retry);
      deadLetteredFrom.push(...outcome.deadLetteredFrom);
      if (outcome.error !== undefined) lastError = outcome.error;
    }
    return { ...total, retry, deadLetteredFrom, ...(lastError === undefined ? {} : { error: lastError }) };
  }

  /**
   * {@link prepare}, with whatever it throws (a bug: the decoder and the dead-letter builders never
   * throw) confined to its message, which is dead-lettered whole (`ingest_error`) and logged: one
   * message must never fail its batch, or come back forever.
   */
  private prepareIsolated(message: IngestMessage, nowMs: number): PreparedMessage {
    try {
      return this.prepare(message, nowMs);
    } catch (error) {
      this.log('error', 'ingest: could not process a message; it was dead-lettered (ingest_error)', { messageId: message.id, error: describeError(error) });
      const dead = messageDeadLetter({ messageId: message.id, receivedAtMs: nowMs, service: null }, message.data, [ingestErrorReason(error)]);
      return { message, events: 0, accepted: [], rows: [], deadLetters: [dead] };
    }
  }

  /** Decodes one message into the rows to store and the dead letters to write. Pure apart from the decoder's cache. */
  prepare(message: IngestMessage, nowMs: number): PreparedMessage {
    const decoded = message.parsed === undefined ? this.decoder.decode(message.data, nowMs) : this.decoder.decodeParsed(message.parsed, nowMs);
    const ctx: DeadLetterContext = { messageId: message.id, receivedAtMs: nowMs, service: decoded.source?.service ?? null };
    if (decoded.messageReasons.length > 0) {
      const dead = messageDeadLetter({ ...ctx, service: serviceOf(message.data) }, message.data, decoded.messageReasons);
      return { message, events: 0, accepted: [], rows: [], deadLetters: [dead] };
    }
    const source = decoded.source as NonNullable<typeof decoded.source>;
    const rows: EventRow[] = new Array<EventRow>(decoded.valid.length);
    for (let i = 0; i < decoded.valid.length; i++) {
      const accepted = decoded.valid[i] as (typeof decoded.valid)[number];
      const { event } = accepted;
      const { seriesKey, tagsJson } = this.cardinality ? this.cardinality.seriesOf(event.name, event.tags, accepted, nowMs) : accepted;
      rows[i] = {
        event_id: event.id,
        name: event.name,
        kind: event.kind,
        value: event.value,
        event_ts_ms: event.ts,
        ingest_ts_ms: nowMs,
        series_key: seriesKey,
        tags: tagsJson,
        service: source.service,
        environment: source.environment,
        message_id: message.id,
      };
      // A merged event (issue #18): its aggregates, as sent. A single call stores none (NULL = 1 call).
      if (event.count !== undefined || event.min !== undefined || event.start_ts !== undefined || event.histogram !== undefined) {
        const row = rows[i] as EventRow;
        row.call_count = event.count ?? null;
        row.value_min = event.min ?? null;
        row.value_max = event.max ?? null;
        row.last_value = event.last ?? null;
        row.start_ts_ms = event.start_ts ?? null;
        row.histogram = event.histogram ? JSON.stringify(event.histogram) : null;
        row.value_sum = event.sum ?? null;
      }
    }
    const deadLetters = decoded.rejected.map((r) => eventDeadLetter(ctx, r.index, r.raw, r.reasons));
    return { message, source, events: decoded.valid.length + decoded.rejected.length, accepted: decoded.valid, rows, deadLetters };
  }

  /** Writes the rows of `prepared` together. Throws on a warehouse failure. */
  private async write(prepared: readonly PreparedMessage[], tally: DeadLetterTally): Promise<IngestSummary & { deadLetteredFrom: string[] }> {
    const rows = prepared.length === 1 ? (prepared[0] as PreparedMessage).rows : prepared.flatMap((p) => p.rows);
    const deadLetters = prepared.flatMap((p) => p.deadLetters);
    const summary = emptySummary();
    summary.messages = prepared.length;
    for (const p of prepared) summary.events += p.events;
    try {
      const { inserted, duplicates } = await this.warehouse.insertEvents(rows);
      summary.stored = inserted;
      summary.duplicates = duplicates;
    } catch (error) {
      if (!isRowsRejected(error)) throw error;
      // Refused outright (BigQuery `invalid`): retrying cannot help, so dead-letter those events.
      const refused = this.refusedDeadLetters(prepared, error.rejected);
      deadLetters.push(...refused);
      summary.stored = error.storedRows;
      summary.duplicates = rows.length - error.storedRows - refused.length;
      this.log('warn', 'ingest: the warehouse refused some valid events; they were dead-lettered', { refused: refused.length, first: error.message });
    }
    await this.insertDeadLetters(deadLetters, tally);
    summary.deadLettered = deadLetters.length;
    return { ...summary, deadLetteredFrom: [...new Set(deadLetters.map((d) => d.message_id ?? ''))] };
  }

  private refusedDeadLetters(prepared: readonly PreparedMessage[], rejected: readonly { key: string; reason: string }[]): DeadLetterRow[] {
    const reasonById = new Map(rejected.map((r) => [r.key, r.reason]));
    const out: DeadLetterRow[] = [];
    for (const p of prepared) {
      const ctx: DeadLetterContext = { messageId: p.message.id, receivedAtMs: p.rows[0]?.ingest_ts_ms ?? this.now(), service: p.source?.service ?? null };
      for (const accepted of p.accepted) {
        const reason = reasonById.get(accepted.event.id);
        if (reason === undefined) continue;
        reasonById.delete(accepted.event.id); // the first row with the id is the one that was sent
        out.push(eventDeadLetter(ctx, accepted.index, accepted.event, [warehouseRejectedReason(accepted.index, reason)]));
      }
    }
    return out;
  }

  /**
   * A single message's write failed with `error`. When the warehouse refused the data (some row
   * of it can never be stored), bisect its rows to find the refused ones; otherwise (transient)
   * redeliver it, or give up past the bounds ({@link afterFailure}).
   */
  private async writeAlone(p: PreparedMessage, error: unknown, nowMs: number, tally: DeadLetterTally): Promise<BatchOutcome> {
    if (!isWarehouseDataError(error)) return this.afterFailure(p, error, nowMs, tally);
    try {
      return { ...(await this.bisect(p, tally)), retry: [] };
    } catch (again) {
      return this.afterFailure(p, again, nowMs, tally);
    }
  }

  /**
   * Stores the rows of one message the warehouse refused as a whole, isolating the rows it refuses
   * alone: halves are tried in turn, recursively, so k bad rows among n cost about 2·k·log2(n)
   * calls (a 1,000-event message with one bad row: ~20). Each call stores all of its rows or none,
   * and ids already stored are skipped, so a retry after a transient failure half-way (thrown to
   * the caller) stores each event once. The rows refused alone are dead-lettered
   * (`warehouse_rejected`); the message's other dead letters are written with them.
   */
  private async bisect(p: PreparedMessage, tally: DeadLetterTally): Promise<IngestSummary & { deadLetteredFrom: string[] }> {
    const refused: { key: string; reason: string }[] = [];
    let stored = 0;
    const store = async (rows: readonly EventRow[]): Promise<void> => {
      try {
        stored += (await this.warehouse.insertEvents(rows)).inserted;
      } catch (error) {
        if (isRowsRejected(error)) {
          stored += error.storedRows;
          refused.push(...error.rejected);
          return;
        }
        if (!isWarehouseDataError(error)) throw error;
        const [row] = rows;
        if (rows.length === 1 && row !== undefined) {
          refused.push({ key: row.event_id, reason: describeError(error.cause ?? error) });
          return;
        }
        const half = Math.ceil(rows.length / 2);
        await store(rows.slice(0, half));
        await store(rows.slice(half));
      }
    };
    const half = Math.ceil(p.rows.length / 2); // the whole was refused already: start with its halves
    await store(p.rows.slice(0, half));
    if (half < p.rows.length) await store(p.rows.slice(half));
    const rejected = this.refusedDeadLetters([p], refused);
    const deadLetters = [...p.deadLetters, ...rejected];
    await this.insertDeadLetters(deadLetters, tally);
    this.log('warn', 'ingest: the warehouse refused some valid events; they were dead-lettered (warehouse_rejected)', { messageId: p.message.id, refused: rejected.length, first: refused[0]?.reason });
    const duplicates = p.rows.length - stored - rejected.length;
    return { ...emptySummary(), messages: 1, events: p.events, stored, duplicates, deadLettered: deadLetters.length, deadLetteredFrom: deadLetters.length > 0 ? [p.message.id] : [] };
  }

  /** A single message's write failed: redeliver it, or, past the bounds, dead-letter its events. */
  private async afterFailure(p: PreparedMessage, error: unknown, nowMs: number, tally: DeadLetterTally): Promise<BatchOutcome> {
    const attempts = this.attemptsText(p.message, nowMs);
    if (attempts === undefined) {
      this.log('warn', 'ingest: warehouse write failed; the message will be redelivered', { messageId: p.message.id, deliveryAttempt: p.message.deliveryAttempt ?? null, error: describeError(error) });
      return { ...emptySummary(), messages: 1, retry: [p.message], deadLetteredFrom: [], error };
    }
    const ctx: DeadLetterContext = { messageId: p.message.id, receivedAtMs: nowMs, service: p.source?.service ?? null };
    const source = p.source ?? { service: 'unknown', environment: 'unknown' };
    const given = p.accepted.map((a) =>
      eventDeadLetter(ctx, a.index, a.event, [warehouseFailedReason(a.index, attempts, describeError(error))], replayableMessage(source, a.event)),
    );
    const deadLetters = [...p.deadLetters, ...given];
    try {
      await this.insertDeadLetters(deadLetters, tally);
    } catch (again) {
      this.log('error', 'ingest: giving up on a message failed too (the warehouse is down?); it will be redelivered', { messageId: p.message.id, error: describeError(again) });
      return { ...emptySummary(), messages: 1, retry: [p.message], deadLetteredFrom: [], error: again };
    }
    this.log('error', 'ingest: the warehouse kept failing on a message; its events were dead-lettered (warehouse_failed)', { messageId: p.message.id, attempts, events: given.length, error: describeError(error) });
    return { ...emptySummary(), messages: 1, events: p.events, deadLettered: deadLetters.length, gaveUp: 1, retry: [], deadLetteredFrom: [p.message.id] };
  }

  /** Writes dead letters, then counts them by reason for {@link IngestBatchReport} (only once written). */
  private async insertDeadLetters(rows: readonly DeadLetterRow[], tally: DeadLetterTally): Promise<void> {
    await this.warehouse.insertDeadLetters(rows);
    if (!tally) return;
    for (const row of rows) {
      const comma = row.reason_codes.indexOf(',');
      const reason = comma < 0 ? row.reason_codes : row.reason_codes.slice(0, comma);
      tally.set(reason, (tally.get(reason) ?? 0) + 1);
    }
  }

  /** Why retries are over ("10 deliveries", "over 24 h"), or undefined while they are not. */
  private attemptsText(message: IngestMessage, nowMs: number): string | undefined {
    const attempt = message.deliveryAttempt ?? 0;
    if (attempt >= this.maxDeliveryAttempts) return `${attempt} deliveries`;
    if (message.publishTimeMs !== undefined && nowMs - message.publishTimeMs >= this.maxRetryAgeMs) {
      return `retried for ${Math.round((nowMs - message.publishTimeMs) / 60_000)} min`;
    }
    return undefined;
  }
}

/** Ingest time − the oldest event time among the rows of the messages not left for redelivery; null without rows. One pass, no allocation. */
function maxLagOf(prepared: readonly PreparedMessage[], retry: readonly IngestMessage[], nowMs: number): number | null {
  let oldest = Infinity;
  for (const p of prepared) {
    if (retry.length > 0 && retry.includes(p.message)) continue;
    const rows = p.rows;
    for (let i = 0; i < rows.length; i++) {
      const ts = (rows[i] as EventRow).event_ts_ms;
      if (ts < oldest) oldest = ts;
    }
  }
  return oldest === Infinity ? null : Math.max(0, nowMs - oldest);
}
