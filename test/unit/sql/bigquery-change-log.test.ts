// The BigQuery client's HTTP layer (teeny-request) cannot run under jest; see the stand-in's comment.
jest.mock('teeny-request', () => jest.requireActual<object>('./teeny-request-over-http'));

import { BigQueryWarehouse } from '../../../sql/bigquery/bigquery-warehouse';
import { TABLES, type EventRow } from '../../../sql';
import { startWriteStandIn, type WriteStandIn } from '../../support/bigquery-write-stand-in';
import { PROJECT, startFakeBigQuery, type FakeBigQuery } from './bigquery-fake-server';

interface InsertAllBody {
  rows: Array<{ insertId: string; json: Record<string, unknown> }>;
}

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const DATASET = 'obs_ds';
const insertAll = (table: string) => `/bigquery/v2/projects/${PROJECT}/datasets/${DATASET}/tables/${table}/insertAll`;
const event = (id: string, tsMs: number): EventRow => ({
  event_id: id,
  name: 'product.wallet.spend.success',
  kind: 'count',
  value: 1,
  event_ts_ms: tsMs,
  ingest_ts_ms: T0,
  series_key: '',
  tags: '{}',
  service: 'wallet',
  environment: 'test',
  message_id: `m-${id}`,
});

describe('BigQuery: the change log (ingest_batches) is streamed before the events', () => {
  let fake: FakeBigQuery;
  let wh: BigQueryWarehouse;
  beforeEach(async () => {
    fake = await startFakeBigQuery();
    wh = new BigQueryWarehouse({ dataset: DATASET, client: fake.client, sleep: () => Promise.resolve() });
  });
  afterEach(() => fake.close());

  it('streams one log row per run of event minutes first, then the events', async () => {
    await wh.insertEvents([event('a', T0 - 30_000), event('b', T0 - 1_000), event('late', T0 - 9 * 86_400_000)]);
    const posts = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/insertAll'));
    expect(posts.map((r) => r.path)).toEqual([insertAll('ingest_batches'), insertAll('metric_events')]);
    const log = (posts[0]!.body as InsertAllBody).rows.map((r) => r.json);
    expect(log).toEqual([
      { ingest_ts: new Date(T0).toISOString(), message_id: 'm-a', messages: 1, min_event_ts: new Date(T0 - 9 * 86_400_000).toISOString(), max_event_ts: new Date(T0 - 9 * 86_400_000).toISOString(), events: 1 },
      { ingest_ts: new Date(T0).toISOString(), message_id: 'm-a', messages: 2, min_event_ts: new Date(T0 - 30_000).toISOString(), max_event_ts: new Date(T0 - 1_000).toISOString(), events: 2 },
    ]);
  });

  it('stores no event when the log cannot be written: the call throws and the message is redelivered', async () => {
    fake.respond((r) => (r.path === insertAll('ingest_batches') ? { status: 503, body: { error: { code: 503, message: 'Service unavailable' } } } : undefined));
    await expect(wh.insertEvents([event('a', T0)])).rejects.toThrow(/Service unavailable/);
    expect(fake.requests.some((r) => r.path === insertAll('metric_events'))).toBe(false);
  });
});

describe('BigQuery with the Storage Write API: the change log takes the same path, first', () => {
  let fake: FakeBigQuery;
  let stand: WriteStandIn;
  let wh: BigQueryWarehouse;
  beforeEach(async () => {
    fake = await startFakeBigQuery();
    stand = await startWriteStandIn(Object.values(TABLES));
    wh = new BigQueryWarehouse({ dataset: DATASET, projectId: PROJECT, client: fake.client, writeApi: 'storage', storageWrite: { clientOptions: stand.clientOptions } });
  });
  afterEach(async () => {
    await wh.close();
    await stand.close();
    await fake.close();
  });

  it('appends the log row to ingest_batches before the events to metric_events, and nothing goes to insertAll', async () => {
    await wh.insertEvents([event('a', T0 - 30_000), event('b', T0 - 1_000)]);
    expect(stand.appends.map((a) => a.table)).toEqual(['ingest_batches', 'metric_events']);
    expect(stand.stored('ingest_batches')).toEqual([{ ingest_ts: T0 * 1000, message_id: 'm-a', messages: 2, min_event_ts: (T0 - 30_000) * 1000, max_event_ts: (T0 - 1_000) * 1000, events: 2 }]);
    expect(fake.requests.some((r) => r.path.endsWith('/insertAll'))).toBe(false);
  });
});
