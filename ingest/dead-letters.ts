import { WIRE_SCHEMA, type MessageSource, type MetricEvent, type RejectionCode } from '../shared';
import type { DeadLetterRow } from '../sql';

/**
 * Dead-letter rows: what ingest could not store, with every reason and the raw payload, so a person
 * can see what went wrong and replay it once fixed (docs/INGEST.md).
 *
 * Ids are deterministic — `<message id>#<event index>` or `<message id>#message` — so a message
 * redelivered after a crash or a nack does not add a second dead letter for the same thing.
 */

/** Raw payloads are cut to this many UTF-8 bytes (a message may be 1 MB; analysts need the gist). */
export const MAX_RAW_PAYLOAD_BYTES = 100_000;

/** Reason codes ingest adds to the wire format's (docs/WIRE_FORMAT.md lists those). */
export type IngestReasonCode = RejectionCode | 'warehouse_rejected' | 'warehouse_failed';

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
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes - Buffer.byteLength(TRUNCATION_MARK);
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--; // back to a character boundary
  return bytes.toString('utf8', 0, end) + TRUNCATION_MARK;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Message bytes as text; bytes that are not UTF-8 are kept as `base64:<…>` rather than mangled. */
export function rawMessageText(data: Uint8Array | string): string {
  if (typeof data === 'string') return data;
  try {
    return utf8.decode(data);
  } catch {
    return 'base64:' + Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, MAX_RAW_PAYLOAD_BYTES)).toString('base64');
  }
}

function row(fields: Omit<DeadLetterRow, 'reason_codes' | 'reasons'>, reasons: readonly IngestReason[]): DeadLetterRow {
  const codes = [...new Set(reasons.map((r) => r.code))];
  return { ...fields, raw_payload: truncateUtf8(fields.raw_payload), reason_codes: codes.join(','), reasons: JSON.stringify(reasons) };
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
      event_id: usableId(raw),
      raw_payload: rawText ?? JSON.stringify(raw) ?? String(raw),
      service: ctx.service,
    },
    reasons,
  );
}

function usableId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : null;
}

/** Best effort: `source.service` of a message the validator refused, for the dead letter's service column. */
export function serviceOf(data: Uint8Array | string): string | null {
  try {
    const parsed = JSON.parse(rawMessageText(data)) as { source?: { service?: unknown } } | null;
    const service = parsed?.source?.service;
    return typeof service === 'string' && service.length > 0 && service.length <= 64 ? service : null;
  } catch {
    return null;
  }
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
  return JSON.stringify({ schema: WIRE_SCHEMA, source, events: [{ id: event.id, name: event.name, kind: event.kind, value: event.value, ts: event.ts, tags: event.tags }] });
}
