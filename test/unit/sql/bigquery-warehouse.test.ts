// The BigQuery client's HTTP layer (teeny-request) cannot run under jest; see the stand-in's comment.
jest.mock('teeny-request', () => jest.requireActual<object>('./teeny-request-over-http'));

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WarehouseAlertStore } from '../../../alerts/state/warehouse-alert-store';
import { ConcurrentUpdateConflictError } from '../../../sql/bigquery/bigquery-dml-retry';
import { BigQueryWarehouse } from '../../../sql/bigquery/bigquery-warehouse';
import { rollupMergeMinuteWindows } from '../../../sql/queries/rollup-incremental';
import { defineQuery, TABLES, WarehouseRowsRejectedError, type EventRow } from '../../../sql';
import { PROJECT, startFakeBigQuery, type FakeBigQuery, type RecordedRequest } from './bigquery-fake-server';

interface InsertAllBody {
  rows: Array<{ insertId: string; json: Record<string, unknown> }>;
  skipInvalidRows?: boolean;
}
interface QueryBody {
  query: string;
  useLegacySql: boolean;
  parameterMode?: string;
  queryParameters?: Array<{ name: string; parameterType: { type: string; arrayType?: { type: string; structTypes?: Array<{ name: string; type: { type: string } }> } }; parameterValue: unknown }>;
}

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const event = (id: string): EventRow => ({
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
});

const DATASET = 'obs_ds';
const base = `/bigquery/v2/projects/${PROJECT}`;
const inserts = (fake: FakeBigQuery, table: string) =>
  fake.requests.filter((r) => r.method === 'POST' && r.path === `${base}/datasets/${DATASET}/tables/${table}/insertAll`).map((r) => r.body as InsertAllBody);
const queries = (fake: FakeBigQuery) => fake.requests.filter((r) => r.method === 'POST' && r.path === `${base}/queries`).map((r) => r.body as QueryBody);

describe('BigQueryWarehouse against a local stand-in of the BigQuery REST API', () => {
  let fake: FakeBigQuery;
  let wh: BigQueryWarehouse;
  const sleeps: number[] = [];

  beforeEach(async () => {
    fake = await startFakeBigQuery();
    sleeps.length = 0;
    wh = new BigQueryWarehouse({ dataset: DATASET, client: fake.client, sleep: (ms) => { sleeps.push(ms); return Promise.resolve(); } });
  });
  afterEach(() => fake.close());

  it('creates the missing dataset, then each missing table with day partitioning on its time column and clustering', async () => {
    fake.respond((r) => (r.method === 'GET' && r.path === `${base}/datasets/${DATASET}` ? { status: 404, body: { error: { code: 404, message: 'Not found' } } } : undefined));
    fake.respond((r) =>
      r.method === 'GET' && r.path.endsWith('/tables') ? { body: { tables: [{ id: 'x', tableReference: { projectId: PROJECT, datasetId: DATASET, tableId: 'job_state' } }] } } : undefined,
    );
    await wh.createSchema();

    const created = fake.requests.find((r) => r.method === 'POST' && r.path === `${base}/datasets`);
    expect((created?.body as { datasetReference: { datasetId: string } }).datasetReference.datasetId).toBe(DATASET);
    const ddl = queries(fake).map((q) => q.query);
    expect(ddl).toHaveLength(Object.keys(TABLES).length - 1); // every table but job_state, which exists
    const events = ddl.find((q) => q.includes(`\`${DATASET}.metric_events\``));
    expect(events).toContain('CREATE TABLE IF NOT EXISTS');
    expect(events).toContain('PARTITION BY TIMESTAMP_TRUNC(event_ts, HOUR)');
    expect(events).toContain('CLUSTER BY name, series_key');
    expect(events).toContain('require_partition_filter=TRUE');
    expect(ddl.find((q) => q.includes('.dead_letters`'))).toContain('PARTITION BY DATE(received_at)');
    expect(ddl.some((q) => q.includes('.job_state`'))).toBe(false);
  });

  it('adds the merged-event columns (issue #18) to a metric_events table an older build created, with the golden migration', async () => {
    fake.respond((r) =>
      r.method === 'GET' && r.path.endsWith('/tables')
        ? { body: { tables: Object.keys(TABLES).map((t) => ({ id: t, tableReference: { projectId: PROJECT, datasetId: DATASET, tableId: t } })) } }
        : undefined,
    );
    await wh.createSchema();
    const ddl = queries(fake).map((q) => q.query);
    const golden = readFileSync(join(__dirname, '..', '..', '..', 'sql', 'golden', 'ddl', 'migrations', 'metric_events.sql'), 'utf8').split('\n').filter((l) => !l.startsWith('--')).join('\n').trim();
    expect(ddl).toEqual([golden.replace('`observability.metric_events`', `\`${DATASET}.metric_events\``)]);
    expect(ddl[0]).toContain('ADD COLUMN IF NOT EXISTS call_count INT64');
    expect(ddl[0]).toContain('ADD COLUMN IF NOT EXISTS histogram JSON');
  });

  it('streams a merged event with its aggregate columns, and a single call without them (NULL = one call)', async () => {
    const merged: EventRow = { ...event('m'), kind: 'timing', name: 'product.wallet.spend.latency_ms', value: 30, call_count: 2, value_min: 10, value_max: 20, last_value: 20, start_ts_ms: T0 - 500, histogram: '[[116,1],[150,1]]' };
    await wh.insertEvents([merged, event('s')]);
    const [m, single] = inserts(fake, 'metric_events').flatMap((b) => b.rows);
    expect(m?.json).toMatchObject({ call_count: 2, value_min: 10, value_max: 20, last_value: 20, start_ts: new Date(T0 - 500).toISOString(), histogram: '[[116,1],[150,1]]', value: 30 });
    for (const column of ['call_count', 'value_min', 'value_max', 'last_value', 'start_ts', 'histogram', 'value_sum']) expect(single?.json).not.toHaveProperty(column);
  });

  it('streams events with insertId = event id, at most 500 rows per insertAll request', async () => {
    const rows = Array.from({ length: 1_203 }, (_, i) => event(`e${i}`));
    expect(await wh.insertEvents([...rows, event('e7')])).toEqual({ inserted: 1_203, duplicates: 1 });

    const bodies = inserts(fake, 'metric_events');
    expect(bodies.map((b) => b.rows.length)).toEqual([500, 500, 203]);
    const sent = bodies.flatMap((b) => b.rows);
    expect(sent.map((r) => r.insertId)).toEqual(rows.map((r) => r.event_id));
    expect(sent[0]).toEqual({
      insertId: 'e0',
      json: {
        event_id: 'e0', name: 'product.wallet.spend.success', kind: 'count', value: 1,
        event_ts: new Date(T0).toISOString(), ingest_ts: new Date(T0 + 5).toISOString(),
        series_key: 'feature=chat', tags: '{"feature":"chat"}', service: 'wallet', environment: 'test', message_id: 'm1',
      },
    });
    expect(bodies.every((b) => b.skipInvalidRows === true)).toBe(true);
  });

  it('keeps each request well under 10 MB when rows are large', async () => {
    const big = (i: number) => ({
      dead_letter_id: `m#${i}`, received_at_ms: T0, scope: 'message' as const, message_id: 'm', event_index: null, event_id: null,
      reason_codes: 'invalid_json', reasons: '[]', raw_payload: 'x'.repeat(100_000), service: null,
    });
    await wh.insertDeadLetters(Array.from({ length: 120 }, (_, i) => big(i)));
    const sizes = fake.requests.filter((r) => r.path.endsWith('/dead_letters/insertAll')).map((r) => JSON.stringify(r.body).length);
    expect(sizes.length).toBeGreaterThan(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(5_000_000);
  });

  it('after a partial failure, retries exactly the failed rows, with backoff', async () => {
    let calls = 0;
    fake.respond((r) => {
      if (!r.path.endsWith('/metric_events/insertAll') || calls++ > 0) return undefined;
      return { body: { insertErrors: [1, 3].map((index) => ({ index, errors: [{ reason: 'backendError', message: 'try again' }] })) } };
    });
    const rows = ['a', 'b', 'c', 'd', 'e'].map(event);
    expect(await wh.insertEvents(rows)).toEqual({ inserted: 5, duplicates: 0 });

    const bodies = inserts(fake, 'metric_events');
    expect(bodies.map((b) => b.rows.map((row) => row.insertId))).toEqual([['a', 'b', 'c', 'd', 'e'], ['b', 'd']]);
    expect(sleeps).toEqual([250]);
  });

  it('reports rows BigQuery refuses as invalid without resending them, and stores the rest', async () => {
    let calls = 0;
    fake.respond((r) => {
      if (!r.path.endsWith('/metric_events/insertAll') || calls++ > 0) return undefined;
      return {
        body: {
          insertErrors: [
            { index: 0, errors: [{ reason: 'invalid', message: 'no such field: foo' }] },
            { index: 2, errors: [{ reason: 'timeout', message: 'slow' }] },
          ],
        },
      };
    });
    const error = await wh.insertEvents(['a', 'b', 'c'].map(event)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WarehouseRowsRejectedError);
    expect((error as WarehouseRowsRejectedError).rejected).toEqual([{ key: 'a', reason: 'invalid: no such field: foo' }]);
    expect((error as WarehouseRowsRejectedError).storedRows).toBe(2);
    expect(inserts(fake, 'metric_events').map((b) => b.rows.map((row) => row.insertId))).toEqual([['a', 'b', 'c'], ['c']]);
  });

  it('gives up after the bounded retries and throws, so the message is redelivered', async () => {
    fake.respond((r) => (r.path.endsWith('/metric_events/insertAll') ? { body: { insertErrors: [{ index: 0, errors: [{ reason: 'backendError' }] }] } } : undefined));
    await expect(wh.insertEvents([event('a')])).rejects.toThrow(/still failing after 3 retries \(backendError\)/);
    expect(inserts(fake, 'metric_events')).toHaveLength(4);
    expect(sleeps).toEqual([250, 500, 1_000]);
  });

  it('throws when the whole request fails (the warehouse is unavailable)', async () => {
    fake.respond((r) => (r.path.endsWith('/metric_events/insertAll') ? { status: 503, body: { error: { code: 503, message: 'Service unavailable' } } } : undefined));
    await expect(wh.insertEvents([event('a')])).rejects.toThrow(/Service unavailable/);
  });

  it('runs queries as parameterised jobs against the dataset and returns timestamps as epoch ms', async () => {
    fake.respond((r: RecordedRequest) =>
      r.path.endsWith('/queries')
        ? {
            body: {
              jobComplete: true, jobReference: { projectId: PROJECT, jobId: 'j' }, totalRows: '1',
              schema: { fields: [{ name: 'n', type: 'INTEGER' }, { name: 'newest', type: 'TIMESTAMP' }, { name: 'tags', type: 'JSON' }] },
              rows: [{ f: [{ v: '3' }, { v: String(T0 * 1000) }, { v: '{"a":"b"}' }] }],
            },
          }
        : undefined,
    );
    const rows = await wh.query(
      defineQuery('t', 'SELECT COUNT(*) AS n, MAX(ingest_ts) AS newest, ANY_VALUE(tags) AS tags FROM {{metric_events}} WHERE event_ts >= TIMESTAMP_MILLIS(@since_ms) AND name = @name AND service = @service'),
      { since_ms: T0, name: "x'; DROP TABLE metric_events; --", service: null },
    );
    expect(rows).toEqual([{ n: 3, newest: T0, tags: '{"a":"b"}' }]);

    const [body] = queries(fake);
    expect(body?.query).toBe(`SELECT COUNT(*) AS n, MAX(ingest_ts) AS newest, ANY_VALUE(tags) AS tags FROM \`${DATASET}.metric_events\` WHERE event_ts >= TIMESTAMP_MILLIS(@since_ms) AND name = @name AND service = @service`);
    expect(body?.useLegacySql).toBe(false);
    expect(body?.parameterMode).toBe('named');
    expect(body?.queryParameters).toEqual([
      { name: 'since_ms', parameterType: { type: 'INT64' }, parameterValue: { value: T0 } },
      { name: 'name', parameterType: { type: 'STRING' }, parameterValue: { value: "x'; DROP TABLE metric_events; --" } },
      { name: 'service', parameterType: { type: 'STRING' }, parameterValue: { value: null } },
    ]);
  });

  describe('types every query parameter by its name, nulls included (sql/bigquery/bigquery-parameters.ts)', () => {
    const parametersOf = (body: QueryBody | undefined) => Object.fromEntries((body?.queryParameters ?? []).map((p) => [p.name, p]));

    // The bug of issue #13: a null went out as a NULL STRING, and TIMESTAMP_MILLIS(STRING) has no
    // signature, so BigQuery refused every completion without a delivery time.
    it.each([
      ['a retry (no delivery time)', { status: 'retry', atMs: T0, nextAttemptAtMs: T0 + 60_000, error: 'HTTP 503' }, { delivered_at_ms: null, next_attempt_at_ms: T0 + 60_000, last_error: 'HTTP 503', status: 'pending' }],
      ['a failure (neither time)', { status: 'failed', atMs: T0, error: 'HTTP 400' }, { delivered_at_ms: null, next_attempt_at_ms: null, last_error: 'HTTP 400', status: 'failed' }],
      ['a delivery (no next attempt, no error)', { status: 'delivered', atMs: T0 }, { delivered_at_ms: T0, next_attempt_at_ms: null, last_error: null, status: 'delivered' }],
    ] as const)('completes a notification after %s with the null times sent as INT64 and the null error as STRING', async (_name, update, expected) => {
      const store = new WarehouseAlertStore(wh);
      await store.completeDelivery('n-1', 'claim-1', update);
      await store.completeClaim('claim-1', update);
      const [one, claim] = queries(fake);
      expect(one?.query).toContain('TIMESTAMP_MILLIS(@delivered_at_ms)');
      for (const body of [one, claim]) {
        const params = parametersOf(body);
        expect(params.delivered_at_ms).toEqual({ name: 'delivered_at_ms', parameterType: { type: 'INT64' }, parameterValue: { value: expected.delivered_at_ms } });
        expect(params.next_attempt_at_ms).toEqual({ name: 'next_attempt_at_ms', parameterType: { type: 'INT64' }, parameterValue: { value: expected.next_attempt_at_ms } });
        expect(params.last_error).toEqual({ name: 'last_error', parameterType: { type: 'STRING' }, parameterValue: { value: expected.last_error } });
        expect(params.status?.parameterValue).toEqual({ value: expected.status });
      }
      expect(parametersOf(one).notification_id?.parameterType).toEqual({ type: 'STRING' });
    });

    it('sends a FLOAT64 parameter as FLOAT64 even when the value is a whole number (the client would say INT64)', async () => {
      await wh.query(defineQuery('t_quantile', 'SELECT CEIL(@q * 10) AS n'), { q: 1 });
      expect(parametersOf(queries(fake)[0]).q).toEqual({ name: 'q', parameterType: { type: 'FLOAT64' }, parameterValue: { value: 1 } });
    });

    it.each([
      ['a parameter with no declared type', { mystery: null }, /parameter @mystery has no declared type; add it to PARAMETER_TYPES in sql\/bigquery\/bigquery-parameters.ts/],
      ['a fraction for an INT64 parameter', { from_ms: 1.5 }, /parameter @from_ms is INT64, and the number 1.5 is not one/],
      ['a string for an INT64 parameter', { from_ms: '2026-11-27' }, /parameter @from_ms is INT64, and a string is not one/],
      ['a number for a STRING parameter', { name: 7 }, /parameter @name is STRING, and the number 7 is not one/],
    ] as const)('refuses %s before sending anything, naming the query and the parameter', async (_name, params, message) => {
      await expect(wh.query(defineQuery('t_bad', 'SELECT 1'), params)).rejects.toThrow(message);
      await expect(wh.query(defineQuery('t_bad', 'SELECT 1'), params)).rejects.toThrow(/BigQuery query t_bad:/);
      expect(queries(fake)).toHaveLength(0);
    });

    it('never puts a string value into the error (it may be a token or an error text)', async () => {
      const error = await wh.query(defineQuery('t_bad', 'SELECT 1'), { limit: 'secret-token-123' }).catch((e: unknown) => e as Error);
      expect((error as Error).message).toMatch(/parameter @limit is INT64/);
      expect((error as Error).message).not.toContain('secret-token-123');
    });
  });

  describe('DML refused for concurrency is retried with backoff, bounded (sql/bigquery/bigquery-dml-retry.ts)', () => {
    // BigQuery's refusals, as its REST API returns them (HTTP 400; the message is what identifies them).
    const refusal = (message: string, reason: string) => ({
      status: 400,
      body: { error: { code: 400, message, status: 'INVALID_ARGUMENT', errors: [{ domain: 'global', reason, message, location: 'q', locationType: 'parameter' }] } },
    });
    const serialize = refusal(`Could not serialize access to table ${PROJECT}:${DATASET}.job_state due to concurrent update`, 'invalidQuery');
    const aborted = refusal(`Transaction is aborted due to concurrent update against table ${PROJECT}:${DATASET}.job_state. Transaction ID: 61e30eea at [1:1]`, 'invalidQuery');
    const queueFull = refusal(`Resources exceeded during query execution: Too many DML statements outstanding against table ${PROJECT}:${DATASET}.job_state, limit is 20.`, 'resourcesExceeded');
    /** The first `times` query jobs are refused with `answer`; later ones succeed. */
    const refuseFirst = (times: number, answer: ReturnType<typeof refusal>) => {
      let calls = 0;
      fake.respond((r) => (r.path.endsWith('/queries') && calls++ < times ? answer : undefined));
    };
    const jobRow = { job: 'rollup', watermark: T0, last_run_at: T0, last_result: '{}' };
    let dml: BigQueryWarehouse;
    beforeEach(() => {
      // Jitter fixed at the middle of each window: waits of half the cap, 0.5 s doubling.
      dml = new BigQueryWarehouse({ dataset: DATASET, client: fake.client, sleep: (ms) => { sleeps.push(ms); return Promise.resolve(); }, random: () => 0.5 });
    });

    it.each([
      ['could not serialize access … due to concurrent update', serialize],
      ['transaction is aborted due to concurrent update', aborted],
      ['too many DML statements outstanding (the queue of 20 is full)', queueFull],
    ])('an upsert refused 3 times (%s) is sent again after growing waits, and then succeeds', async (_name, answer) => {
      refuseFirst(3, answer);
      await dml.upsert('job_state', [jobRow]);
      const sent = queries(fake);
      expect(sent).toHaveLength(4);
      expect(new Set(sent.map((b) => JSON.stringify([b.query, b.queryParameters]))).size).toBe(1); // the same statement each time
      expect(sent[0]?.query).toContain(`MERGE \`${DATASET}.job_state\``);
      expect(sleeps).toEqual([250, 500, 1_000]);
    });

    it('retries an execute()d UPDATE the same way (a notification completion)', async () => {
      refuseFirst(2, refusal(`Could not serialize access to table ${PROJECT}:${DATASET}.alert_notifications due to concurrent update`, 'invalidQuery'));
      await new WarehouseAlertStore(dml).completeDelivery('n-1', 'claim-1', { status: 'delivered', atMs: T0 });
      expect(queries(fake)).toHaveLength(3);
      expect(sleeps).toEqual([250, 500]);
    });

    it('gives up after the bounded retries with an error that names the table and says it was a concurrent-update conflict', async () => {
      fake.respond((r) => (r.path.endsWith('/queries') ? serialize : undefined));
      const bounded = new BigQueryWarehouse({ dataset: DATASET, client: fake.client, sleep: (ms) => { sleeps.push(ms); return Promise.resolve(); }, random: () => 0.5, dmlRetry: { maxRetries: 3 } });
      const error = await bounded.upsert('job_state', [jobRow]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrentUpdateConflictError);
      expect((error as Error).message).toBe(
        `BigQuery DML on table ${DATASET}.job_state failed: a concurrent-update conflict (concurrent update) on each of 4 attempts; other jobs were modifying the same table, and this statement changed nothing.`,
      );
      expect((error as Error & { cause: Error }).cause.message).toContain('Could not serialize access');
      expect(queries(fake)).toHaveLength(4);
      expect(sleeps).toEqual([250, 500, 1_000]);
    });

    it('with the default policy, waits at most 8 s each and stops after 6 retries (under 24 s in all) (the table named from the statement)', async () => {
      fake.respond((r) => (r.path.endsWith('/queries') ? queueFull : undefined));
      const worst = new BigQueryWarehouse({ dataset: DATASET, client: fake.client, sleep: (ms) => { sleeps.push(ms); return Promise.resolve(); }, random: () => 0.999 });
      const query = defineQuery('t_delete', 'DELETE FROM {{alert_state_writes}} WHERE run_id = @run_id');
      await expect(worst.execute(query, { run_id: 'r' })).rejects.toThrow(`BigQuery DML on table ${DATASET}.alert_state_writes failed: a concurrent-update conflict (DML queue full) on each of 7 attempts`);
      expect(sleeps).toEqual([499, 999, 1_998, 3_996, 7_992, 7_992]);
    });

    it('sends the minute recompute as one multi-statement query (its temporary table lives as long as the script), retried whole and naming both tables it MERGEs into', async () => {
      refuseFirst(1, refusal(`Transaction is aborted due to concurrent update against table ${PROJECT}:${DATASET}.metric_histograms. Transaction ID: 1 at [40:1]`, 'invalidQuery'));
      const params = { span_from_ms: T0, span_to_ms: T0 + 60_000, after_ms: T0 - 60_000, upto_ms: T0, updated_at_ms: T0 };
      await dml.execute(rollupMergeMinuteWindows, params);
      const sent = queries(fake);
      expect(sent).toHaveLength(2);
      expect(sent[0]?.query).toBe(sent[1]?.query);
      expect(sent[0]?.query?.split(';\n\n').map((st) => st.split('\n')[0])).toEqual([
        'CREATE OR REPLACE TEMP TABLE span_events AS',
        `MERGE INTO \`${DATASET}.metric_rollups\` AS t`,
        `MERGE INTO \`${DATASET}.metric_histograms\` AS t`,
        'DROP TABLE span_events',
      ]);
      expect(sleeps).toEqual([250]);
      fake.respond((r) => (r.path.endsWith('/queries') ? queueFull : undefined));
      const bounded = new BigQueryWarehouse({ dataset: DATASET, client: fake.client, sleep: () => Promise.resolve(), random: () => 0.5, dmlRetry: { maxRetries: 1 } });
      await expect(bounded.execute(rollupMergeMinuteWindows, params)).rejects.toThrow(`BigQuery DML on table ${DATASET}.metric_rollups, ${DATASET}.metric_histograms failed`);
    });

    it('does not retry any other error (a bad statement fails at once)', async () => {
      fake.respond((r) => (r.path.endsWith('/queries') ? refusal('Syntax error: Unexpected end of script at [1:7]', 'invalidQuery') : undefined));
      await expect(dml.upsert('job_state', [jobRow])).rejects.toThrow(/Syntax error/);
      expect(queries(fake)).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it('does not retry reads (a SELECT is never refused for DML concurrency)', async () => {
      fake.respond((r) => (r.path.endsWith('/queries') ? serialize : undefined));
      await expect(dml.query(defineQuery('t_read', 'SELECT 1 AS n'))).rejects.toThrow(/concurrent update/);
      expect(queries(fake)).toHaveLength(1);
    });
  });

  it('upserts with one MERGE whose rows travel as a typed ARRAY<STRUCT> parameter, filtered on the partition column', async () => {
    await wh.upsert('slo_status', [
      { slo_id: 'wallet', computed_at: T0, objective: 0.999, window_days: 30, good_events: 10, total_events: 10, status: 'ok', burn_rates: '{"1h":0}' },
      { slo_id: 'chat', computed_at: T0 + 60_000, objective: 0.99, window_days: 30, good_events: 0, total_events: 0, status: 'no_data', burn_rates: null },
    ]);
    const [merge] = queries(fake);
    expect(merge?.query).toContain(`MERGE \`${DATASET}.slo_status\` AS t`);
    expect(merge?.query).toContain('FROM UNNEST(@rows) AS r');
    expect(merge?.query).toContain('TIMESTAMP_MILLIS(r.computed_at) AS computed_at');
    expect(merge?.query).toContain('PARSE_JSON(r.burn_rates) AS burn_rates');
    expect(merge?.query).toContain('ON t.slo_id = s.slo_id AND t.computed_at = s.computed_at AND t.computed_at BETWEEN TIMESTAMP_MILLIS(@partition_from_ms) AND TIMESTAMP_MILLIS(@partition_to_ms)');
    expect(merge?.query).toContain('WHEN MATCHED THEN UPDATE SET');
    expect(merge?.query).toContain('WHEN NOT MATCHED THEN INSERT');
    expect(merge?.query).not.toContain('wallet');
    const params = Object.fromEntries((merge?.queryParameters ?? []).map((p) => [p.name, p]));
    expect(params.rows?.parameterType.type).toBe('ARRAY');
    expect(params.rows?.parameterType.arrayType?.type).toBe('STRUCT');
    expect(params.rows?.parameterType.arrayType?.structTypes).toContainEqual({ name: 'computed_at', type: { type: 'INT64' } });
    expect(params.rows?.parameterType.arrayType?.structTypes).toContainEqual({ name: 'burn_rates', type: { type: 'STRING' } });
    expect(params.partition_from_ms?.parameterValue).toEqual({ value: T0 });
    expect(params.partition_to_ms?.parameterValue).toEqual({ value: T0 + 60_000 });
  });
});
