import { BigQuery, type Dataset } from '@google-cloud/bigquery';
import pLimit from 'p-limit';
import type { RetentionDays } from '../../shared/config';
import { partitionExpirationDays, renderCreateTable, renderPartitionExpiry } from '../ddl';
import { ADDED_COLUMNS, renderAddedColumns } from '../migrations';
import { renderSql, type SqlQuery } from '../dialect';
import { TABLES, type TableName } from '../tables';
import type { DeadLetterRow, EventRow, InsertEventsResult, Params, Row, Warehouse } from '../warehouse';
import { firstOfEachKey } from '../dedup';
import { changeLogStreamingRows } from './bigquery-change-log';
import { bigQueryMessage, DEFAULT_DML_RETRY, dmlTarget, withDmlRetry, type DmlRetryPolicy } from './bigquery-dml-retry';
import { jobLabels, labelValue, renderJobScans, type JobScan } from './bigquery-job-scans';
import { renderMerge } from './bigquery-merge';
import { StorageWriter, type StorageWriterOptions } from './storage-write/storage-writer';
import { DEFAULT_STREAMING_LIMITS, streamRows, type Sleep, type StreamingLimits } from './bigquery-streaming';
import { deadLetterStreamingRow, eventStreamingRow, normaliseRow, queryOptions } from './bigquery-values';

export interface BigQueryWarehouseOptions {
  /** The dataset (OBS_BQ_DATASET). */
  dataset: string;
  /** A ready client; by default `new BigQuery({ projectId })` with application default credentials. */
  client?: BigQuery;
  projectId?: string;
  /** Dataset location for `createSchema` and query jobs (BigQuery's default, US, when unset). */
  location?: string;
  streaming?: Partial<StreamingLimits>;
  /** Rows per MERGE statement in `upsert` (keeps the parameter payload far below request limits). */
  maxUpsertRows?: number;
  /** For tests: the wait between row retries. */
  sleep?: Sleep;
  /** Retries of DML refused for concurrency (bigquery-dml-retry.ts); DEFAULT_DML_RETRY when unset. */
  dmlRetry?: Partial<DmlRetryPolicy>;
  /** For tests: the jitter source, [0, 1) (Math.random). */
  random?: () => number;
  /**
   * How `insertEvents` and `insertDeadLetters` write (OBS_BQ_WRITE_API, passed by openWarehouse):
   * `storage`, the Storage Write API's default stream (storage-write/), or `insert-all`, the legacy
   * streaming inserts. Unset here: `insert-all`.
   */
  writeApi?: 'storage' | 'insert-all';
  /** The Storage Write API writer's options (tests: the WriterClient's endpoint). */
  storageWrite?: Omit<StorageWriterOptions, 'dataset' | 'projectId'>;
  /** Partition expiry of the tables with retention (OBS_RETENTION_*_DAYS); DEFAULTS.retention when unset. */
  retention?: RetentionDays;
}

const DEFAULT_MAX_UPSERT_ROWS = 1_000;

/**
 * The production warehouse. See sql/bigquery/README.md for what is guaranteed and why.
 *
 * - `createSchema`: creates the dataset if missing, then runs the golden DDL (sql/golden/ddl,
 *   `CREATE TABLE IF NOT EXISTS … PARTITION BY DATE(…) CLUSTER BY …`) for each missing table —
 *   the exact text analysts and reviewers read, so the two cannot drift.
 *   Tables that exist get the columns added since they were created (sql/migrations.ts).
 * - `insertEvents` / `insertDeadLetters`: streaming inserts, insertId = the row's key.
 * - `query` / `execute`: query jobs with named parameters only.
 * - `upsert`: MERGE with the rows as an ARRAY<STRUCT> parameter.
 */
export class BigQueryWarehouse implements Warehouse {
  readonly dialect = 'bigquery' as const;
  private readonly client: BigQuery;
  private readonly dataset: Dataset;
  private readonly limits: StreamingLimits;
  /** Set when OBS_BQ_WRITE_API=storage: metric_events and dead_letters go through it. */
  private readonly storage: StorageWriter | undefined;

  constructor(private readonly options: BigQueryWarehouseOptions) {
    this.client = options.client ?? new BigQuery(options.projectId ? { projectId: options.projectId } : {});
    this.dataset = this.client.dataset(options.dataset, options.location ? { location: options.location } : {});
    this.limits = { ...DEFAULT_STREAMING_LIMITS, ...options.streaming };
    this.storage =
      options.writeApi === 'storage'
        ? new StorageWriter({ dataset: options.dataset, ...(options.projectId ? { projectId: options.projectId } : {}), ...(options.sleep ? { sleep: options.sleep } : {}), ...options.storageWrite })
        : undefined;
    if (this.limits.maxRowsPerRequest > 500) throw new Error('BigQuery streaming: at most 500 rows per request');
    if (this.limits.maxBytesPerRequest > 9_000_000) throw new Error('BigQuery streaming: keep requests well under 10 MB');
  }

  async createSchema(): Promise<void> {
    const [exists] = await this.dataset.exists();
    if (!exists) {
      try {
        await this.client.createDataset(this.options.dataset, this.options.location ? { location: this.options.location } : {});
      } catch (error) {
        if ((error as { code?: number }).code !== 409) throw error; // created meanwhile by another instance
      }
    }
    const [tables] = await this.dataset.getTables();
    const present = new Set(tables.map((t) => t.id));
    const missing = (Object.keys(TABLES) as TableName[]).filter((name) => !present.has(name));
    const limit = pLimit(4);
    await Promise.all(
      missing.map((name) => limit(() => this.client.query(queryOptions(`create_${name}`, renderCreateTable(TABLES[name], 'bigquery', this.options.dataset, this.options.retention), {}, this.options.location, this.options.dataset)))),
    );
    // Retention (sql/ddl.ts): a table created by an older build, or before OBS_RETENTION_*_DAYS
    // changed, gets its partition expiry set. Only where the listing shows a different one: table
    // metadata updates are rate-limited per table, and every instance runs this on start.
    for (const table of tables) {
      const name = table.id as TableName;
      const days = name in TABLES ? partitionExpirationDays(name, this.options.retention) : undefined;
      const partitioning = (table.metadata as { timePartitioning?: { expirationMs?: string } } | undefined)?.timePartitioning;
      if (days === undefined || partitioning === undefined || Number(partitioning.expirationMs ?? 0) === days * 86_400_000) continue;
      const ddl = renderPartitionExpiry(TABLES[name], this.options.dataset, this.options.retention);
      if (ddl) await this.client.query(queryOptions(`retention_${name}`, ddl, {}, this.options.location, this.options.dataset));
    }
    // Tables an older build created lack the columns added since (sql/migrations.ts): ADD COLUMN
    // IF NOT EXISTS is a no-op where they are present, and DDL is not billed.
    for (const added of ADDED_COLUMNS) {
      if (!present.has(added.table)) continue;
      for (const ddl of renderAddedColumns(added, 'bigquery', this.options.dataset)) await this.client.query(queryOptions(`migrate_${added.table}`, ddl, {}, this.options.location, this.options.dataset));
    }
  }

  async partitionMinutes(table: TableName): Promise<number | undefined> {
    try {
      const response = (await this.dataset.table(table).getMetadata()) as unknown as [{ timePartitioning?: { type?: string } } | undefined];
      const type = response[0]?.timePartitioning?.type;
      return type === 'HOUR' ? 60 : type === 'DAY' ? 1_440 : undefined;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  /**
   * The month's bytes billed for this dataset's query jobs, per query, from the region's
   * INFORMATION_SCHEMA.JOBS (bigquery-job-scans.ts); what `obs cost` prices as the scans.
   */
  async jobScans(fromMs: number, toMs: number): Promise<JobScan[]> {
    const params = { from_ms: fromMs, to_ms: toMs, dataset_label: labelValue(this.options.dataset) };
    // The jobs are in the dataset's region (where BigQuery ran them): the configured location, else the dataset's own.
    const location = this.options.location ?? ((await this.dataset.getMetadata()) as unknown as [{ location?: string } | undefined])[0]?.location;
    const [rows] = await this.client
      .query(queryOptions('cost_job_scans', renderJobScans(location), params, location, this.options.dataset))
      .catch((error: unknown) => Promise.reject(new Error(bigQueryMessage(error), { cause: error })));
    return (rows as Record<string, unknown>[]).map((row) => {
      const r = normaliseRow(row);
      return { query: String(r.query_name ?? ''), jobs: Number(r.jobs ?? 0), bytesProcessed: Number(r.bytes_processed ?? 0), bytesBilled: Number(r.bytes_billed ?? 0) };
    });
  }

  async insertEvents(rows: readonly EventRow[]): Promise<InsertEventsResult> {
    if (rows.length === 0) return { inserted: 0, duplicates: 0 };
    // BigQuery does not say which insertIds it dropped: only repeats within the call are counted.
    const unique = firstOfEachKey(rows, (r) => r.event_id);
    // The change log first, then the events, on the same write path (bigquery-change-log.ts says why that order).
    const log = changeLogStreamingRows(unique);
    if (log.length > 0) await (this.storage ? this.storage.write(TABLES.ingest_batches, log) : streamRows(this.dataset.table(TABLES.ingest_batches.name), log, this.limits, this.options.sleep));
    const rowsOut = unique.map(eventStreamingRow);
    const inserted = this.storage ? await this.storage.write(TABLES.metric_events, rowsOut) : await streamRows(this.dataset.table(TABLES.metric_events.name), rowsOut, this.limits, this.options.sleep);
    return { inserted, duplicates: rows.length - unique.length };
  }

  async insertDeadLetters(rows: readonly DeadLetterRow[]): Promise<void> {
    if (rows.length === 0) return;
    const unique = firstOfEachKey(rows, (r) => r.dead_letter_id);
    const rowsOut = unique.map(deadLetterStreamingRow);
    if (this.storage) await this.storage.write(TABLES.dead_letters, rowsOut);
    else await streamRows(this.dataset.table(TABLES.dead_letters.name), rowsOut, this.limits, this.options.sleep);
  }

  async query<T extends Row = Row>(query: SqlQuery, params: Params = {}): Promise<T[]> {
    const sql = renderSql(query.text, 'bigquery', { dataset: this.options.dataset });
    const [rows] = await this.client.query(queryOptions(query.name, sql, params, this.options.location, this.options.dataset));
    return (rows as Record<string, unknown>[]).map((row) => normaliseRow(row) as T);
  }

  async execute(query: SqlQuery, params: Params = {}): Promise<void> {
    const sql = renderSql(query.text, 'bigquery', { dataset: this.options.dataset });
    const options = queryOptions(query.name, sql, params, this.options.location, this.options.dataset);
    // A script (sql/dialect.ts defineScript) runs as one multi-statement query; retried whole when
    // one of its DML statements is refused for concurrency — the scripts we send are idempotent.
    const targets = [...new Set((query.statements ?? [query.text]).map(dmlTarget).filter((t): t is string => t !== undefined))];
    await this.retryingDml(targets.length === 0 ? undefined : targets.map((t) => `${this.options.dataset}.${t}`).join(', '), () => this.client.query(options));
  }

  /**
   * One DML job, run again when BigQuery refuses it for concurrency (bigquery-dml-retry.ts): at
   * most 2 mutating statements run per table and 20 wait, and the scheduled jobs MERGE into the
   * same tables. `table` names the target in the final error (else BigQuery's message does).
   */
  private retryingDml<T>(table: string | undefined, statement: () => Promise<T>): Promise<T> {
    const policy = { ...DEFAULT_DML_RETRY, ...this.options.dmlRetry };
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    return withDmlRetry(table, statement, policy, sleep, this.options.random);
  }

  /** MERGE by the table's key; of two rows with one key in a call, the later wins. */
  async upsert(table: TableName, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const def = TABLES[table];
    const keyOf = (r: Row) => JSON.stringify(def.key.map((k) => r[k] ?? null));
    const lastOfEachKey = [...new Map(rows.map((r) => [keyOf(r), r])).values()];
    const size = this.options.maxUpsertRows ?? DEFAULT_MAX_UPSERT_ROWS;
    for (let start = 0; start < lastOfEachKey.length; start += size) {
      const merge = renderMerge(def, lastOfEachKey.slice(start, start + size), this.options.dataset);
      const options = { query: merge.sql, params: merge.params, types: merge.types as never, ...(this.options.location ? { location: this.options.location } : {}), labels: jobLabels(`upsert_${def.name}`, this.options.dataset) };
      await this.retryingDml(`${this.options.dataset}.${def.name}`, () => this.client.query(options));
    }
  }

  close(): Promise<void> {
    // The REST client holds no connections that need closing; the Storage Write API's gRPC channel does.
    return this.storage ? this.storage.close() : Promise.resolve();
  }
}
