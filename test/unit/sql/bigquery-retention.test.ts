// The BigQuery client's HTTP layer (teeny-request) cannot run under jest; see the stand-in's comment.
jest.mock('teeny-request', () => jest.requireActual<object>('./teeny-request-over-http'));

/**
 * Retention on BigQuery (issue #13): partition expiry in the DDL createSchema runs, set on tables
 * that exist when it differs, and `applyRetention` deleting only the 1-minute rollup rows (the
 * rest is BigQuery's partition expiry). Against the local stand-in of the REST API.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyRetention } from '../../../aggregator/retention';
import { DEFAULTS, type RetentionDays } from '../../../shared/config';
import { BigQueryWarehouse } from '../../../sql/bigquery/bigquery-warehouse';
import { TABLES } from '../../../sql/tables';
import { PROJECT, startFakeBigQuery, type FakeBigQuery } from './bigquery-fake-server';

interface QueryBody {
  query: string;
  queryParameters?: Array<{ name: string; parameterType: { type: string }; parameterValue: { value: string } }>;
}

const DATASET = 'obs_ds';
const base = `/bigquery/v2/projects/${PROJECT}`;
const DAY_MS = 86_400_000;
const queries = (fake: FakeBigQuery) => fake.requests.filter((r) => r.method === 'POST' && r.path === `${base}/queries`).map((r) => r.body as QueryBody);
const goldenDir = join(__dirname, '..', '..', '..', 'sql', 'golden', 'ddl');
const golden = (path: string) => readFileSync(join(goldenDir, path), 'utf8').split('\n').filter((l) => !l.startsWith('--')).join('\n').trim();

/** The tables listing, each table partitioned with the given expiry (undefined: none set). */
function listing(expiryDays: Partial<Record<string, number | undefined>>) {
  return {
    tables: Object.keys(TABLES).map((t) => ({
      id: t,
      tableReference: { projectId: PROJECT, datasetId: DATASET, tableId: t },
      ...('partitionBy' in TABLES[t as keyof typeof TABLES]
        ? { timePartitioning: { type: 'DAY', field: (TABLES[t as keyof typeof TABLES] as { partitionBy: string }).partitionBy, ...(expiryDays[t] === undefined ? {} : { expirationMs: String(expiryDays[t] * DAY_MS) }) } }
        : {}),
    })),
  };
}

describe('retention on BigQuery', () => {
  let fake: FakeBigQuery;
  beforeEach(async () => {
    fake = await startFakeBigQuery();
  });
  afterEach(() => fake.close());

  const warehouse = (retention?: RetentionDays) => new BigQueryWarehouse({ dataset: DATASET, client: fake.client, writeApi: 'insert-all', ...(retention ? { retention } : {}) });

  it('the golden DDL expires raw events and the change log after 90 days, dead letters after 30, the rollup tables after 397; nothing else expires', () => {
    expect(golden('metric_events.sql')).toMatch(/OPTIONS\(description=.*, require_partition_filter=TRUE, partition_expiration_days=90\);$/);
    expect(golden('ingest_batches.sql')).toMatch(/partition_expiration_days=90\);$/);
    expect(golden('dead_letters.sql')).toMatch(/partition_expiration_days=30\);$/);
    expect(golden('metric_rollups.sql')).toMatch(/partition_expiration_days=397\);$/);
    expect(golden('metric_histograms.sql')).toMatch(/partition_expiration_days=397\);$/);
    for (const table of ['slo_status', 'alert_log', 'job_state']) expect(golden(`${table}.sql`)).not.toContain('partition_expiration_days');
    expect(golden('retention/metric_events.sql')).toBe('ALTER TABLE `observability.metric_events`\nSET OPTIONS(partition_expiration_days=90);');
  });

  it('creates missing tables with the configured expiry', async () => {
    const retention = { eventsDays: 60, deadLettersDays: 14, minuteRollupsDays: 40, rollupsDays: 500 };
    await warehouse(retention).createSchema();
    const ddl = queries(fake).map((q) => q.query);
    const of = (table: string) => ddl.find((q) => q.startsWith(`CREATE TABLE IF NOT EXISTS \`${DATASET}.${table}\``));
    expect(of('metric_events')).toContain('partition_expiration_days=60);');
    expect(of('ingest_batches')).toContain('partition_expiration_days=60);');
    expect(of('dead_letters')).toContain('partition_expiration_days=14);');
    expect(of('metric_rollups')).toContain('partition_expiration_days=500);');
    expect(of('metric_histograms')).toContain('partition_expiration_days=500);');
    expect(of('alert_log')).not.toContain('partition_expiration_days');
  });

  it('sets the expiry on existing tables whose listing shows none or another, with the golden ALTER, and leaves the others alone', async () => {
    fake.respond((r) => (r.method === 'GET' && r.path.endsWith('/tables') ? { body: listing({ metric_events: undefined, dead_letters: 30, metric_rollups: 30, metric_histograms: 397, ingest_batches: 90 }) } : undefined));
    await warehouse().createSchema();
    const alters = queries(fake).map((q) => q.query).filter((q) => q.startsWith('ALTER TABLE') && q.includes('SET OPTIONS'));
    const inDataset = (path: string) => golden(path).replace('`observability.', `\`${DATASET}.`);
    expect(alters).toEqual([inDataset('retention/metric_events.sql'), inDataset('retention/metric_rollups.sql')]);
  });

  it('changes nothing when every table already has the configured expiry (createSchema runs on every instance start)', async () => {
    fake.respond((r) => (r.method === 'GET' && r.path.endsWith('/tables') ? { body: listing({ metric_events: 90, dead_letters: 30, metric_rollups: 397, metric_histograms: 397, ingest_batches: 90 }) } : undefined));
    await warehouse(DEFAULTS.retention).createSchema();
    expect(queries(fake).filter((q) => q.query.includes('SET OPTIONS'))).toEqual([]);
  });

  it('obs retention apply deletes only the 1-minute rollup rows, within the partitions not yet expired; partition expiry does the rest', async () => {
    const now = Date.UTC(2026, 10, 27, 15, 30);
    fake.respond((r) => {
      const body = r.body as QueryBody | undefined;
      if (r.method !== 'POST' || !r.path.endsWith('/queries') || !body?.query.startsWith('SELECT COUNT(*) AS removable')) return undefined;
      const removable = body.query.includes('metric_histograms') ? '3' : '7';
      return { body: { kind: 'bigquery#queryResponse', jobComplete: true, jobReference: { projectId: PROJECT, jobId: 'c' }, totalRows: '1', schema: { fields: [{ name: 'removable', type: 'INTEGER' }] }, rows: [{ f: [{ v: removable }] }] } };
    });
    const result = await applyRetention(warehouse(), DEFAULTS.retention, { nowMs: now, dryRun: false });
    expect(result.tables.map((t) => [t.label, t.method, t.rows])).toEqual([
      ['metric_events', 'partition-expiry', null],
      ['dead_letters', 'partition-expiry', null],
      ['metric_rollups (1m)', 'delete', 7],
      ['metric_histograms (1m)', 'delete', 3],
      ['metric_rollups (1h, 1d)', 'partition-expiry', null],
      ['metric_histograms (1h, 1d)', 'partition-expiry', null],
      ['ingest_batches', 'partition-expiry', null],
    ]);
    const sent = queries(fake);
    expect(sent.map((q) => q.query.split('\n')[0])).toEqual([
      'SELECT COUNT(*) AS removable',
      `DELETE FROM \`${DATASET}.metric_rollups\``,
      'SELECT COUNT(*) AS removable',
      `DELETE FROM \`${DATASET}.metric_histograms\``,
    ]);
    const params = (q: QueryBody) => Object.fromEntries((q.queryParameters ?? []).map((p) => [p.name, [p.parameterType.type, Number(p.parameterValue.value)]]));
    // From the oldest partition BigQuery still keeps (397 days) to the minute cut-off (35 days).
    for (const q of sent) expect(params(q)).toEqual({ from_ms: ['INT64', Date.UTC(2025, 9, 26)], cutoff_ms: ['INT64', Date.UTC(2026, 9, 23)] });
  });

  it('a dry run on BigQuery counts and deletes nothing', async () => {
    await applyRetention(warehouse(), DEFAULTS.retention, { nowMs: Date.UTC(2026, 10, 27), dryRun: true });
    expect(queries(fake).map((q) => q.query.split('\n')[0])).toEqual(['SELECT COUNT(*) AS removable', 'SELECT COUNT(*) AS removable']);
  });
});
