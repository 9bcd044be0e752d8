import Ajv2020 from 'ajv/dist/2020';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bucketIndex, buildWireJsonSchema, validateMessage } from '../../../shared';

const schemaPath = join(__dirname, '..', '..', '..', 'docs', 'metrics-event.schema.json');
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

describe('docs/metrics-event.schema.json', () => {
  it('is exactly what shared/ generates (run `npm run gen:schema` or UPDATE_GOLDEN=1 after changing the catalogue)', () => {
    const generated = JSON.stringify(buildWireJsonSchema(), null, 2) + '\n';
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(schemaPath, generated);
    expect(readFileSync(schemaPath, 'utf8')).toBe(generated);
  });

  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
  const base = { schema: 'metrics.v1', source: { service: 'chat', environment: 'staging' } };
  const event = { id: 'e1', name: 'product.chat.delivery.latency_ms', kind: 'timing', value: 120, ts: NOW, tags: { channel: 'direct' } };
  // Two calls of 10 and 20 ms merged: buckets CEIL(LN(v)/LN(1.01/0.99)).
  const merged = { ...event, value: 30, count: 2, min: 10, max: 20, last: 20, start_ts: NOW, ts: NOW + 400, histogram: [[bucketIndex(10), 1], [bucketIndex(20), 1]] };

  // Each message either passes both the TypeScript validator and the JSON Schema, or fails both.
  const cases: Array<[string, unknown, boolean]> = [
    ['a valid timing event', { ...base, events: [event] }, true],
    ['a valid event without tags', { ...base, events: [{ ...event, tags: undefined }] }, true],
    ['a kind that contradicts the catalogue', { ...base, events: [{ ...event, kind: 'count' }] }, false],
    ['a tag key outside the allow-list', { ...base, events: [{ ...event, tags: { user: 'x' } }] }, false],
    ['an unknown metric', { ...base, events: [{ ...event, name: 'product.chat.nope' }] }, false],
    ['a negative timing', { ...base, events: [{ ...event, value: -1 }] }, false],
    ['a fractional timestamp', { ...base, events: [{ ...event, ts: 1.5 }] }, false],
    ['a missing id', { ...base, events: [{ ...event, id: undefined }] }, false],
    ['a wrong schema', { ...base, schema: 'metrics.v0', events: [event] }, false],
    ['no events', { ...base, events: [] }, false],
    ['an over-long tag value', { ...base, events: [{ ...event, tags: { channel: 'c'.repeat(129) } }] }, false],
    ['a merged timing (issue #18)', { ...base, events: [merged] }, true],
    ['a merged count', { ...base, events: [{ id: 'e2', name: 'product.chat.message.count', kind: 'count', value: 7, ts: NOW, count: 3, min: 1, max: 5, last: 1, start_ts: NOW, tags: { channel: 'direct' } }] }, true],
    ['a merged gauge', { ...base, events: [{ id: 'e3', name: 'infra.queue.depth', kind: 'gauge', value: 4, ts: NOW, count: 2, min: 4, max: 9, sum: 13, start_ts: NOW }] }, true],
    ['a merged gauge without its sum', { ...base, events: [{ id: 'e3', name: 'infra.queue.depth', kind: 'gauge', value: 4, ts: NOW, count: 2, min: 4, max: 9, start_ts: NOW }] }, false],
    ['a sum on a timing', { ...base, events: [{ ...merged, sum: 30 }] }, false],
    ['a count of 0', { ...base, events: [{ ...merged, count: 0 }] }, false],
    ['a merged timing without its histogram', { ...base, events: [{ ...merged, histogram: undefined }] }, false],
    ['a merged timing without start_ts', { ...base, events: [{ ...merged, start_ts: undefined }] }, false],
    ['a histogram on a gauge', { ...base, events: [{ id: 'e3', name: 'infra.queue.depth', kind: 'gauge', value: 4, ts: NOW, histogram: [[1, 1]] }] }, false],
    ['a last on a gauge', { ...base, events: [{ id: 'e3', name: 'infra.queue.depth', kind: 'gauge', value: 4, ts: NOW, count: 2, min: 4, max: 9, sum: 13, last: 4, start_ts: NOW }] }, false],
    ['a histogram pair of three numbers', { ...base, events: [{ ...merged, histogram: [[232, 1, 0], [300, 1]] }] }, false],
    ['a fractional bucket', { ...base, events: [{ ...merged, histogram: [[232.5, 1], [300, 1]] }] }, false],
  ];

  it.each(cases)('agrees with the TypeScript validator on %s', (_label, message, expected) => {
    const json = JSON.parse(JSON.stringify(message)) as unknown;
    const decoded = validateMessage(json, { nowMs: NOW });
    const tsAccepts = decoded.messageReasons.length === 0 && decoded.rejected.length === 0;
    expect(tsAccepts).toBe(expected);
    expect(validate(json)).toBe(expected);
  });
});
