import { allowedTagKeys, isMetricName, METRICS, type MetricKind, type MetricName } from './metric-catalogue';
import { jsonDepthWithin } from './json-depth';
import { validateAggregate, type AggregateReason, type EventAggregate } from './event-aggregate';
import { findPersonalData, findPersonalDataInId, PERSONAL_DATA_DESCRIPTIONS } from './pii-guard';
import { codePointLabel, escapeUnsafe, findUnsafeCharacter, UNSAFE_TEXT_DESCRIPTIONS } from './unsafe-text';

/**
 * Wire format v1 (docs/metrics-event.schema.json is the same contract as JSON Schema; a test
 * keeps the two in step). One Pub/Sub message carries one batch:
 *
 *   {"schema":"metrics.v1","source":{"service":"wallet","environment":"production"},
 *    "events":[{"id":"…","name":"product.wallet.spend.success","kind":"count","value":1,
 *               "ts":1764180000000,"tags":{"feature":"chat"}}]}
 *
 * An event may stand for many calls of one series (an aggregating emitter, issue #18): the
 * optional fields count, min, max, last, start_ts and histogram (shared/event-aggregate.ts).
 */
export const WIRE_SCHEMA = 'metrics.v1';

/** Limits of the wire format, with units in their names. */
export const WIRE_LIMITS = {
  maxMessageBytes: 1_000_000,
  maxEventsPerMessage: 10_000,
  maxIdLength: 128,
  maxSourceFieldLength: 64,
  maxTagsPerEvent: 16,
  maxTagKeyLength: 64,
  maxTagValueLength: 128,
  /** Producers' clocks drift; beyond this an event is from the future. */
  maxFutureSkewMs: 15 * 60_000,
  /** Older events are past every retention period (seed §12: 30–90 days) and BigQuery's streaming window. */
  maxEventAgeMs: 400 * 86_400_000,
  /** Absolute magnitude bound: keeps sums exact in FLOAT64 for any realistic batch. */
  maxAbsValue: 1e15,
  /**
   * Nesting of arrays and objects in a message, checked on the text before it is parsed. A v1
   * message needs 5 (message, events, event, histogram, pair); the slack leaves room for later versions, and
   * the bound keeps every recursive step after parsing (JSON.stringify of a dead letter) far from
   * the stack's limit, which ~6,000 levels reached.
   */
  maxJsonDepth: 32,
} as const;

export const METRIC_KINDS: readonly MetricKind[] = ['count', 'timing', 'gauge'];

/** One event: one call, or (with the optional {@link EventAggregate} fields) `count` calls merged. */
export interface MetricEvent extends EventAggregate {
  id: string;
  name: MetricName;
  kind: MetricKind;
  value: number;
  /** Event time, epoch milliseconds UTC. */
  ts: number;
  tags: Record<string, string>;
}

export interface MessageSource {
  service: string;
  environment: string;
}

export interface MetricsMessage {
  schema: typeof WIRE_SCHEMA;
  source: MessageSource;
  events: MetricEvent[];
}

/** Why something was rejected: a stable code for machines, a sentence a person can act on. */
export type RejectionCode =
  | 'invalid_encoding'
  | 'invalid_json'
  | 'message_too_large'
  | 'not_an_object'
  | 'wrong_schema'
  | 'invalid_source'
  | 'invalid_events'
  | 'too_many_events'
  | 'invalid_id'
  | 'unknown_metric'
  | 'kind_mismatch'
  | 'invalid_value'
  | 'invalid_timestamp'
  | 'invalid_tags'
  | 'too_many_tags'
  | 'tag_not_allowed'
  | 'invalid_tag_value'
  | 'personal_data'
  | 'nesting_too_deep'
  | 'invalid_unicode'
  | 'unsafe_characters'
  | AggregateReason['code'];

export interface Rejection {
  code: RejectionCode;
  /** JSON path of the offending field, e.g. `events[3].tags.endpoint`. */
  field: string;
  message: string;
}

export type EventValidation = { ok: true; event: MetricEvent } | { ok: false; reasons: Rejection[] };

export interface ValidateOptions {
  /** "Now" for the timestamp range check; defaults to the system clock. */
  nowMs?: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return value.length > 40 || findUnsafeCharacter(value) ? `a ${value.length}-character string` : JSON.stringify(value);
  return typeof value;
}

/**
 * The reason `value` (a string field at `field`) holds a character it must not (shared/unsafe-text.ts),
 * or undefined. Control characters keep the field's own code (`controlCode`); the reason names the
 * character and its position, never the text around it.
 */
function unsafeTextReason(value: string, field: string, controlCode: RejectionCode, subject = field): Rejection | undefined {
  const found = findUnsafeCharacter(value);
  if (found === undefined) return undefined;
  const at = `${codePointLabel(found.codeUnit)} at position ${found.index}`;
  switch (found.kind) {
    case 'control':
      return { code: controlCode, field, message: `${subject} contains control characters (${at})` };
    case 'lone_surrogate':
      return { code: 'invalid_unicode', field, message: `${subject} is not valid Unicode: ${at} is ${UNSAFE_TEXT_DESCRIPTIONS.lone_surrogate}; strings are compared exactly, so it is refused rather than repaired` };
    default:
      return { code: 'unsafe_characters', field, message: `${subject} contains ${at}, ${UNSAFE_TEXT_DESCRIPTIONS[found.kind]}; names, ids, tags and source fields must be visible text` };
  }
}

function checkString(value: unknown, field: string, maxLength: number, code: RejectionCode, out: Rejection[]): value is string {
  if (typeof value !== 'string' || value.length === 0) {
    out.push({ code, field, message: `${field} must be a non-empty string, got ${describe(value)}` });
    return false;
  }
  if (value.length > maxLength) {
    out.push({ code, field, message: `${field} is ${value.length} characters long; the limit is ${maxLength}` });
    return false;
  }
  const unsafe = unsafeTextReason(value, field, code);
  if (unsafe) {
    out.push(unsafe);
    return false;
  }
  return true;
}

/**
 * An identifier (an event id, a source field) that carries personal data: an e-mail address, a
 * phone or card number, an IP address, a token. Ids are random strings, so the id-shaped rules of
 * the tag guard (UUIDs, opaque user ids) do not apply to them. The value is never echoed.
 */
function personalDataInId(value: string, field: string, what: string): Rejection | undefined {
  const personal = findPersonalDataInId(value);
  if (personal === undefined) return undefined;
  return { code: 'personal_data', field, message: `${field} looks like ${PERSONAL_DATA_DESCRIPTIONS[personal]} (${personal}); ${what} must never carry personal data` };
}

/** Checks `source.service` and `source.environment` (message-level reasons). */
export function validateSource(source: Record<string, unknown>, out: Rejection[]): void {
  for (const key of ['service', 'environment'] as const) {
    const field = `source.${key}`;
    const value = source[key];
    if (!checkString(value, field, WIRE_LIMITS.maxSourceFieldLength, 'invalid_source', out)) continue;
    const personal = personalDataInId(value, field, 'source fields');
    if (personal) out.push(personal);
  }
}

/**
 * Validates one event against wire format v1, the metric catalogue and the PII guard.
 * Never throws; returns every reason the event is rejected, or the normalised event.
 */
export function validateEvent(raw: unknown, options: ValidateOptions = {}, path = 'event'): EventValidation {
  try {
    return validateEventUnguarded(raw, options, path);
  } catch (error) {
    // Only exotic objects get here (a revoked Proxy, a getter that throws): JSON never does.
    return { ok: false, reasons: [{ code: 'not_an_object', field: path, message: `${path} could not be read: ${error instanceof Error ? error.message : 'unknown error'}` }] };
  }
}

function validateEventUnguarded(raw: unknown, options: ValidateOptions, path: string): EventValidation {
  const reasons: Rejection[] = [];
  if (!isPlainObject(raw)) {
    return { ok: false, reasons: [{ code: 'not_an_object', field: path, message: `${path} must be a JSON object, got ${describe(raw)}` }] };
  }
  const { id, name, kind, value, ts, tags } = raw;

  const idField = `${path}.id`;
  if (checkString(id, idField, WIRE_LIMITS.maxIdLength, 'invalid_id', reasons)) {
    const personal = personalDataInId(id, idField, 'event ids');
    if (personal) reasons.push(personal);
  }

  let metric: (typeof METRICS)[MetricName] | undefined;
  if (typeof name !== 'string' || name.length === 0) {
    reasons.push({ code: 'unknown_metric', field: `${path}.name`, message: `${path}.name must be a metric name from the catalogue, got ${describe(name)}` });
  } else if (isMetricName(name)) {
    metric = METRICS[name];
  } else {
    // Not in the catalogue; say why plainly when the name holds characters no name may have.
    const unsafe = unsafeTextReason(name, `${path}.name`, 'unknown_metric');
    reasons.push(unsafe ?? { code: 'unknown_metric', field: `${path}.name`, message: `metric ${describe(name)} is not in the catalogue (obs catalog lists the accepted names)` });
  }

  if (typeof kind !== 'string' || !(METRIC_KINDS as readonly string[]).includes(kind)) {
    reasons.push({ code: 'kind_mismatch', field: `${path}.kind`, message: `${path}.kind must be one of count, timing, gauge; got ${describe(kind)}` });
  } else if (metric && metric.kind !== kind) {
    reasons.push({ code: 'kind_mismatch', field: `${path}.kind`, message: `${String(name)} is a ${metric.kind} metric, but the event says ${kind}` });
  }

  if (typeof value !== 'number' || !Number.isFinite(value)) {
    reasons.push({ code: 'invalid_value', field: `${path}.value`, message: `${path}.value must be a finite number, got ${describe(value)}` });
  } else if (Math.abs(value) > WIRE_LIMITS.maxAbsValue) {
    reasons.push({ code: 'invalid_value', field: `${path}.value`, message: `${path}.value ${value} is beyond ±${WIRE_LIMITS.maxAbsValue}` });
  } else if ((kind === 'count' || kind === 'timing') && value < 0) {
    reasons.push({ code: 'invalid_value', field: `${path}.value`, message: `${path}.value must not be negative for a ${kind}, got ${value}` });
  }

  if (typeof ts !== 'number' || !Number.isInteger(ts)) {
    reasons.push({ code: 'invalid_timestamp', field: `${path}.ts`, message: `${path}.ts must be integer epoch milliseconds, got ${describe(ts)}` });
  } else {
    const now = options.nowMs ?? Date.now();
    if (ts > now + WIRE_LIMITS.maxFutureSkewMs) {
      reasons.push({ code: 'invalid_timestamp', field: `${path}.ts`, message: `${path}.ts ${ts} is more than 15 minutes in the future (now ${now}); check the producer's clock and that ts is in milliseconds` });
    } else if (ts < now - WIRE_LIMITS.maxEventAgeMs) {
      reasons.push({ code: 'invalid_timestamp', field: `${path}.ts`, message: `${path}.ts ${ts} is more than 400 days old; check that ts is in milliseconds, not seconds` });
    }
  }

  const normalisedTags: Record<string, string> = {};
  if (tags !== undefined) {
    if (!isPlainObject(tags)) {
      reasons.push({ code: 'invalid_tags', field: `${path}.tags`, message: `${path}.tags must be an object of string values, got ${describe(tags)}` });
    } else {
      validateTags(tags, typeof name === 'string' ? name : '', `${path}.tags`, reasons, normalisedTags);
    }
  }

  const aggregate = validateAggregate(
    raw,
    typeof kind === 'string' && (METRIC_KINDS as readonly string[]).includes(kind) ? (kind as MetricKind) : undefined,
    reasons.some((r) => r.field === `${path}.value`) ? undefined : (value as number),
    reasons.some((r) => r.field === `${path}.ts`) ? undefined : (ts as number),
    path,
    WIRE_LIMITS.maxAbsValue,
    reasons,
  );

  if (reasons.length > 0) return { ok: false, reasons };
  const event: MetricEvent = { id: id as string, name: name as MetricName, kind: kind as MetricKind, value: value as number, ts: ts as number, tags: normalisedTags };
  return { ok: true, event: Object.assign(event, aggregate) };
}

function validateTags(tags: Record<string, unknown>, name: string, field: string, reasons: Rejection[], out: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.length > WIRE_LIMITS.maxTagsPerEvent) {
    reasons.push({ code: 'too_many_tags', field, message: `${field} has ${keys.length} tags; the limit is ${WIRE_LIMITS.maxTagsPerEvent}` });
    return;
  }
  const allowed = allowedTagKeys(name);
  for (const key of keys) {
    // The key is part of the field path: unsafe characters in it are shown escaped, never raw.
    const keyField = `${field}.${escapeUnsafe(key.length > 40 ? key.slice(0, 40) + '…' : key)}`;
    if (key.length > WIRE_LIMITS.maxTagKeyLength) {
      reasons.push({ code: 'tag_not_allowed', field: keyField, message: `tag key is ${key.length} characters long; the limit is ${WIRE_LIMITS.maxTagKeyLength}` });
      continue;
    }
    const unsafeKey = unsafeTextReason(key, keyField, 'tag_not_allowed', `the tag key at ${keyField}`);
    if (unsafeKey) {
      reasons.push(unsafeKey);
      continue;
    }
    if (allowed && !allowed.has(key)) {
      reasons.push({ code: 'tag_not_allowed', field: keyField, message: `tag ${JSON.stringify(key)} is not allowed on ${name}; allowed: ${[...allowed].join(', ')}` });
      continue;
    }
    const value = tags[key];
    if (!checkString(value, keyField, WIRE_LIMITS.maxTagValueLength, 'invalid_tag_value', reasons)) continue;
    const personal = findPersonalData(value);
    if (personal) {
      // The value itself is personal data: never echo it into the reason.
      reasons.push({ code: 'personal_data', field: keyField, message: `tag ${key} looks like ${PERSONAL_DATA_DESCRIPTIONS[personal]} (${personal}); metrics must never carry personal data` });
      continue;
    }
    out[key] = value;
  }
}

export interface RejectedEvent {
  index: number;
  raw: unknown;
  reasons: Rejection[];
}

/**
 * The outcome of decoding one message. When `messageReasons` is non-empty the whole message is
 * unusable (dead-letter it whole); otherwise `valid` and `rejected` partition its events.
 */
export interface DecodedMessage {
  messageReasons: Rejection[];
  source?: MessageSource;
  valid: MetricEvent[];
  rejected: RejectedEvent[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes and validates one v1 message (bytes or text). Never throws. */
export function decodeMessage(data: Uint8Array | string, options: ValidateOptions = {}): DecodedMessage {
  const fail = (code: RejectionCode, field: string, message: string): DecodedMessage => ({
    messageReasons: [{ code, field, message }],
    valid: [],
    rejected: [],
  });
  const size = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.byteLength;
  if (size > WIRE_LIMITS.maxMessageBytes) {
    return fail('message_too_large', 'message', `message is ${size} bytes; the limit is ${WIRE_LIMITS.maxMessageBytes} (split the batch)`);
  }
  let text: string;
  try {
    text = typeof data === 'string' ? data : utf8.decode(data);
  } catch {
    return fail('invalid_encoding', 'message', 'message data is not valid UTF-8');
  }
  if (!jsonDepthWithin(text, WIRE_LIMITS.maxJsonDepth)) {
    return fail('nesting_too_deep', 'message', `message nests arrays and objects more than ${WIRE_LIMITS.maxJsonDepth} levels deep; a v1 message needs 5 (refused before parsing)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail('invalid_json', 'message', `message is not valid JSON: ${(error as Error).message}`);
  }
  return validateMessage(parsed, options);
}

/** Validates an already-parsed v1 message. Never throws. */
export function validateMessage(parsed: unknown, options: ValidateOptions = {}): DecodedMessage {
  const messageReasons: Rejection[] = [];
  if (!isPlainObject(parsed)) {
    return { messageReasons: [{ code: 'not_an_object', field: 'message', message: `message must be a JSON object, got ${describe(parsed)}` }], valid: [], rejected: [] };
  }
  if (parsed.schema !== WIRE_SCHEMA) {
    messageReasons.push({ code: 'wrong_schema', field: 'schema', message: `schema must be "${WIRE_SCHEMA}", got ${describe(parsed.schema)}` });
  }
  const source = parsed.source;
  if (!isPlainObject(source)) {
    messageReasons.push({ code: 'invalid_source', field: 'source', message: `source must be an object {service, environment}, got ${describe(source)}` });
  } else {
    validateSource(source, messageReasons);
  }
  const events = parsed.events;
  if (!Array.isArray(events) || events.length === 0) {
    messageReasons.push({ code: 'invalid_events', field: 'events', message: `events must be a non-empty array, got ${describe(events)}` });
  } else if (events.length > WIRE_LIMITS.maxEventsPerMessage) {
    messageReasons.push({ code: 'too_many_events', field: 'events', message: `message has ${events.length} events; the limit is ${WIRE_LIMITS.maxEventsPerMessage}` });
  }
  if (messageReasons.length > 0) return { messageReasons, valid: [], rejected: [] };

  const valid: MetricEvent[] = [];
  const rejected: RejectedEvent[] = [];
  (events as unknown[]).forEach((raw, index) => {
    const result = validateEvent(raw, options, `events[${index}]`);
    if (result.ok) valid.push(result.event);
    else rejected.push({ index, raw, reasons: result.reasons });
  });
  const { service, environment } = source as { service: string; environment: string };
  return { messageReasons, source: { service, environment }, valid, rejected };
}
