import { findPersonalDataInId, WIRE_LIMITS, WIRE_SCHEMA, type MessageSource, type MetricEvent, type RejectionCode } from '../shared';
import { jsonDepthWithin } from '../shared/json-depth';
import { findUnsafeCharacter, toWellFormed } from '../shared/unsafe-text';
import type { DeadLetterRow } from '../sql';

/**
 * Dead-letter rows: what ingest could not store, with every reason and the raw payload, so a person
 * can see what went wrong and replay it once fixed (docs/INGEST.md).
 *
 * Ids are deterministic — `<message id>#<event index>` or `<message id>#message` — so a message
 * redelivered after a crash or a nack does not add a second dead letter for the same thing.
 *
 * The builders never throw, whatever they are given: this is the path of last resort, and a throw
 * here would fail the whole batch and bring the poison back forever. Every serialisation is
 * guarded and falls back to a description of what could not be serialised (a value nested
 * thousands of levels deep, a cycle, a BigInt, a getter that throws), and every string stored is
 * made well-formed Unicode, so the warehouse can never refuse a dead letter (DuckDB's JSON refuses a
 * lone surrogate; BigQuery refuses invalid UTF-8).
 */

/** Raw payloads are cut to this many UTF-8 bytes (a message may be 1 MB; analysts need the gist). */
export const MAX_RAW_PAYLOAD_BYTES = 100_000;

/** Reason codes ingest adds to the wire format's (docs/WIRE_FORMAT.md lists those). */
export type IngestReasonCode = RejectionCode | 'warehouse_rejected' | 'warehouse_failed' | 'ingest_error';

export interface IngestReason {
  code: IngestReasonCode;
  /** JSON path of the offending part, e.g. `events[3].tags.endpoint`, or `message`. */
  field: string;
  message: string;
}

const TRUNCATION_MARK = '…[truncated]';

/** `text` cut to at most `maxBytes` UTF-8 bytes, never inside a character, marked when cut. */
export function truncateUtf8(text: string, maxBytes = MAX_RAW_PAYLOAD_BYTES): string {
  // Fast path: even if every UTF-16 unit became 3 bytes it would fit.
  if (text.length * 3 <= maxBytes) return text;
  // Every UTF-16 unit takes at least one byte: longer text cannot fit, and only its start is encoded.
  const tooLong = text.length > maxBytes;
  if (tooLong) text = text.slice(0, maxBytes);
  const bytes = Buffer.from(text, 'utf8');
  if (!tooLong && bytes.length <= maxBytes) return text;
  let end = maxBytes - Buffer.byteLength(TRUNCATION_MARK);
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--; // back to a character boundary
  return bytes.toString('utf8', 0, end) + TRUNCATION_MARK;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Message bytes as text; bytes that are not UTF-8 are kept as `base64:<…>` rather than mangled. Never throws. */
export function rawMessageText(data: Uint8Array | string): string {
  try {
    if (typeof data === 'string') return data;
    try {
      return utf8.decode(data);
    } catch {
      return 'base64:' + Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, MAX_RAW_PAYLOAD_BYTES)).toString('base64');
    }
  } catch (error) {
    return unserialisable('message data', error);
  }
}

/** What a payload says when its value could not be written out. */
function unserialisable(what: string, error: unknown): string {
  return `[${what} could not be serialised: ${safeErrorText(error)}]`;
}

/** An error as text, for reasons and logs. Never throws (an error's getters may). */
export function safeErrorText(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return typeof error === 'string' ? error : String(error);
  } catch {
    return 'an error that cannot be described';
  }
}

/**
 * JSON text of an event as it arrived, or a description of why there is none. Never throws.
 * Values reaching here were parsed from a message whose depth was checked first, but imports and
 * callers may hand over anything.
 */
export function rawEventText(raw: unknown): string {
  try {
    const text = JSON.stringify(raw) as string | undefined; // undefined for undefined, functions, symbols
    if (typeof text === 'string') return text;
    return `[not JSON: ${typeof raw}]`;
  } catch (error) {
    return unserialisable('the event', error);
  }
}

/** A reason made safe to store as JSON: well-formed strings only. */
function safeReason(reason: IngestReason): IngestReason {
  return { code: reason.code, field: toWellFormed(String(reason.field)), message: toWellFormed(String(reason.message)) };
}

function row(fields: Omit<DeadLetterRow, 'reason_codes' | 'reasons'>, reasons: readonly IngestReason[]): DeadLetterRow {
  try {
    const safe = reasons.map(safeReason);
    const codes = [...new Set(safe.map((r) => r.code))];
    return {
      ...fields,
      dead_letter_id: toWellFormed(fields.dead_letter_id),
      message_id: fields.message_id === null ? null : toWellFormed(fields.message_id),
      service: fields.service === null ? null : toWellFormed(fields.service),
      raw_payload: toWellFormed(truncateUtf8(fields.raw_payload)),
      reason_codes: codes.join(','),
      reasons: JSON.stringify(safe),
    };
  } catch (error) {
    // Only a reason list that cannot be read gets here: keep the row, say what happened.
    const reason: IngestReason = { code: 'ingest_error', field: 'message', message: `the reasons could not be recorded: ${toWellFormed(safeErrorText(error))}` };
    return {
      ...fields,
      dead_letter_id: toWellFormed(fields.dead_letter_id),
      message_id: fields.message_id === null ? null : toWellFormed(fields.message_id),
      service: null,
      raw_payload: toWellFormed(truncateUtf8(String(fields.raw_payload))),
      reason_codes: reason.code,
      reasons: JSON.stringify([reason]),
    };
  }
}

export interface DeadLetterContext {
  messageId: string;
  receivedAtMs: number;
  /** source.service of the message, when it had a readable one. */
  service: string | null;
}

/** The whole message was unusable (not JSON, wrong schema, bad source, …). */
export function messageDeadLetter(ctx: DeadLetterContext, data: Uint8Array | string, reasons: readonly IngestReason[]): DeadLetterRow {
  return row(
    {
      dead_letter_id: `${ctx.messageId}#message`,
      received_at_ms: ctx.receivedAtMs,
      scope: 'message',
      message_id: ctx.messageId,
      event_index: null,
      event_id: null,
      raw_payload: rawMessageText(data),
      service: ctx.service,
    },
    reasons,
  );
}

/**
 * One event of a message could not be stored. `raw` is the event as it arrived; `rawText`, when
 * given, replaces its JSON as the payload (see {@link replayableMessage}).
 */
export function eventDeadLetter(ctx: DeadLetterContext, index: number, raw: unknown, reasons: readonly IngestReason[], rawText?: string): DeadLetterRow {
  return row(
    {
      dead_letter_id: `${ctx.messageId}#${index}`,
      received_at_ms: ctx.receivedAtMs,
      scope: 'event',
      message_id: ctx.messageId,
      event_index: index,
      event_id: usableId(raw, reasons),
      raw_payload: rawText ?? rawEventText(raw),
      service: ctx.service,
    },
    reasons,
  );
}

/**
 * The event's id for the dead letter's event_id column, when it is one a person can search for:
 * a short, clean string that no reason points at (an id that is personal data, or not valid
 * Unicode, stays only in the raw payload).
 */
function usableId(raw: unknown, reasons: readonly IngestReason[]): string | null {
  try {
    if (typeof raw !== 'object' || raw === null) return null;
    const id = (raw as { id?: unknown }).id;
    if (typeof id !== 'string' || id.length === 0 || id.length > 128 || findUnsafeCharacter(id) !== undefined) return null;
    return reasons.some((r) => r.field.endsWith('.id') && !r.field.includes('.tags.')) ? null : id;
  } catch {
    return null;
  }
}

/**
 * Best effort: `source.service` of a message the validator refused, for the dead letter's service
 * column. Never throws; does not parse text nested deeper than the wire format allows.
 */
export function serviceOf(data: Uint8Array | string): string | null {
  try {
    const text = rawMessageText(data);
    if (text.length > 2 * WIRE_LIMITS.maxMessageBytes || !jsonDepthWithin(text, WIRE_LIMITS.maxJsonDepth)) return null;
    const parsed = JSON.parse(text) as { source?: { service?: unknown } } | null;
    const service = parsed?.source?.service;
    if (typeof service !== 'string' || service.length === 0 || service.length > 64 || findUnsafeCharacter(service) !== undefined) return null;
    return findPersonalDataInId(service) === undefined ? service : null;
  } catch {
    return null;
  }
}

/** The reason for a message ingest failed on in a way nobody foresaw (a bug): kept, not retried forever. */
export function ingestErrorReason(error: unknown): IngestReason {
  return {
    code: 'ingest_error',
    field: 'message',
    message: `ingest failed on this message (${safeErrorText(error)}); it was set aside so the rest of its batch could be stored. Report it with this dead letter; replay it with obs ingest --file once fixed`,
  };
}

/** The reason for events the warehouse kept failing on until ingest stopped retrying. */
export function warehouseFailedReason(index: number, attempts: string, error: string): IngestReason {
  return {
    code: 'warehouse_failed',
    field: `events[${index}]`,
    message: `the warehouse failed to store this valid event on every delivery (${attempts}); last error: ${error}. raw_payload holds it as a one-event v1 message: fix the cause, then replay it with obs ingest --file (docs/INGEST.md)`,
  };
}

/** The reason for an event the warehouse refused outright. */
export function warehouseRejectedReason(index: number, detail: string): IngestReason {
  return {
    code: 'warehouse_rejected',
    field: `events[${index}]`,
    message: `the warehouse refused this event, which passed validation: ${detail}`,
  };
}

/**
 * A one-event v1 message holding `event` as validated: the raw payload of a `warehouse_failed`
 * dead letter, so `SELECT raw_payload … ` piped to `obs ingest --file` replays it as it was.
 */
export function replayableMessage(source: MessageSource, event: MetricEvent): string {
  try {
    // The whole event, merged fields (issue #18) included, so a replay stores what was sent.
    const { id, name, kind, value, ts, tags, ...aggregate } = event;
    return JSON.stringify({ schema: WIRE_SCHEMA, source, events: [{ id, name, kind, value, ts, tags, ...aggregate }] });
  } catch (error) {
    return unserialisable('the event', error); // a validated event always serialises; this is the guard's guard
  }
}
