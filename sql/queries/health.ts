import { defineQuery } from '../dialect';

/** Cheap liveness probe of the warehouse (health endpoints). */
export const warehouseProbe = defineQuery('health_warehouse_probe', 'SELECT 1 AS ok');

/** Newest ingest time within the last day: ingest lag = now − this. */
export const newestIngest = defineQuery(
  'health_newest_ingest',
  `SELECT UNIX_MILLIS(MAX(ingest_ts)) AS newest_ingest_ms
FROM {{metric_events}}
WHERE event_ts >= TIMESTAMP_MILLIS(@since_ms)`,
);

export const QUERIES = [warehouseProbe, newestIngest];
