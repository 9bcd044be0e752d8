import { COMMON_TAG_KEYS, METRICS, METRIC_NAMES } from './metric-catalogue';
import { METRIC_KINDS, WIRE_LIMITS, WIRE_SCHEMA } from './event-schema';

/**
 * Wire format v1 as JSON Schema (draft 2020-12), generated from the same constants and catalogue
 * as the TypeScript validator; committed as docs/metrics-event.schema.json for producers in other
 * languages. What JSON Schema cannot express — the timestamp range relative to now, the PII
 * guard on tag values, ids and source fields, the nesting depth, and lone surrogates (`\ud800`
 * escapes, which a schema's pattern matches as characters) — is checked by ingest only; a message
 * that passes this schema can still be dead-lettered for those reasons.
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
      `and messages nesting arrays and objects more than ${WIRE_LIMITS.maxJsonDepth} levels deep.`,
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
          ts: { type: 'integer', description: 'Event time, epoch milliseconds UTC.' },
          tags: {
            type: 'object',
            maxProperties: WIRE_LIMITS.maxTagsPerEvent,
            propertyNames: { maxLength: WIRE_LIMITS.maxTagKeyLength },
            additionalProperties: { type: 'string', minLength: 1, maxLength: WIRE_LIMITS.maxTagValueLength, pattern: printable },
          },
        },
        allOf: [
          { if: { properties: { kind: { enum: ['count', 'timing'] } }, required: ['kind'] }, then: { properties: { value: { minimum: 0 } } } },
          ...tagRules,
        ],
      },
    },
  };
}
