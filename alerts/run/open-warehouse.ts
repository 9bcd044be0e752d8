import type { ObservabilityConfig } from '../../shared/config';
import { DuckDbWarehouse } from '../../sql/duckdb/duckdb-warehouse';
import type { Warehouse } from '../../sql/warehouse';

/**
 * The warehouse the alert evaluator reads (and where alert_log goes). DuckDB is the embedded
 * default. The BigQuery adapter belongs to the warehouse issue (#4); until it is in sql/, a
 * BigQuery configuration fails here with that said, rather than evaluating nothing.
 */
export async function openAlertWarehouse(config: ObservabilityConfig): Promise<Warehouse> {
  if (config.warehouse !== 'duckdb') {
    throw new Error('OBS_WAREHOUSE=bigquery: the alert evaluator needs the BigQuery warehouse adapter (issue #4), which is not in sql/ yet');
  }
  const warehouse = await DuckDbWarehouse.open(config.duckdbPath);
  await warehouse.createSchema();
  return warehouse;
}
