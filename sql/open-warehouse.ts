import { availableParallelism } from 'node:os';
import { DEFAULTS, type ObservabilityConfig } from '../shared/config';
import { BigQueryWarehouse } from './bigquery/bigquery-warehouse';
import { DuckDbWarehouse, type DuckDbResourceSettings } from './duckdb/duckdb-warehouse';
import type { Warehouse } from './warehouse';

/**
 * The one warehouse opener, chosen by OBS_WAREHOUSE: `duckdb` (OBS_DUCKDB_PATH, the default) or
 * `bigquery` (OBS_BQ_DATASET in GOOGLE_CLOUD_PROJECT, application default credentials). The schema
 * is created (idempotently) before the warehouse is handed out. Which process opens it, when, and
 * who may close it is the assembly's business (app/).
 */
export type WarehouseConfig = Pick<ObservabilityConfig, 'warehouse' | 'duckdbPath' | 'bigqueryDataset' | 'projectId'> & Partial<Pick<ObservabilityConfig, 'bigqueryWriteApi'>> & Partial<Pick<ObservabilityConfig, 'retention'>>;

export async function openWarehouse(config: WarehouseConfig, env: NodeJS.ProcessEnv = process.env): Promise<Warehouse> {
  const warehouse: Warehouse =
    config.warehouse === 'bigquery'
      ? new BigQueryWarehouse({ dataset: config.bigqueryDataset, ...(config.projectId ? { projectId: config.projectId } : {}), writeApi: config.bigqueryWriteApi ?? DEFAULTS.bigqueryWriteApi, ...(config.retention ? { retention: config.retention } : {}) })
      : await DuckDbWarehouse.open(config.duckdbPath, duckDbResources(env));
  try {
    await warehouse.createSchema();
  } catch (error) {
    await warehouse.close();
    const where = config.warehouse === 'bigquery' ? `BigQuery dataset ${config.bigqueryDataset}` : config.duckdbPath;
    throw new Error(`could not create the schema in ${where}`, { cause: error });
  }
  return warehouse;
}

/** DuckDB's memory limit unless OBS_DUCKDB_MEMORY_LIMIT says otherwise (docs/OPERATIONS.md). */
export const DEFAULT_DUCKDB_MEMORY_LIMIT = '512MB';
/** DuckDB's worker threads unless OBS_DUCKDB_THREADS says otherwise: each holds buffers of its own. */
const MAX_DEFAULT_DUCKDB_THREADS = 4;

/**
 * Bounds for the DuckDB instance: OBS_DUCKDB_MEMORY_LIMIT (a DuckDB size, default 512MB) and
 * OBS_DUCKDB_THREADS (default the cores, at most 4). DuckDB's own default memory limit is 80% of
 * RAM, which a long-running `obs start` grew into (issue 17, item 10). Under the limit DuckDB
 * evicts cached table blocks and spills large sorts and aggregations to a folder beside the file.
 * What must fit is the ART index behind metric_events' PRIMARY KEY (event_id) while inserts use
 * it: measured here (DuckDB 1.5), tens of bytes per stored event, and with a 64MB limit inserts
 * failed with "Out of Memory Error" after about 400,000 events. Ingest then retries and the
 * warehouse probe says why; a stack that keeps millions of events needs a higher limit.
 */
export function duckDbResources(env: NodeJS.ProcessEnv = process.env): DuckDbResourceSettings {
  const threads = env.OBS_DUCKDB_THREADS ? Number(env.OBS_DUCKDB_THREADS) : Math.min(MAX_DEFAULT_DUCKDB_THREADS, availableParallelism());
  return { memoryLimit: env.OBS_DUCKDB_MEMORY_LIMIT || DEFAULT_DUCKDB_MEMORY_LIMIT, threads };
}

/**
 * One warehouse per process, opened on first use (a Cloud Functions instance serves many
 * invocations; checking the schema on each would cost a request per message). A failed open is
 * not cached: the next call tries again, and meanwhile messages are redelivered.
 */
export function openOnce(open: () => Promise<Warehouse>): () => Promise<Warehouse> {
  let opening: Promise<Warehouse> | undefined;
  return () => {
    opening ??= open().catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };
}

/**
 * A view of a warehouse someone else owns, whose close() leaves it open: what `obs start` lends
 * the commands it runs for `obs` clients (DuckDB allows one writer per file, and a second
 * instance of the same file in one process would not see the first's writes).
 */
export function lentWarehouse(owned: Warehouse): Warehouse {
  return {
    dialect: owned.dialect,
    createSchema: () => owned.createSchema(),
    insertEvents: (rows) => owned.insertEvents(rows),
    insertDeadLetters: (rows) => owned.insertDeadLetters(rows),
    query: (query, params) => owned.query(query, params),
    execute: (query, params) => owned.execute(query, params),
    upsert: (table, rows) => owned.upsert(table, rows),
    close: () => Promise.resolve(),
    ...(owned.partitionMinutes ? { partitionMinutes: (table) => owned.partitionMinutes!(table) } : {}),
    ...(owned.jobScans ? { jobScans: (fromMs, toMs) => owned.jobScans!(fromMs, toMs) } : {}),
  };
}
