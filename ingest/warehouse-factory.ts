import { loadConfig, type ObservabilityConfig } from '../shared/config';
import { BigQueryWarehouse } from '../sql/bigquery/bigquery-warehouse';
import { availableParallelism } from 'node:os';
import { DuckDbWarehouse, type DuckDbResourceSettings } from '../sql/duckdb/duckdb-warehouse';
import type { Warehouse } from '../sql/warehouse';

/**
 * The warehouse ingest writes to, chosen by OBS_WAREHOUSE: `duckdb` (OBS_DUCKDB_PATH, the default)
 * or `bigquery` (OBS_BQ_DATASET in GOOGLE_CLOUD_PROJECT, application default credentials). The
 * schema is created (idempotently) before the warehouse is handed out.
 */
export type WarehouseConfig = Pick<ObservabilityConfig, 'warehouse' | 'duckdbPath' | 'bigqueryDataset' | 'projectId'>;

export async function openIngestWarehouse(config: WarehouseConfig = loadConfig()): Promise<Warehouse> {
  if (processWarehouse && config.warehouse === 'duckdb' && config.duckdbPath === processWarehouse.path) return borrowed(processWarehouse.warehouse);
  const warehouse: Warehouse =
    config.warehouse === 'bigquery'
      ? new BigQueryWarehouse({ dataset: config.bigqueryDataset, ...(config.projectId ? { projectId: config.projectId } : {}) })
      : await DuckDbWarehouse.open(config.duckdbPath, duckDbResources());
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
export function sharedWarehouse(open: () => Promise<Warehouse> = () => openIngestWarehouse()): () => Promise<Warehouse> {
  let opening: Promise<Warehouse> | undefined;
  return () => {
    opening ??= open().catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };
}

let processWarehouse: { warehouse: Warehouse; path: string } | undefined;

/**
 * The local stack (`obs start`) registers the DuckDB warehouse it holds open. DuckDB allows one
 * writer per file, and a second instance of the same file in one process does not see the
 * first's writes, so commands the stack runs on behalf of `obs` clients borrow this one instead.
 * Pass undefined to unregister.
 */
export function registerProcessWarehouse(warehouse: Warehouse | undefined, path?: string): void {
  processWarehouse = warehouse && path ? { warehouse, path } : undefined;
}

/** A view of a shared warehouse whose close() leaves the shared one open. */
function borrowed(shared: Warehouse): Warehouse {
  return {
    dialect: shared.dialect,
    createSchema: () => shared.createSchema(),
    insertEvents: (rows) => shared.insertEvents(rows),
    insertDeadLetters: (rows) => shared.insertDeadLetters(rows),
    query: (query, params) => shared.query(query, params),
    execute: (query, params) => shared.execute(query, params),
    upsert: (table, rows) => shared.upsert(table, rows),
    close: () => Promise.resolve(),
  };
}
