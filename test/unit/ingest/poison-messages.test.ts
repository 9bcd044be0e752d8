import { IngestHandler, MessageDecoder, type DecodedBatch } from '../../../ingest';
import type { IngestLog } from '../../../ingest/ingest-log';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { EventRow, Warehouse } from '../../../sql';
import { deadLetters, message, NOW, spend, storedIds } from './fixtures';

/** A value nested `levels` deep, as text (JSON.stringify of it would overflow the stack). */
const nestedText = (levels: number) => '['.repeat(levels) + '"x"' + ']'.repeat(levels);
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

/** Records log lines, so a test can assert that what went wrong was said, with the message id. */
function recordingLog(): IngestLog & { lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const log = ((level, msg, fields = {}) => void lines.push({ level, message: msg, fields })) as IngestLog & { lines: typeof lines };
  log.lines = lines;
  return log;
}

/** Counts insertEvents calls on the way to a real warehouse. */
function counting(inner: Warehouse, failWhen: (rows: readonly EventRow[], call: number) => Error | undefined = () => undefined): Warehouse & { calls: number } {
  const wrapper = Object.assign(Object.create(inner) as Warehouse & { calls: number }, {
    calls: 0,
    insertEvents: (rows: readonly EventRow[]) => {
      const error = failWhen(rows, ++wrapper.calls);
      return error ? Promise.reject(error) : inner.insertEvents(rows);
    },
  });
  return wrapper;
}

describe('poison messages: one message never holds back the others (DuckDB :memory:)', () => {
  let wh: DuckDbWarehouse;
  beforeEach(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
  });
  afterEach(() => wh.close());

  it('dead-letters a 6,000-deep tag value and a 100,000-deep array once each, with the depth reason, and stores the other messages of the batch', async () => {
    const handler = new IngestHandler({ warehouse: wh, now: () => NOW, log: recordingLog() });
    const deepTag = message([spend('deep-tag')]).replace('"chat"', nestedText(6_000));
    const outcome = await handler.handleBatch([
      { id: 'ok-1', data: message(ids('a', 5).map((id) => spend(id))) },
      { id: 'deep-tag', data: Buffer.from(deepTag) },
      { id: 'deep-array', data: nestedText(100_000) },
      { id: 'ok-2', data: message(ids('b', 5).map((id) => spend(id))) },
    ]);
    expect(outcome).toMatchObject({ messages: 4, stored: 10, deadLettered: 2, retry: [] });
    expect(await storedIds(wh)).toEqual([...ids('a', 5), ...ids('b', 5)]);
    const dead = await deadLetters(wh);
    expect(dead.map((d) => [d.dead_letter_id, d.scope, d.reason_codes])).toEqual([
      ['deep-array#message', 'message', 'nesting_too_deep'],
      ['deep-tag#message', 'message', 'nesting_too_deep'],
    ]);
    expect(dead[1]!.raw_payload).toBe(deepTag); // the message as it came (12 kB), for whoever investigates
    expect(JSON.parse(dead[0]!.reasons)[0].message).toContain('more than 32 levels deep');
  });

  it('stores the 8 valid events of a message with a lone surrogate in one tag value, and dead-letters that event alone', async () => {
    const handler = new IngestHandler({ warehouse: wh, now: () => NOW, log: recordingLog() });
    const events = ids('v', 8).map((id) => spend(id));
    const poisoned = [...events.slice(0, 4), spend('lone', { tags: { feature: 'a\ud800b' } }), ...events.slice(4)];
    const outcome = await handler.handle({ id: 'm1', data: Buffer.from(message(poisoned)) });
    expect(outcome).toMatchObject({ events: 9, stored: 8, deadLettered: 1 });
    const [dead] = await deadLetters(wh);
    expect(dead).toMatchObject({ dead_letter_id: 'm1#4', event_id: 'lone', reason_codes: 'invalid_unicode' });
    expect(JSON.parse(dead!.reasons)[0]).toMatchObject({ field: 'events[4].tags.feature' });
  });

  it('refuses ids id-\\ud800 and id-\\udbff rather than storing both as id-\\ufffd, so no valid event is dropped as their "duplicate"', async () => {
    const handler = new IngestHandler({ warehouse: wh, now: () => NOW, log: recordingLog() });
    const outcome = await handler.handle({ id: 'm1', data: Buffer.from(message([spend('id-\ud800'), spend('id-\udbff'), spend('id-\ufffd')])) });
    expect(outcome).toMatchObject({ stored: 1, duplicates: 0, deadLettered: 2 });
    expect(await storedIds(wh)).toEqual(['id-\ufffd']);
    expect((await deadLetters(wh)).map((d) => [d.dead_letter_id, d.reason_codes, d.event_id])).toEqual([
      ['m1#0', 'invalid_unicode', null],
      ['m1#1', 'invalid_unicode', null],
    ]);
  });

  it('dead-letters events whose id or source carries personal data, never copying the id into event_id', async () => {
    const handler = new IngestHandler({ warehouse: wh, now: () => NOW, log: recordingLog() });
    await handler.handleBatch([
      { id: 'm1', data: message([spend('jane.doe@example.com'), spend('fine-1')]) },
      { id: 'm2', data: message([spend('fine-2')], { service: '10.1.2.3', environment: 'prod' }) },
    ]);
    expect(await storedIds(wh)).toEqual(['fine-1']);
    const dead = await deadLetters(wh);
    expect(dead.map((d) => [d.dead_letter_id, d.reason_codes, d.event_id, d.service])).toEqual([
      ['m1#0', 'personal_data', null, 'wallet'],
      ['m2#message', 'personal_data', null, null],
    ]);
    expect(dead.map((d) => d.reasons).join('')).not.toMatch(/jane\.doe|10\.1\.2\.3/);
  });

  it('dead-letters a message on which preparing throws (ingest_error), logs it with the message id, and stores the rest of the batch', async () => {
    class ThrowingDecoder extends MessageDecoder {
      override decode(data: Uint8Array | string, nowMs: number): DecodedBatch {
        if (String(data).includes('explode')) throw new TypeError('a bug in a decoder');
        return super.decode(data, nowMs);
      }
    }
    const log = recordingLog();
    const handler = new IngestHandler({ warehouse: wh, now: () => NOW, log, decoder: new ThrowingDecoder() });
    const outcome = await handler.handleBatch([
      { id: 'ok', data: message([spend('a')]) },
      { id: 'bad', data: message([spend('explode')]) },
    ]);
    expect(outcome).toMatchObject({ stored: 1, deadLettered: 1, retry: [], deadLetteredFrom: ['bad'] });
    const [dead] = await deadLetters(wh);
    expect(dead).toMatchObject({ dead_letter_id: 'bad#message', reason_codes: 'ingest_error' });
    expect(JSON.parse(dead!.reasons)[0].message).toContain('TypeError: a bug in a decoder');
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', fields: expect.objectContaining({ messageId: 'bad', error: 'a bug in a decoder' }) }));
  });
});

describe('a warehouse rejection isolates the offending event (DuckDB :memory:)', () => {
  let wh: DuckDbWarehouse;
  beforeEach(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
  });
  afterEach(() => wh.close());

  /**
   * A decoder that hands the warehouse tags JSON DuckDB refuses ("no low surrogate") for the events
   * whose id starts with `refuse`: what a validator gap would let through, reproduced at the port.
   */
  class LeakyDecoder extends MessageDecoder {
    override decode(data: Uint8Array | string, nowMs: number): DecodedBatch {
      const decoded = super.decode(data, nowMs);
      return { ...decoded, valid: decoded.valid.map((a) => (a.event.id.startsWith('refuse') ? { ...a, tagsJson: '{"feature":"a\\ud800b"}' } : a)) };
    }
  }

  it('stores 999 events of a 1,000-event message and dead-letters the one DuckDB refuses, in about 2·log2(1,000) writes, without a redelivery', async () => {
    const counted = counting(wh);
    const handler = new IngestHandler({ warehouse: counted, now: () => NOW, decoder: new LeakyDecoder(), log: recordingLog() });
    const events = ids('e', 1_000).map((id, i) => spend(i === 613 ? 'refuse-613' : id));
    const outcome = await handler.handle({ id: 'm1', data: message(events), deliveryAttempt: 1 });
    expect(outcome).toMatchObject({ events: 1_000, stored: 999, duplicates: 0, deadLettered: 1, gaveUp: 0 });
    expect((await storedIds(wh)).length).toBe(999);
    const [dead] = await deadLetters(wh);
    expect(dead).toMatchObject({ dead_letter_id: 'm1#613', event_id: 'refuse-613', reason_codes: 'warehouse_rejected' });
    expect(JSON.parse(dead!.reasons)[0].message).toMatch(/the warehouse refused this event.*no low surrogate/);
    expect(counted.calls).toBeLessThanOrEqual(2 + 2 * Math.ceil(Math.log2(1_000)));
  });

  it('in a batch, isolates the refused events of one message and stores the other messages in full', async () => {
    const handler = new IngestHandler({ warehouse: wh, now: () => NOW, decoder: new LeakyDecoder(), log: recordingLog() });
    const outcome = await handler.handleBatch([
      { id: 'm1', data: message(ids('a', 10).map((id) => spend(id))) },
      { id: 'm2', data: message([spend('b-0'), spend('refuse-1'), spend('b-2'), spend('refuse-3')]) },
      { id: 'm3', data: message(ids('c', 10).map((id) => spend(id))) },
    ]);
    expect(outcome).toMatchObject({ stored: 22, deadLettered: 2, retry: [] });
    expect((await deadLetters(wh)).map((d) => [d.dead_letter_id, d.reason_codes])).toEqual([
      ['m2#1', 'warehouse_rejected'],
      ['m2#3', 'warehouse_rejected'],
    ]);
  });

  it('redelivers the message when the warehouse fails for another reason half-way through the bisection, and the redelivery stores each event once', async () => {
    let down = false;
    const flaky = counting(wh, () => (down ? new Error('IO Error: disk full') : undefined));
    const refusing = Object.assign(Object.create(flaky) as Warehouse, {
      insertEvents: async (rows: readonly EventRow[]) => {
        const result = await flaky.insertEvents(rows);
        if (flaky.calls === 2) down = true; // the first half is stored, then the disk fills
        return result;
      },
    });
    const handler = new IngestHandler({ warehouse: refusing, now: () => NOW, decoder: new LeakyDecoder(), log: recordingLog() });
    const data = message([...ids('e', 6).map((id) => spend(id)), spend('refuse-6'), spend('e-7')]);
    await expect(handler.handle({ id: 'm1', data, deliveryAttempt: 1 })).rejects.toThrow(/disk full/);
    down = false;
    expect(await handler.handle({ id: 'm1', data, deliveryAttempt: 2 })).toMatchObject({ deadLettered: 1 });
    expect(await storedIds(wh)).toEqual([...ids('e', 6), 'e-7']);
    expect((await deadLetters(wh)).map((d) => d.dead_letter_id)).toEqual(['m1#6']);
  });
});
