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

/** Last run of every scheduled job (job_state is tiny and unpartitioned). */
export const jobRuns = defineQuery(
  'health_job_runs',
  `SELECT job, UNIX_MILLIS(last_run_at) AS last_run_ms, UNIX_MILLIS(watermark) AS watermark_ms
FROM {{job_state}}`,
);

QUERIES.push(jobRuns);
