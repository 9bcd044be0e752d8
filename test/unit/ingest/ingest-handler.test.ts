import { IngestHandler, IngestRetryableError } from '../../../ingest';
import { silentIngestLog } from '../../../ingest/ingest-log';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { defineQuery, WarehouseRowsRejectedError, type EventRow, type Warehouse } from '../../../sql';
import { deadLetters, message, NOW, spend, storedIds } from './fixtures';

/** Delegates to a real warehouse, failing on demand. */
function flaky(inner: Warehouse, failEvents: (rows: readonly EventRow[]) => Error | undefined, failDeadLetters: () => Error | undefined = () => undefined): Warehouse {
  return Object.assign(Object.create(inner) as Warehouse, {
    insertEvents: (rows: readonly EventRow[]) => {
      const error = failEvents(rows);
      return error ? Promise.reject(error) : inner.insertEvents(rows);
    },
    insertDeadLetters: (rows: Parameters<Warehouse['insertDeadLetters']>[0]) => {
      const error = failDeadLetters();
      return error ? Promise.reject(error) : inner.insertDeadLetters(rows);
    },
  });
}

describe('IngestHandler (DuckDB :memory:)', () => {
  let wh: DuckDbWarehouse;
  let handler: IngestHandler;
  beforeEach(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
    handler = new IngestHandler({ warehouse: wh, now: () => NOW, log: silentIngestLog });
  });
  afterEach(() => wh.close());

  it('stores every valid event with its canonical series key, tags, source, message id and ingest time', async () => {
    const summary = await handler.handle({ id: 'm1', data: Buffer.from(message([spend('a'), spend('b', { tags: { region: 'us', feature: 'gift' } })])) });
    expect(summary).toEqual({ messages: 1, events: 2, stored: 2, duplicates: 0, deadLettered: 0, gaveUp: 0 });
    const rows = await wh.query(
      defineQuery('t', "SELECT event_id, name, kind, value, UNIX_MILLIS(event_ts) AS ts, UNIX_MILLIS(ingest_ts) AS ingest_ms, series_key, JSON_VALUE(tags, '$.feature') AS feature, service, environment, message_id FROM {{metric_events}} WHERE event_ts >= TIMESTAMP_MILLIS(0) ORDER BY event_id"),
    );
    expect(rows).toEqual([
      { event_id: 'a', name: 'product.wallet.spend.success', kind: 'count', value: 1, ts: NOW - 1_000, ingest_ms: NOW, series_key: 'feature=chat,region=eu', feature: 'chat', service: 'wallet', environment: 'test', message_id: 'm1' },
      { event_id: 'b', name: 'product.wallet.spend.success', kind: 'count', value: 1, ts: NOW - 1_000, ingest_ms: NOW, series_key: 'feature=gift,region=us', feature: 'gift', service: 'wallet', environment: 'test', message_id: 'm1' },
    ]);
  });

  it('stores an event once when its message is delivered again, or its id repeats in the batch or in another message', async () => {
    const data = message([spend('a'), spend('b'), spend('a')]);
    expect(await handler.handle({ id: 'm1', data })).toMatchObject({ stored: 2, duplicates: 1 });
    expect(await handler.handle({ id: 'm1', data })).toMatchObject({ stored: 0, duplicates: 3 });
    expect(await handler.handleBatch([{ id: 'm2', data: message([spend('b'), spend('c')]) }, { id: 'm3', data: message([spend('c')]) }])).toMatchObject({ stored: 1, duplicates: 2 });
    expect(await storedIds(wh)).toEqual(['a', 'b', 'c']);
  });

  it('dead-letters each rejected event with every reason and its raw JSON, and stores the valid events beside it', async () => {
    const bad = spend('bad', { value: -3, tags: { feature: 'jane@example.com' } });
    const summary = await handler.handle({ id: 'm1', data: message([spend('ok'), bad, { id: 'x', name: 'no.such.metric', kind: 'count', value: 1, ts: NOW }]) });
    expect(summary).toEqual({ messages: 1, events: 3, stored: 1, duplicates: 0, deadLettered: 2, gaveUp: 0 });
    expect(await storedIds(wh)).toEqual(['ok']);
    const [first, second] = await deadLetters(wh);
    expect(first).toMatchObject({ dead_letter_id: 'm1#1', scope: 'event', message_id: 'm1', event_index: 1, event_id: 'bad', reason_codes: 'invalid_value,personal_data', service: 'wallet' });
    expect(JSON.parse(first!.raw_payload)).toEqual(bad);
    const reasons = JSON.parse(first!.reasons) as Array<{ code: string; field: string; message: string }>;
    expect(reasons.map((r) => r.field)).toEqual(['events[1].value', 'events[1].tags.feature']);
    expect(reasons[1]!.message).not.toContain('jane@example.com');
    expect(second).toMatchObject({ dead_letter_id: 'm1#2', reason_codes: 'unknown_metric' });
    expect(JSON.parse(second!.reasons)[0].message).toContain('obs catalog');
  });

  it.each([
    ['not JSON', Buffer.from('{"schema":"metrics.v1", oops'), 'invalid_json', '{"schema":"metrics.v1", oops'],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'invalid_encoding', 'base64:e//+fQ=='],
    ['of another schema', Buffer.from('{"schema":"metrics.v2","source":{"service":"chat","environment":"test"},"events":[{}]}'), 'wrong_schema', undefined],
    ['without events', Buffer.from(message([])), 'invalid_events', undefined],
  ])('dead-letters a message %s whole, with its raw payload', async (_what, data, code, raw) => {
    expect(await handler.handle({ id: 'm9', data })).toMatchObject({ events: 0, stored: 0, deadLettered: 1 });
    const [dead] = await deadLetters(wh);
    expect(dead).toMatchObject({ dead_letter_id: 'm9#message', scope: 'message', message_id: 'm9', event_index: null, reason_codes: code });
    expect(dead!.raw_payload).toBe(raw ?? data.toString('utf8'));
  });

  it('names the service of a refused message when it can, and cuts a huge payload to 100 kB', async () => {
    const huge = JSON.stringify({ schema: 'metrics.v1', source: { service: 'chat', environment: 'test' }, events: [spend('a')], pad: 'x'.repeat(1_200_000) });
    await handler.handle({ id: 'big', data: huge });
    const [dead] = await deadLetters(wh);
    expect(dead).toMatchObject({ reason_codes: 'message_too_large', service: 'chat' });
    expect(Buffer.byteLength(dead!.raw_payload)).toBeLessThanOrEqual(100_000);
    expect(dead!.raw_payload.endsWith('…[truncated]')).toBe(true);
  });

  it('does not multiply dead letters when a poison message is delivered again', async () => {
    const data = message([spend('a', { ts: 'yesterday' }), '{not an event}']);
    await handler.handle({ id: 'p1', data });
    await handler.handle({ id: 'p1', data });
    expect((await deadLetters(wh)).map((d) => d.dead_letter_id)).toEqual(['p1#0', 'p1#1']);
  });

  it('throws while the warehouse is unavailable, so Pub/Sub redelivers; the redelivery stores each event once', async () => {
    let down = true;
    const h = new IngestHandler({ warehouse: flaky(wh, () => (down ? new Error('connection refused') : undefined)), now: () => NOW, log: silentIngestLog });
    const delivery = { id: 'm1', data: message([spend('a'), spend('b')]), deliveryAttempt: 1 };
    await expect(h.handle(delivery)).rejects.toThrow(IngestRetryableError);
    await expect(h.handle({ ...delivery, deliveryAttempt: 2 })).rejects.toThrow(/connection refused/);
    down = false;
    expect(await h.handle({ ...delivery, deliveryAttempt: 3 })).toMatchObject({ stored: 2 });
    expect(await storedIds(wh)).toEqual(['a', 'b']);
  });

  it('after maxDeliveryAttempts of a message the warehouse always fails on, dead-letters its events as replayable messages and acks', async () => {
    const h = new IngestHandler({ warehouse: flaky(wh, () => new Error('Conversion Error: bad value')), now: () => NOW, maxDeliveryAttempts: 3, log: silentIngestLog });
    const delivery = { id: 'm1', data: message([spend('a'), spend('b', { value: 'x' })]) };
    await expect(h.handle({ ...delivery, deliveryAttempt: 2 })).rejects.toThrow(IngestRetryableError);
    expect(await h.handle({ ...delivery, deliveryAttempt: 3 })).toMatchObject({ stored: 0, deadLettered: 2, gaveUp: 1 });
    const dead = await deadLetters(wh);
    expect(dead.map((d) => [d.dead_letter_id, d.reason_codes])).toEqual([['m1#0', 'warehouse_failed'], ['m1#1', 'invalid_value']]);
    expect(JSON.parse(dead[0]!.reasons)[0].message).toMatch(/3 deliveries.*Conversion Error: bad value.*obs ingest/);
    expect(JSON.parse(dead[0]!.raw_payload)).toEqual({ schema: 'metrics.v1', source: { service: 'wallet', environment: 'test' }, events: [spend('a')] });
  });

  it('bounds retries by age when the transport does not count deliveries (Firebase push)', async () => {
    const h = new IngestHandler({ warehouse: flaky(wh, () => new Error('boom')), now: () => NOW, maxRetryAgeMs: 3_600_000, log: silentIngestLog });
    await expect(h.handle({ id: 'm1', data: message([spend('a')]), publishTimeMs: NOW - 60_000 })).rejects.toThrow(IngestRetryableError);
    expect(await h.handle({ id: 'm1', data: message([spend('a')]), publishTimeMs: NOW - 3_600_000 })).toMatchObject({ gaveUp: 1 });
  });

  it('keeps throwing when giving up fails too (the warehouse is down altogether)', async () => {
    const down = () => new Error('down');
    const h = new IngestHandler({ warehouse: flaky(wh, down, down), now: () => NOW, maxDeliveryAttempts: 1, log: silentIngestLog });
    await expect(h.handle({ id: 'm1', data: message([spend('a')]), deliveryAttempt: 5 })).rejects.toThrow(IngestRetryableError);
  });

  it('in a batch, retries each message alone after a failed joint write, so one bad message holds back no other', async () => {
    const h = new IngestHandler({ warehouse: flaky(wh, (rows) => (rows.some((r) => r.event_id === 'poison') ? new Error('refused') : undefined)), now: () => NOW, log: silentIngestLog });
    const outcome = await h.handleBatch([
      { id: 'm1', data: message([spend('a')]) },
      { id: 'm2', data: message([spend('poison')]) },
      { id: 'm3', data: message([spend('c')]) },
    ]);
    expect(outcome.retry.map((m) => m.id)).toEqual(['m2']);
    expect(outcome).toMatchObject({ messages: 3, stored: 2 });
    expect(await storedIds(wh)).toEqual(['a', 'c']);
  });

  it('dead-letters events the warehouse refuses outright (BigQuery "invalid") and counts the rest as stored', async () => {
    const refusing = Object.assign(Object.create(wh) as Warehouse, {
      insertEvents: async (rows: readonly EventRow[]) => {
        await wh.insertEvents(rows.filter((r) => r.event_id !== 'b'));
        throw new WarehouseRowsRejectedError('metric_events', [{ key: 'b', reason: 'invalid: no such field' }], rows.length - 1);
      },
    });
    const h = new IngestHandler({ warehouse: refusing, now: () => NOW, log: silentIngestLog });
    expect(await h.handle({ id: 'm1', data: message([spend('a'), spend('b'), spend('c')]) })).toMatchObject({ stored: 2, duplicates: 0, deadLettered: 1 });
    const [dead] = await deadLetters(wh);
    expect(dead).toMatchObject({ dead_letter_id: 'm1#1', event_id: 'b', reason_codes: 'warehouse_rejected' });
    expect(JSON.parse(dead!.reasons)[0].message).toContain('invalid: no such field');
  });
});
