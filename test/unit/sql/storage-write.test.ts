// The BigQuery client's HTTP layer (teeny-request) cannot run under jest; see the REST stand-in's comment.
jest.mock('teeny-request', () => jest.requireActual<object>('./teeny-request-over-http'));

import * as grpc from '@grpc/grpc-js';
import { BigQueryWarehouse } from '../../../sql/bigquery/bigquery-warehouse';
import { StorageWriteError, StorageWriter } from '../../../sql/bigquery/storage-write/storage-writer';
import { deadLetterStreamingRow, eventStreamingRow } from '../../../sql/bigquery/bigquery-values';
import { TABLES, WarehouseRowsRejectedError, type DeadLetterRow, type EventRow } from '../../../sql';
import type { TableDef } from '../../../sql/tables';
import { ConfigError, loadConfig } from '../../../shared/config';
import { IngestHandler } from '../../../ingest';
import { silentIngestLog } from '../../../ingest/ingest-log';
import { message, NOW, spend } from '../ingest/fixtures';
import { startWriteStandIn, type WriteStandIn } from '../../support/bigquery-write-stand-in';
import { PROJECT, startFakeBigQuery, type FakeBigQuery } from './bigquery-fake-server';

const DATASET = 'obs_ds';
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const event = (id: string, extra: Partial<EventRow> = {}): EventRow => ({
  event_id: id,
  name: 'product.wallet.spend.success',
  kind: 'count',
  value: 1,
  event_ts_ms: T0,
  ingest_ts_ms: T0 + 5,
  series_key: 'feature=chat',
  tags: '{"feature":"chat"}',
  service: 'wallet',
  environment: 'test',
  message_id: 'm1',
  ...extra,
});
const merged = (id: string): EventRow =>
  event(id, { kind: 'timing', name: 'product.wallet.spend.latency_ms', value: 30, call_count: 2, value_min: 10, value_max: 20, last_value: 20, start_ts_ms: T0 - 500, histogram: '[[116,1],[150,1]]' });
const gauge = (id: string): EventRow => event(id, { kind: 'gauge', name: 'product.wallet.balance', value: 7, call_count: 3, value_min: 1, value_max: 9, value_sum: 17, start_ts_ms: T0 - 20_000 });
const deadLetter = (id: string, extra: Partial<DeadLetterRow> = {}): DeadLetterRow => ({
  dead_letter_id: id,
  received_at_ms: T0 + 9,
  scope: 'event',
  message_id: 'm1',
  event_index: 3,
  event_id: 'e3',
  reason_codes: 'unknown_metric',
  reasons: '[{"code":"unknown_metric","field":"name","message":"not in the catalogue"}]',
  raw_payload: '{"id":"e3","name":"nope"}',
  service: 'wallet',
  ...extra,
});

const events = TABLES.metric_events as TableDef;
const deadLetters = TABLES.dead_letters as TableDef;
/** Every table: a warehouse may write others (the change log) on the same path. */
const allTables = Object.values(TABLES) as TableDef[];
const rowsOf = (table: TableDef, rows: EventRow[]) => (table === events ? rows.map(eventStreamingRow) : []);

/** Keys of stored rows, in order. */
const ids = (stand: WriteStandIn) => stand.stored('metric_events').map((r) => r.event_id);

describe('Storage Write API writer (managed writer, default stream) against a local AppendRows server', () => {
  let stand: WriteStandIn;
  let writer: StorageWriter;
  const sleeps: number[] = [];

  beforeEach(async () => {
    stand = await startWriteStandIn([events, deadLetters]);
    sleeps.length = 0;
    writer = new StorageWriter({
      dataset: DATASET,
      projectId: stand.clientOptions.projectId,
      clientOptions: stand.clientOptions,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });
  });
  afterEach(async () => {
    await writer.close();
    await stand.close();
  });

  it('appends to the table\'s default stream with a proto2 descriptor of its columns, and the rows decode to the insertAll values (TIMESTAMP as micros, JSON as text)', async () => {
    const stored = await writer.write(events, rowsOf(events, [event('a'), merged('b'), gauge('c')]));

    expect(stored).toBe(3);
    expect(stand.appends).toHaveLength(1);
    const [append] = stand.appends;
    expect(append!.writeStream).toBe(`projects/${PROJECT}/datasets/${DATASET}/tables/metric_events/streams/_default`);
    const fields = append!.descriptor.field as Array<{ name: string; type: string; label: string }>;
    expect(fields.map((f) => f.name)).toEqual(events.columns.map((c) => c.name));
    expect(fields.find((f) => f.name === 'event_ts')).toMatchObject({ type: 'TYPE_INT64', label: 'LABEL_REQUIRED' });
    expect(fields.find((f) => f.name === 'tags')).toMatchObject({ type: 'TYPE_STRING', label: 'LABEL_REQUIRED' });
    expect(fields.find((f) => f.name === 'call_count')).toMatchObject({ type: 'TYPE_INT64', label: 'LABEL_OPTIONAL' });
    expect(fields.find((f) => f.name === 'value')).toMatchObject({ type: 'TYPE_DOUBLE' });

    const [a, b, c] = stand.stored('metric_events');
    expect(a).toEqual({
      event_id: 'a',
      name: 'product.wallet.spend.success',
      kind: 'count',
      value: 1,
      event_ts: T0 * 1000,
      ingest_ts: (T0 + 5) * 1000,
      series_key: 'feature=chat',
      tags: '{"feature":"chat"}',
      service: 'wallet',
      environment: 'test',
      message_id: 'm1',
    });
    expect(b).toMatchObject({ event_id: 'b', value: 30, call_count: 2, value_min: 10, value_max: 20, last_value: 20, start_ts: (T0 - 500) * 1000, histogram: '[[116,1],[150,1]]' });
    expect(b).not.toHaveProperty('value_sum');
    expect(c).toMatchObject({ event_id: 'c', kind: 'gauge', value: 7, value_sum: 17, call_count: 3 });
  });

  it('writes dead letters to dead_letters\' default stream (received_at as micros, reasons as JSON text, NULL columns left out)', async () => {
    await writer.write(deadLetters, [deadLetter('m1:3'), deadLetter('m2', { scope: 'message', event_index: null, event_id: null, service: null })].map(deadLetterStreamingRow));

    expect(stand.appends[0]!.writeStream).toBe(`projects/${PROJECT}/datasets/${DATASET}/tables/dead_letters/streams/_default`);
    const [first, second] = stand.stored('dead_letters');
    expect(first).toEqual({
      dead_letter_id: 'm1:3',
      received_at: (T0 + 9) * 1000,
      scope: 'event',
      message_id: 'm1',
      event_index: 3,
      event_id: 'e3',
      reason_codes: 'unknown_metric',
      reasons: '[{"code":"unknown_metric","field":"name","message":"not in the catalogue"}]',
      raw_payload: '{"id":"e3","name":"nope"}',
      service: 'wallet',
    });
    expect(second).toEqual({ dead_letter_id: 'm2', received_at: (T0 + 9) * 1000, scope: 'message', message_id: 'm1', reason_codes: 'unknown_metric', reasons: first!.reasons, raw_payload: first!.raw_payload });
  });

  it('UNAVAILABLE, then success: the same rows are appended again after a backoff and stored once', async () => {
    stand.script((append) => (append.n === 1 ? { kind: 'status', code: grpc.status.UNAVAILABLE, details: 'the backend is restarting' } : undefined));

    await expect(writer.write(events, rowsOf(events, [event('a'), event('b')]))).resolves.toBe(2);

    expect(stand.appends.map((a) => a.rows.map((r) => r.event_id))).toEqual([['a', 'b'], ['a', 'b']]);
    expect(ids(stand)).toEqual(['a', 'b']);
    expect(sleeps).toEqual([250]);
  });

  it('at least once: when the failed attempt did land (its acknowledgement lost with the connection), the retry stores the rows a second time — readers dedup by event_id', async () => {
    stand.script((append) => (append.n === 1 ? { kind: 'status', code: grpc.status.UNAVAILABLE, details: 'connection reset', storeFirst: true } : undefined));

    await expect(writer.write(events, rowsOf(events, [event('a'), event('b')]))).resolves.toBe(2);

    // The default stream has no offsets: nothing can tell the retry that the first attempt landed.
    expect(ids(stand)).toEqual(['a', 'b', 'a', 'b']);
    expect(new Set(ids(stand))).toEqual(new Set(['a', 'b'])); // what `… QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id …) = 1` keeps
  });

  it('an in-band retryable error (AppendRowsResponse.error RESOURCE_EXHAUSTED) is retried on the same connection', async () => {
    stand.script((append) => (append.n <= 2 ? { kind: 'in-band-error', code: grpc.status.RESOURCE_EXHAUSTED, message: 'throughput quota' } : undefined));

    await expect(writer.write(events, rowsOf(events, [event('a')]))).resolves.toBe(1);

    expect(stand.appends).toHaveLength(3);
    expect(ids(stand)).toEqual(['a']);
    expect(sleeps).toEqual([250, 500]);
  });

  it('row errors: BigQuery appends none of the request; the named rows are refused (WarehouseRowsRejectedError, for ingest to dead-letter) and the others appended again', async () => {
    const rows = [event('a'), event('bad-1', { tags: '{"feature":' }), event('b'), event('bad-2', { histogram: 'not json', call_count: 2 })];

    const error = await writer.write(events, rowsOf(events, rows)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WarehouseRowsRejectedError);
    const rejected = error as WarehouseRowsRejectedError;
    expect(rejected.table).toBe('metric_events');
    expect(rejected.storedRows).toBe(2);
    expect(rejected.rejected.map((r) => r.key)).toEqual(['bad-1', 'bad-2']);
    expect(rejected.rejected[0]!.reason).toMatch(/^FIELDS_ERROR: Invalid JSON in field tags/);
    expect(rejected.rejected[1]!.reason).toMatch(/^FIELDS_ERROR: Invalid JSON in field histogram/);
    // First request refused as a whole, the second carried only the good rows.
    expect(stand.appends.map((a) => a.rows.map((r) => r.event_id))).toEqual([['a', 'b'], ['a', 'b']]);
    expect(ids(stand)).toEqual(['a', 'b']);
    expect(sleeps).toEqual([]); // a row error is not a retry: nothing to wait for
  });

  it('a non-retryable status fails at once with an error naming the table and the status, and no row data', async () => {
    stand.script(() => ({ kind: 'status', code: grpc.status.PERMISSION_DENIED, details: 'Permission bigquery.tables.updateData denied on table obs-test:obs_ds.metric_events' }));

    const error = await writer.write(events, rowsOf(events, [event('a', { tags: '{"user":"secret-looking-value"}' })])).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StorageWriteError);
    const message = (error as Error).message;
    expect(message).toBe(
      `Storage Write API: appending 1 row(s) to ${PROJECT}.${DATASET}.metric_events failed: PERMISSION_DENIED (7): Permission bigquery.tables.updateData denied on table obs-test:obs_ds.metric_events`,
    );
    expect(message).not.toContain('secret-looking-value');
    expect((error as StorageWriteError).code).toBe(grpc.status.PERMISSION_DENIED);
    expect(stand.appends).toHaveLength(1); // not retried
    expect(stand.stored('metric_events')).toEqual([]);
    expect(sleeps).toEqual([]);
  });

  it('an in-band non-retryable error (AppendRowsResponse.error INVALID_ARGUMENT, no row errors) fails at once, naming the table', async () => {
    stand.script(() => ({ kind: 'in-band-error', code: grpc.status.INVALID_ARGUMENT, message: 'Request is too large' }));

    await expect(writer.write(events, rowsOf(events, [event('a')]))).rejects.toThrow(
      `Storage Write API: appending 1 row(s) to ${PROJECT}.${DATASET}.metric_events failed: INVALID_ARGUMENT (3): Request is too large`,
    );
    expect(stand.appends).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('a connection that drops with several appends in flight: every one is retried on a new connection, and every row is stored', async () => {
    await writer.close();
    writer = new StorageWriter({
      dataset: DATASET,
      projectId: stand.clientOptions.projectId,
      clientOptions: stand.clientOptions,
      limits: { maxRowsPerRequest: 2 },
      sleep: () => Promise.resolve(),
    });
    stand.script((append) => (append.n === 2 ? { kind: 'status', code: grpc.status.UNAVAILABLE, details: 'GOAWAY' } : undefined));
    const rows = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => event(id));

    await expect(writer.write(events, rowsOf(events, rows))).resolves.toBe(8);

    // At least once: each row is stored, a row whose append was acknowledged before the drop once.
    expect(new Set(ids(stand))).toEqual(new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']));
    expect(ids(stand).filter((id) => id === 'a')).toEqual(['a']);
  });

  it('a retryable status that outlasts the retries fails with the status, after 4 backoffs (the message is redelivered)', async () => {
    stand.script(() => ({ kind: 'status', code: grpc.status.UNAVAILABLE, details: 'still down' }));

    await expect(writer.write(events, rowsOf(events, [event('a')]))).rejects.toThrow(
      `Storage Write API: appending 1 row(s) to ${PROJECT}.${DATASET}.metric_events failed after 4 retries: UNAVAILABLE (14): still down`,
    );
    expect(stand.appends).toHaveLength(5);
    expect(sleeps).toEqual([250, 500, 1000, 2000]);
    expect(stand.stored('metric_events')).toEqual([]);
  });

  it('a table without a column of the descriptor refuses the connection (INVALID_ARGUMENT), reported with the server\'s reason', async () => {
    await stand.close();
    await writer.close();
    const older: TableDef = { ...events, columns: events.columns.filter((c) => c.name !== 'value_sum') };
    stand = await startWriteStandIn([older, deadLetters]);
    writer = new StorageWriter({ dataset: DATASET, projectId: stand.clientOptions.projectId, clientOptions: stand.clientOptions });

    await expect(writer.write(events, rowsOf(events, [event('a')]))).rejects.toThrow(/metric_events failed: INVALID_ARGUMENT \(3\): Input schema has more fields than BigQuery schema, extra fields: 'value_sum'/);
  });

  it('splits a large call into requests, all on the table\'s one connection', async () => {
    await writer.close();
    writer = new StorageWriter({ dataset: DATASET, projectId: stand.clientOptions.projectId, clientOptions: stand.clientOptions, limits: { maxRowsPerRequest: 100 } });
    const rows = Array.from({ length: 1_050 }, (_, i) => event(`e${i}`));

    await expect(writer.write(events, rowsOf(events, rows))).resolves.toBe(1_050);

    expect(stand.appends.map((a) => a.rows.length)).toEqual([...Array<number>(10).fill(100), 50]);
    expect(new Set(ids(stand)).size).toBe(1_050);
  });
});

describe('OBS_BQ_WRITE_API', () => {
  it('defaults to storage, accepts insert-all, and names the variable for anything else', () => {
    expect(loadConfig({}).bigqueryWriteApi).toBe('storage');
    expect(loadConfig({ OBS_BQ_WRITE_API: 'insert-all' }).bigqueryWriteApi).toBe('insert-all');
    expect(() => loadConfig({ OBS_BQ_WRITE_API: 'insertAll' })).toThrow(ConfigError);
    expect(() => loadConfig({ OBS_BQ_WRITE_API: 'insertAll' })).toThrow(/OBS_BQ_WRITE_API/);
  });
});

describe('BigQueryWarehouse: the same rows through insertAll and through the Storage Write API', () => {
  let fake: FakeBigQuery;
  let stand: WriteStandIn;
  const warehouses: BigQueryWarehouse[] = [];

  beforeEach(async () => {
    fake = await startFakeBigQuery();
    stand = await startWriteStandIn(allTables);
  });
  afterEach(async () => {
    for (const wh of warehouses.splice(0)) await wh.close();
    await stand.close();
    await fake.close();
  });

  const open = (writeApi: 'storage' | 'insert-all') => {
    const wh = new BigQueryWarehouse({ dataset: DATASET, projectId: PROJECT, client: fake.client, writeApi, storageWrite: { clientOptions: stand.clientOptions } });
    warehouses.push(wh);
    return wh;
  };
  /** insertAll's JSON rows with their RFC 3339 timestamps as micros: BigQuery's own reading of them. */
  const insertAllRows = (table: TableDef) =>
    fake.requests
      .filter((r) => r.method === 'POST' && r.path.endsWith(`/datasets/${DATASET}/tables/${table.name}/insertAll`))
      .flatMap((r) => (r.body as { rows: Array<{ json: Record<string, unknown> }> }).rows.map((row) => row.json))
      .map((json) =>
        Object.fromEntries(
          Object.entries(json)
            .filter(([, v]) => v !== null) // an explicit null and an absent column are both NULL
            .map(([k, v]) => [k, table.columns.find((c) => c.name === k)?.type === 'TIMESTAMP' ? Date.parse(String(v)) * 1000 : v]),
        ),
      );

  it('decode to the same column values, merged-event columns included, for metric_events and dead_letters', async () => {
    const input = [event('a'), merged('b'), gauge('c'), event('d', { message_id: null })];
    const letters = [deadLetter('m1:3'), deadLetter('m2', { scope: 'message', event_index: null, event_id: null, service: null })];

    await open('insert-all').insertEvents(input);
    await open('insert-all').insertDeadLetters(letters);
    await open('storage').insertEvents(input);
    await open('storage').insertDeadLetters(letters);

    expect(insertAllRows(events)).toHaveLength(4);
    expect(stand.stored('metric_events')).toEqual(insertAllRows(events));
    expect(insertAllRows(deadLetters)).toHaveLength(2);
    expect(stand.stored('dead_letters')).toEqual(insertAllRows(deadLetters));
    // The storage path sent nothing to insertAll for these tables, and the insertAll path nothing to AppendRows.
    expect(stand.appends.map((a) => a.table).filter((t) => t === 'metric_events' || t === 'dead_letters')).toEqual(['metric_events', 'dead_letters']);
  });

  it('reports refused rows as the port\'s WarehouseRowsRejectedError, as insertAll does, and counts the rest', async () => {
    const wh = open('storage');
    const error = await wh.insertEvents([event('a'), event('bad', { tags: '{' }), event('a')]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WarehouseRowsRejectedError);
    expect((error as WarehouseRowsRejectedError).rejected.map((r) => r.key)).toEqual(['bad']);
    expect((error as WarehouseRowsRejectedError).storedRows).toBe(1); // the repeat of `a` within the call is not sent
    expect(ids(stand)).toEqual(['a']);
  });
});

describe('ingest on BigQuery with OBS_BQ_WRITE_API=storage', () => {
  let fake: FakeBigQuery;
  let stand: WriteStandIn;
  let wh: BigQueryWarehouse;

  beforeEach(async () => {
    fake = await startFakeBigQuery();
    stand = await startWriteStandIn(allTables);
    wh = new BigQueryWarehouse({ dataset: DATASET, projectId: PROJECT, client: fake.client, writeApi: 'storage', storageWrite: { clientOptions: stand.clientOptions } });
  });
  afterEach(async () => {
    await wh.close();
    await stand.close();
    await fake.close();
  });

  it('dead-letters the events BigQuery refuses (row_errors) through the same writer, and stores the others', async () => {
    // BigQuery refuses the event `b` of the first metric_events append (say, a value it cannot store).
    stand.script((append) => {
      const index = append.rows.findIndex((r) => r.event_id === 'b');
      return append.table === 'metric_events' && index >= 0 ? { kind: 'row-errors', rows: [index], message: 'Value out of range' } : undefined;
    });
    const handler = new IngestHandler({ warehouse: wh, now: () => NOW, log: silentIngestLog });

    const summary = await handler.handle({ id: 'm1', data: Buffer.from(message([spend('a'), spend('b'), spend('c')])) });

    expect(summary).toMatchObject({ stored: 2, deadLettered: 1 });
    expect(ids(stand)).toEqual(['a', 'c']);
    const [dead] = stand.stored('dead_letters');
    expect(dead).toMatchObject({ dead_letter_id: 'm1#1', event_id: 'b', scope: 'event', reason_codes: 'warehouse_rejected' });
    expect(JSON.parse(String(dead!.reasons))[0].message).toContain('FIELDS_ERROR: Value out of range');
    // Nothing went to insertAll for these two tables.
    expect(fake.requests.filter((r) => /\/tables\/(metric_events|dead_letters)\/insertAll$/.test(r.path))).toEqual([]);
  });
});
