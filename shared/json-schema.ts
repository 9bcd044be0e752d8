import { COMMON_TAG_KEYS, METRICS, METRIC_NAMES } from './metric-catalogue';
import { METRIC_KINDS, WIRE_LIMITS, WIRE_SCHEMA } from './event-schema';
import { AGGREGATE_LIMITS } from './event-aggregate';
import { HISTOGRAM_ZERO_BUCKET } from './histogram';

/**
 * Wire format v1 as JSON Schema (draft 2020-12), generated from the same constants and catalogue
 * as the TypeScript validator; committed as docs/metrics-event.schema.json for producers in other
 * languages. What JSON Schema cannot express — the timestamp range relative to now, the PII
 * guard on tag values, ids and source fields, the nesting depth, lone surrogates (`\ud800`
 * escapes, which a schema's pattern matches as characters), and the arithmetic of merged events
 * (min ≤ max, value within min·count … max·count, start_ts in ts's minute, histogram buckets
 * ascending and summing to count) — is checked by ingest only; a message that passes this schema
 * can still be dead-lettered for those reasons.
 */
export function buildWireJsonSchema(): Record<string, unknown> {
  // Visible text: no control characters, bidi controls, line separators or zero-width characters
  // (shared/unsafe-text.ts lists them and says why).
  const printable = '^[^\\u0000-\\u001f\\u007f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2060\\u2066-\\u2069\\ufeff]+$';
  const tagRules = METRIC_NAMES.map((name) => ({
    if: { properties: { name: { const: name } }, required: ['name'] },
    then: {
      properties: {
        kind: { const: METRICS[name].kind },
        tags: { propertyNames: { enum: [...METRICS[name].tags, ...COMMON_TAG_KEYS] } },
      },
    },
  }));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://avalo.app/schemas/metrics.v1.json',
    title: 'Metrics wire format v1',
    description:
      'One Pub/Sub message: a batch of metric events. Generated from shared/ by `npm run gen:schema`; do not edit by hand. ' +
      `Messages are at most ${WIRE_LIMITS.maxMessageBytes} bytes of UTF-8 JSON. Ingest also rejects timestamps more than ` +
      `${WIRE_LIMITS.maxFutureSkewMs / 60_000} minutes in the future or ${WIRE_LIMITS.maxEventAgeMs / 86_400_000} days in the past, ` +
      `tag values, event ids and source fields that look like personal data, strings that are not valid Unicode (lone surrogates), ` +
      `messages nesting arrays and objects more than ${WIRE_LIMITS.maxJsonDepth} levels deep, ` +
      'and merged events whose numbers disagree (min > max; for counts and timings a value outside min·count … max·count, for gauges outside min … max; ' +
      'last outside min … max; a gauge sum outside min·count … max·count; start_ts after ts or in another UTC minute; histogram buckets not strictly ascending or counts not summing to count). See docs/WIRE_FORMAT.md.',
    type: 'object',
    required: ['schema', 'source', 'events'],
    properties: {
      schema: { const: WIRE_SCHEMA },
      source: {
        type: 'object',
        required: ['service', 'environment'],
        properties: {
          service: { type: 'string', minLength: 1, maxLength: WIRE_LIMITS.maxSourceFieldLength, pattern: printable },
          environment: { type: 'string', minLength: 1, maxLength: WIRE_LIMITS.maxSourceFieldLength, pattern: printable },
        },
      },
      events: {
        type: 'array',
        minItems: 1,
        maxItems: WIRE_LIMITS.maxEventsPerMessage,
        items: { $ref: '#/$defs/event' },
      },
    },
    $defs: {
      event: {
        type: 'object',
        required: ['id', 'name', 'kind', 'value', 'ts'],
        properties: {
          id: { type: 'string', minLength: 1, maxLength: WIRE_LIMITS.maxIdLength, pattern: printable, description: 'Unique per event; the dedup key.' },
          name: { enum: METRIC_NAMES, description: 'A metric name from the catalogue (`obs catalog`).' },
          kind: { enum: METRIC_KINDS, description: 'count, timing (milliseconds) or gauge; must match the catalogue.' },
          value: { type: 'number', minimum: -WIRE_LIMITS.maxAbsValue, maximum: WIRE_LIMITS.maxAbsValue },
          ts: { type: 'integer', description: 'Event time, epoch milliseconds UTC; for a merged event the time of the latest call merged.' },
          count: { type: 'integer', minimum: 1, maximum: AGGREGATE_LIMITS.maxCount, description: 'Calls merged into this event (absent = 1). value is then the total counted (count), the sum of the durations (timing) or the last value (gauge).' },
          min: { type: 'number', minimum: -WIRE_LIMITS.maxAbsValue, maximum: WIRE_LIMITS.maxAbsValue, description: 'Smallest value of the calls merged (counts: of the increments). Required when count > 1.' },
          max: { type: 'number', minimum: -WIRE_LIMITS.maxAbsValue, maximum: WIRE_LIMITS.maxAbsValue, description: 'Largest value of the calls merged. Required when count > 1.' },
          last: { type: 'number', minimum: 0, maximum: WIRE_LIMITS.maxAbsValue, description: 'Counts and timings: the value of the latest call merged (optional).' },
          sum: { type: 'number', minimum: -WIRE_LIMITS.maxAbsValue, maximum: WIRE_LIMITS.maxAbsValue, description: 'Gauges: the sum of the values merged (value is the last). Required on a gauge with count > 1; not allowed on counts and timings.' },
          start_ts: { type: 'integer', description: 'Epoch ms of the first call merged; required when count > 1; at most ts and in the same UTC minute.' },
          histogram: {
            type: 'array',
            minItems: 1,
            maxItems: AGGREGATE_LIMITS.maxHistogramPairs,
            description: `Timings: [bucket, count] pairs, bucket = CEIL(LN(v)/LN(1.01/0.99)) or ${HISTOGRAM_ZERO_BUCKET} for v = 0, strictly ascending, counts summing to count. Required on a timing with count > 1.`,
            items: {
              type: 'array',
              minItems: 2,
              maxItems: 2,
              prefixItems: [
                { type: 'integer', minimum: HISTOGRAM_ZERO_BUCKET, maximum: 2 ** 31 - 1 },
                { type: 'integer', minimum: 1, maximum: AGGREGATE_LIMITS.maxCount },
              ],
            },
          },
          tags: {
            type: 'object',
            maxProperties: WIRE_LIMITS.maxTagsPerEvent,
            propertyNames: { maxLength: WIRE_LIMITS.maxTagKeyLength },
            additionalProperties: { type: 'string', minLength: 1, maxLength: WIRE_LIMITS.maxTagValueLength, pattern: printable },
          },
        },
        allOf: [
          { if: { properties: { kind: { enum: ['count', 'timing'] } }, required: ['kind'] }, then: { properties: { value: { minimum: 0 }, min: { minimum: 0 }, max: { minimum: 0 } } } },
          { if: { properties: { count: { minimum: 2 } }, required: ['count'] }, then: { required: ['min', 'max', 'start_ts'] } },
          { if: { properties: { kind: { const: 'timing' }, count: { minimum: 2 } }, required: ['kind', 'count'] }, then: { required: ['histogram'] } },
          { if: { properties: { kind: { enum: ['count', 'gauge'] } }, required: ['kind'] }, then: { not: { required: ['histogram'] } } },
          { if: { properties: { kind: { const: 'gauge' } }, required: ['kind'] }, then: { not: { required: ['last'] } } },
          { if: { properties: { kind: { const: 'gauge' }, count: { minimum: 2 } }, required: ['kind', 'count'] }, then: { required: ['sum'] } },
          { if: { properties: { kind: { enum: ['count', 'timing'] } }, required: ['kind'] }, then: { not: { required: ['sum'] } } },
          ...tagRules,
        ],
      },
    },
  };
}
