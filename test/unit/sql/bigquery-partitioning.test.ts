// The BigQuery client's HTTP layer (teeny-request) cannot run under jest; see the stand-in's comment.
jest.mock('teeny-request', () => jest.requireActual<object>('./teeny-request-over-http'));

import { costReport } from '../../../aggregator/cost/cost-report';
import { EVENTS_PARTITION_MINUTES } from '../../../aggregator/cost/scan-estimate';
import { loadConfig } from '../../../shared';
import { PRICES } from '../../../shared/prices';
import { BigQueryWarehouse } from '../../../sql/bigquery/bigquery-warehouse';
import type { Warehouse } from '../../../sql/warehouse';
import { event, openMemoryWarehouse } from '../aggregator/support';
import { PROJECT, startFakeBigQuery, type FakeBigQuery } from './bigquery-fake-server';

/**
 * metric_events' partitioning as it exists: a deployment created by an older build keeps day
 * partitions until it is migrated (obs migrate events-hourly), and obs cost's scan estimate
 * follows the table, not the DDL this build would create.
 */
const DATASET = 'obs_ds';
const tablePath = (t: string) => `/bigquery/v2/projects/${PROJECT}/datasets/${DATASET}/tables/${t}`;

describe('the partitioning of metric_events as BigQuery has it', () => {
  let fake: FakeBigQuery;
  beforeEach(async () => {
    fake = await startFakeBigQuery();
  });
  afterEach(() => fake.close());
  const warehouse = () => new BigQueryWarehouse({ dataset: DATASET, client: fake.client, writeApi: 'insert-all' });
  const table = (type: string | undefined) => ({
    kind: 'bigquery#table',
    id: `${PROJECT}:${DATASET}.metric_events`,
    tableReference: { projectId: PROJECT, datasetId: DATASET, tableId: 'metric_events' },
    ...(type ? { timePartitioning: { type, field: 'event_ts' } } : {}),
  });

  it.each([
    ['HOUR', 60],
    ['DAY', 1_440],
    [undefined, undefined],
  ] as const)('timePartitioning.type %s → %s minutes', async (type, minutes) => {
    fake.respond((r) => (r.method === 'GET' && r.path === tablePath('metric_events') ? { body: table(type) } : undefined));
    expect(await warehouse().partitionMinutes('metric_events')).toBe(minutes);
  });

  it('a missing table is undefined, not an error', async () => {
    expect(await warehouse().partitionMinutes('metric_events')).toBeUndefined();
    expect(fake.requests.some((r) => r.method === 'GET' && r.path === tablePath('metric_events'))).toBe(true);
  });
});

describe('obs cost: the minute recompute estimated for the partitions the table has', () => {
  it('a day-partitioned metric_events (not migrated) is estimated 720.5 / 30.5 times the hourly figure; a warehouse that cannot say uses the DDL (hourly)', async () => {
    const duck = await openMemoryWarehouse();
    try {
      const day = Date.UTC(2026, 10, 10);
      await duck.insertEvents(Array.from({ length: 50 }, (_, i) => event('product.wallet.spend.success', 'count', 1, day + i * 60_000, { feature: 'chat' }, { id: `e${i}` })));
      const options = { month: '2026-11', nowMs: Date.UTC(2026, 11, 1), writeApi: 'storage' as const, retention: loadConfig({}).retention, prices: PRICES };
      const asIs = await costReport(duck, options);
      const daily: Warehouse = Object.assign(Object.create(duck) as Warehouse, { partitionMinutes: () => Promise.resolve(1_440) });
      const unmigrated = await costReport(daily, options);
      expect(EVENTS_PARTITION_MINUTES).toBe(60);
      expect(asIs.scans.partitionMinutes).toBe(60);
      expect(unmigrated.scans.partitionMinutes).toBe(1_440);
      expect(asIs.scans.recomputeBytes).toBeGreaterThan(0);
      // 720.5 and 30.5 reads of the partitions, 4 of the temporary table (aggregator/cost/scan-estimate.ts).
      expect(unmigrated.scans.recomputeBytes / asIs.scans.recomputeBytes).toBeCloseTo(724.5 / 34.5, 6);
      expect(unmigrated.scans.floorBytes).toBe(asIs.scans.floorBytes);
    } finally {
      await duck.close();
    }
  });
});
