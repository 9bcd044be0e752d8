import type { ObservabilityConfig } from '../../shared/config';
import { openIngestWarehouse, sharedWarehouse } from '../../ingest/warehouse-factory';
import type { Warehouse } from '../../sql/warehouse';

/**
 * The warehouse the alert evaluator reads rollups from and appends alert_log to: the configured
 * one (OBS_WAREHOUSE: DuckDB file or BigQuery dataset), schema created — the factory ingest uses,
 * so there is one place that knows how to open a warehouse.
 */
export function openAlertWarehouse(config: ObservabilityConfig): Promise<Warehouse> {
  return openIngestWarehouse(config);
}

/**
 * For the `obs alerts` commands: the local DuckDB file only. Their alert state lives in the
 * warehouse's tables, which is the local store; production state is in Firestore and is
 * evaluated by the scheduled function.
 */
export function openLocalAlertWarehouse(config: ObservabilityConfig): Promise<Warehouse> {
  if (config.warehouse !== 'duckdb') {
    return Promise.reject(new Error('obs alerts works on the local DuckDB warehouse; unset OBS_WAREHOUSE (or set it to duckdb). In production the scheduled function evaluates alerts, with their state in Firestore.'));
  }
  return openIngestWarehouse(config);
}

/** One warehouse per function instance, opened on first use and kept (a run every minute). */
export function sharedAlertWarehouse(config: () => ObservabilityConfig): () => Promise<Warehouse> {
  return sharedWarehouse(() => openAlertWarehouse(config()));
}
