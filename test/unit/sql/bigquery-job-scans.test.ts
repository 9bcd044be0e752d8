// The BigQuery client's HTTP layer over node:http (see teeny-request-over-http.ts); must precede the imports.
jest.mock('teeny-request', () => jest.requireActual<object>('./teeny-request-over-http'));

import { costReport } from '../../../aggregator/cost/cost-report';
import { formatCost } from '../../../cli/commands/cost';
import { loadConfig } from '../../../shared';
import { PRICES } from '../../../shared/prices';
import { defineQuery } from '../../../sql';
import { labelValue, regionOf } from '../../../sql/bigquery/bigquery-job-scans';
import { BigQueryWarehouse } from '../../../sql/bigquery/bigquery-warehouse';
import { DeferredWarehouse } from '../../../sql/deferred-warehouse';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { lentWarehouse } from '../../../sql/open-warehouse';
import { rollupMergeMinuteWindows } from '../../../sql/queries/rollup-incremental';
import { PROJECT, startFakeBigQuery, type FakeBigQuery, type RecordedRequest } from './bigquery-fake-server';

/**
 * `obs cost` on BigQuery prices the scans as BigQuery billed them (issue #13: "bytes scanned by the
 * scheduled jobs, from BigQuery job statistics in production"): every query job carries the
 * labels obs_query and obs_dataset, and the report sums the month's top-level jobs of the dataset
 * from the region's INFORMATION_SCHEMA.JOBS (sql/bigquery/bigquery-job-scans.ts). Against a local
 * stand-in of the BigQuery REST API, through the real client.
 */
interface QueryBody {
  query: string;
  labels?: Record<string, string>;
  queryParameters?: Array<{ name: string; parameterType: { type: string }; parameterValue: { value: unknown } }>;
}

const DATASET = 'Obs_Prod';
const NOW = Date.UTC(2026, 10, 28, 6, 0);
const base = `/bigquery/v2/projects/${PROJECT}`;
const queries = (fake: FakeBigQuery) => fake.requests.filter((r) => r.method === 'POST' && r.path === `${base}/queries`).map((r) => r.body as QueryBody);
const isJobsRead = (r: RecordedRequest) => r.path.endsWith('/queries') && (r.body as QueryBody).query.includes('INFORMATION_SCHEMA.JOBS');
const options = { month: '2026-11', nowMs: NOW, writeApi: 'storage' as const, retention: loadConfig({}).retention, prices: PRICES };

/** The view's answer: bytes processed and billed per obs_query label. */
const jobRows = (rows: Array<[string, number, number, number]>) => ({
  body: {
    jobComplete: true,
    jobReference: { projectId: PROJECT, jobId: 'jobs-read' },
    totalRows: String(rows.length),
    schema: { fields: [{ name: 'query_name', type: 'STRING' }, { name: 'jobs', type: 'INTEGER' }, { name: 'bytes_processed', type: 'INTEGER' }, { name: 'bytes_billed', type: 'INTEGER' }] },
    rows: rows.map((r) => ({ f: r.map((v) => ({ v: String(v) })) })),
  },
});

describe('obs cost reads what BigQuery billed for the scans from INFORMATION_SCHEMA.JOBS', () => {
  let fake: FakeBigQuery;
  let wh: BigQueryWarehouse;
  beforeEach(async () => {
    fake = await startFakeBigQuery();
    wh = new BigQueryWarehouse({ dataset: DATASET, client: fake.client, location: 'EU' });
  });
  afterEach(() => fake.close());

  it('labels every query job with the query’s name and the dataset (label values as BigQuery allows them)', async () => {
    await wh.query(defineQuery('health_newest_ingest', 'SELECT 1 AS n'));
    await wh.execute(rollupMergeMinuteWindows, { span_from_ms: NOW, span_to_ms: NOW + 60_000, after_ms: NOW - 60_000, upto_ms: NOW, updated_at_ms: NOW });
    await wh.upsert('job_state', [{ job: 'rollup', watermark: NOW, last_run_at: NOW, last_result: '{}' }]);
    expect(queries(fake).map((q) => q.labels)).toEqual([
      { obs_query: 'health_newest_ingest', obs_dataset: 'obs_prod' },
      { obs_query: 'rollup_merge_minute_windows', obs_dataset: 'obs_prod' },
      { obs_query: 'upsert_job_state', obs_dataset: 'obs_prod' },
    ]);
    expect(labelValue('A.b c/' + 'x'.repeat(80))).toMatch(/^a_b_c_x{57}$/);
  });

  it('sums the month’s top-level jobs of the dataset per query, in the dataset’s region, and prices those bytes', async () => {
    const GiB = 1024 ** 3;
    fake.respond((r) => (isJobsRead(r) ? jobRows([['rollup_merge_minute_windows', 43_200, 300 * GiB, 320 * GiB], ['slo_window_rollup_sums', 43_200, 10 * GiB, 400 * GiB]]) : undefined));
    const r = await costReport(wh, options);
    const [read] = queries(fake).filter((q) => q.query.includes('INFORMATION_SCHEMA.JOBS'));
    expect(regionOf('EU')).toBe('region-eu');
    expect(read?.query).toContain('FROM `region-eu.INFORMATION_SCHEMA.JOBS`');
    expect(read?.query).toContain('parent_job_id IS NULL');
    expect(Object.fromEntries((read?.queryParameters ?? []).map((p) => [p.name, [p.parameterType.type, p.parameterValue.value]]))).toEqual({
      from_ms: ['INT64', Date.UTC(2026, 10, 1)],
      to_ms: ['INT64', NOW],
      dataset_label: ['STRING', 'obs_prod'],
    });
    expect(r.scans.source).toBe('measured');
    expect(r.scans.measured).toEqual({
      jobs: 86_400,
      bytesProcessed: 310 * GiB,
      bytesBilled: 720 * GiB,
      byQuery: [
        { query: 'slo_window_rollup_sums', jobs: 43_200, bytesProcessed: 10 * GiB, bytesBilled: 400 * GiB },
        { query: 'rollup_merge_minute_windows', jobs: 43_200, bytesProcessed: 300 * GiB, bytesBilled: 320 * GiB },
      ],
    });
    // The bill's scans are the billed bytes; billed beyond processed (the 10 MB minimum) is the fixed part.
    expect(r.usage.scannedBytes).toBe(720 * GiB);
    expect(r.usage.scanFloorBytes).toBe(410 * GiB);
    const scansUsd = r.priced.lines.find((l) => l.component === 'scans')?.listUsd;
    expect(scansUsd).toBeCloseTo((720 / 1024) * PRICES.bq_on_demand_query.usd, 10);
    const text = formatCost(r);
    expect(text).toMatch(/scans +720 GiB billed for 86400 query job\(s\) of this dataset, measured \(INFORMATION_SCHEMA\.JOBS/);
    expect(text).toContain('the estimate beside it:');
  });

  it('reaches BigQuery through the DeferredWarehouse the production assembly wraps it in (app/production.ts) and a lent one (sql/open-warehouse.ts); a DuckDB behind one has no job statistics and no note', async () => {
    fake.respond((r) => (isJobsRead(r) ? jobRows([['rollup_merge_minute_windows', 10, 100, 10 * 10 * 1024 * 1024]]) : undefined));
    const deferred = await costReport(new DeferredWarehouse('bigquery', () => Promise.resolve(wh)), options);
    expect(deferred.scans.source).toBe('measured');
    expect(deferred.scans.measured?.bytesBilled).toBe(100 * 1024 * 1024);
    expect((await costReport(lentWarehouse(wh), options)).scans.source).toBe('measured');
    const duck = await DuckDbWarehouse.open(':memory:');
    try {
      await duck.createSchema();
      const local = await costReport(new DeferredWarehouse('duckdb', () => Promise.resolve(duck)), options);
      expect(local.scans.source).toBe('estimated');
      expect(local.scans.measuredUnavailable).toBeUndefined();
      expect(formatCost(local)).not.toContain('not measured');
    } finally {
      await duck.close();
    }
  });

  it('falls back to the estimate, and says why, when the view cannot be read or holds none of the month’s jobs', async () => {
    const DENIED = 'Access Denied: Table region-eu:INFORMATION_SCHEMA.JOBS: User does not have permission to query table region-eu:INFORMATION_SCHEMA.JOBS, or perhaps it does not exist.';
    fake.respond((r) => (isJobsRead(r) ? { status: 403, body: { error: { code: 403, message: DENIED, errors: [{ reason: 'accessDenied', domain: 'global', message: DENIED }] } } } : undefined));
    const denied = await costReport(wh, options);
    expect(denied.scans.source).toBe('estimated');
    expect(denied.scans.measured).toBeUndefined();
    expect(denied.usage.scannedBytes).toBe(denied.scans.bytes);
    expect(denied.scans.measuredUnavailable).toMatch(/could not read INFORMATION_SCHEMA\.JOBS \(Access Denied/);
    expect(formatCost(denied)).toMatch(/not measured: could not read INFORMATION_SCHEMA\.JOBS/);

    const other = await startFakeBigQuery();
    try {
      // No location configured: the dataset's own region (the stand-in's dataset says none: US, BigQuery's default).
      const empty = await costReport(new BigQueryWarehouse({ dataset: DATASET, client: other.client }), options);
      expect(empty.scans.source).toBe('estimated');
      expect(empty.scans.measuredUnavailable).toMatch(/no jobs of this dataset in the month/);
      expect(other.requests.some((q) => isJobsRead(q) && (q.body as QueryBody).query.includes('`region-us.INFORMATION_SCHEMA.JOBS`'))).toBe(true);
      other.respond((r) => (r.method === 'GET' && r.path === `${base}/datasets/${DATASET}` ? { body: { kind: 'bigquery#dataset', id: `${PROJECT}:${DATASET}`, location: 'europe-west1' } } : undefined));
      await costReport(new BigQueryWarehouse({ dataset: DATASET, client: other.client }), options);
      expect(other.requests.some((q) => isJobsRead(q) && (q.body as QueryBody).query.includes('`region-europe-west1.INFORMATION_SCHEMA.JOBS`'))).toBe(true);
    } finally {
      await other.close();
    }
  });
});
