import { loadConfig, type ObservabilityConfig } from '../shared/config';
import { BigQueryWarehouse } from '../sql/bigquery/bigquery-warehouse';
import { DuckDbWarehouse } from '../sql/duckdb/duckdb-warehouse';
import type { Warehouse } from '../sql/warehouse';

/**
 * The warehouse ingest writes to, chosen by OBS_WAREHOUSE: `duckdb` (OBS_DUCKDB_PATH, the default)
 * or `bigquery` (OBS_BQ_DATASET in GOOGLE_CLOUD_PROJECT, application default credentials). The
 * schema is created (idempotently) before the warehouse is handed out.
 */
export type WarehouseConfig = Pick<ObservabilityConfig, 'warehouse' | 'duckdbPath' | 'bigqueryDataset' | 'projectId'>;

export async function openIngestWarehouse(config: WarehouseConfig = loadConfig()): Promise<Warehouse> {
  const warehouse: Warehouse =
    config.warehouse === 'bigquery'
      ? new BigQueryWarehouse({ dataset: config.bigqueryDataset, ...(config.projectId ? { projectId: config.projectId } : {}) })
      : await DuckDbWarehouse.open(config.duckdbPath);
  try {
    await warehouse.createSchema();
  } catch (error) {
    await warehouse.close();
    const where = config.warehouse === 'bigquery' ? `BigQuery dataset ${config.bigqueryDataset}` : config.duckdbPath;
    throw new Error(`could not create the schema in ${where}`, { cause: error });
  }
  return warehouse;
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
