import { loadConfig } from '../shared/config';
import { openOnce, openWarehouse, type WarehouseConfig } from '../sql/open-warehouse';
import type { Warehouse } from '../sql/warehouse';

/**
 * Moved: the one warehouse opener is sql/open-warehouse.ts, and who opens it when is the
 * assembly's business (app/). These names stay for the callers that still use them.
 */
export { DEFAULT_DUCKDB_MEMORY_LIMIT, duckDbResources, type WarehouseConfig } from '../sql/open-warehouse';

/** The configured warehouse (OBS_WAREHOUSE), schema created: sql/open-warehouse.ts openWarehouse. */
export function openIngestWarehouse(config: WarehouseConfig = loadConfig()): Promise<Warehouse> {
  return openWarehouse(config);
}

/** One warehouse per process, opened on first use: sql/open-warehouse.ts openOnce. */
export function sharedWarehouse(open: () => Promise<Warehouse> = () => openIngestWarehouse()): () => Promise<Warehouse> {
  return openOnce(open);
}
