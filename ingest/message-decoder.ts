import {
  decodeMessage,
  seriesKey,
  validateEvent,
  validateMessage,
  validateSource,
  WIRE_LIMITS,
  WIRE_SCHEMA,
  type DecodedMessage,
  type MessageSource,
  type MetricEvent,
  type RejectedEvent,
  type Rejection,
} from '../shared';
import { jsonDepthWithin } from '../shared/json-depth';
import { TagSetCache } from './tag-set-cache';

/** A valid event with the two strings ingest stores beside it, computed once per tag set. */
export interface AcceptedEvent {
  readonly event: MetricEvent;
  /** Index of the event in its message's `events` array. */
  readonly index: number;
  readonly seriesKey: string;
  readonly tagsJson: string;
}

/** The same partition as shared `decodeMessage`, with valid events carried as {@link AcceptedEvent}. */
export interface DecodedBatch {
  readonly messageReasons: readonly Rejection[];
  readonly source?: MessageSource;
  readonly valid: readonly AcceptedEvent[];
  readonly rejected: readonly RejectedEvent[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Source pairs accepted before: a stream carries a handful (one per producing service and environment). */
const MAX_KNOWN_SOURCES = 1_000;

/**
 * Decodes and validates v1 messages with the shared validator (shared/event-schema.ts), giving the
 * same verdicts and reasons as `decodeMessage`, faster on real traffic:
 *
 * - The envelope is checked here only to recognise the common, fully valid case; anything else
 *   (too big, not UTF-8, not JSON, any envelope doubt) is handed to the shared `decodeMessage` /
 *   `validateMessage`, so every message-level reason comes from the shared code.
 * - Each event is judged by the shared `validateEvent`; a tag set it has accepted before for the
 *   same metric is not re-checked ({@link TagSetCache} explains why that is exact).
 *
 * One decoder per ingest process: the cache is its state. Never throws.
 */
export class MessageDecoder {
  /** `service` NUL `environment` of source pairs the shared validator accepted (checks: shared `validateSource`). */
  private readonly knownSources = new Set<string>();

  constructor(private readonly tagSets = new TagSetCache()) {}

  decode(data: Uint8Array | string, nowMs: number): DecodedBatch {
    const size = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.byteLength;
    if (size > WIRE_LIMITS.maxMessageBytes) return this.fromShared(decodeMessage(data, { nowMs }));
    let parsed: unknown;
    try {
      const text = typeof data === 'string' ? data : utf8.decode(data);
      // Depth before parsing, as the shared decoder does: nothing recursive ever sees a deep value.
      if (!jsonDepthWithin(text, WIRE_LIMITS.maxJsonDepth)) return this.fromShared(decodeMessage(data, { nowMs }));
      parsed = JSON.parse(text);
    } catch {
      return this.fromShared(decodeMessage(data, { nowMs }));
    }
    return this.decodeParsed(parsed, nowMs);
  }

  /** For callers that already hold the parsed JSON (imports). */
  decodeParsed(parsed: unknown, nowMs: number): DecodedBatch {
    if (!isPlainObject(parsed) || parsed.schema !== WIRE_SCHEMA) return this.fromShared(validateMessage(parsed, { nowMs }));
    const { source, events } = parsed;
    if (!isPlainObject(source) || !this.sourceAccepted(source) || !Array.isArray(events) || events.length === 0 || events.length > WIRE_LIMITS.maxEventsPerMessage) {
      return this.fromShared(validateMessage(parsed, { nowMs }));
    }
    const valid: AcceptedEvent[] = [];
    const rejected: RejectedEvent[] = [];
    const options = { nowMs };
    for (let index = 0; index < events.length; index++) {
      const raw: unknown = events[index];
      const path = `events[${index}]`;
      const known = isPlainObject(raw) ? this.tagSets.get(raw.name, raw.tags) : undefined;
      if (known && isPlainObject(raw)) {
        // Tags already accepted for this metric: ask the validator about everything else.
        const result = validateEvent(
          // Every field but the tags; the aggregate ones (issue #18) are undefined on a single call.
          { id: raw.id, name: raw.name, kind: raw.kind, value: raw.value, ts: raw.ts, count: raw.count, min: raw.min, max: raw.max, last: raw.last, sum: raw.sum, start_ts: raw.start_ts, histogram: raw.histogram },
          options,
          path,
        );
        if (result.ok) {
          result.event.tags = known.tags; // the validator's object is ours; saves a copy per event
          valid.push({ event: result.event, index, seriesKey: known.seriesKey, tagsJson: known.tagsJson });
        } else {
          rejected.push({ index, raw, reasons: result.reasons });
        }
        continue;
      }
      const result = validateEvent(raw, options, path);
      if (!result.ok) {
        rejected.push({ index, raw, reasons: result.reasons });
        continue;
      }
      valid.push(this.accept(result.event, index, (raw as Record<string, unknown>).tags));
    }
    return { messageReasons: [], source: { service: source.service as string, environment: source.environment as string }, valid, rejected };
  }

  /**
   * Whether the shared validator accepts this source (lengths, characters, the PII guard), asked
   * once per distinct pair: the checks depend on the two strings only.
   */
  private sourceAccepted(source: Record<string, unknown>): boolean {
    const { service, environment } = source;
    if (typeof service !== 'string' || typeof environment !== 'string') return false;
    const key = `${service}\u0000${environment}`; // NUL cannot occur in an accepted field
    if (this.knownSources.has(key)) return true;
    const reasons: Rejection[] = [];
    validateSource(source, reasons);
    if (reasons.length > 0) return false;
    if (this.knownSources.size >= MAX_KNOWN_SOURCES) this.knownSources.clear();
    this.knownSources.add(key);
    return true;
  }

  /** Adapts the shared decoder's answer (the slow path: some message-level doubt). */
  private fromShared(decoded: DecodedMessage): DecodedBatch {
    const valid: AcceptedEvent[] = [];
    if (decoded.messageReasons.length === 0 && decoded.valid.length > 0) {
      // The shared result lists valid events without their indexes: they are the indexes not rejected.
      const rejectedIndexes = new Set(decoded.rejected.map((r) => r.index));
      let index = 0;
      for (const event of decoded.valid) {
        while (rejectedIndexes.has(index)) index++;
        valid.push(this.accept(event, index, event.tags));
        index++;
      }
    }
    return { messageReasons: decoded.messageReasons, ...(decoded.source ? { source: decoded.source } : {}), valid, rejected: decoded.rejected };
  }

  /** A valid event, its tag set remembered (`rawTags`: the tags as they arrived). */
  private accept(event: MetricEvent, index: number, rawTags: unknown): AcceptedEvent {
    const entry = this.tagSets.remember(event.name, rawTags, event.tags);
    if (entry === undefined) return { event, index, seriesKey: seriesKey(event.tags), tagsJson: JSON.stringify(event.tags) };
    event.tags = entry.tags; // the validator's object is ours
    return { event, index, seriesKey: entry.seriesKey, tagsJson: entry.tagsJson };
  }
}
