/**
 * The bytes BigQuery billed this deployment's queries, from its own job statistics (issue #13,
 * cost analytics: "bytes scanned by the scheduled jobs, from BigQuery job statistics in
 * production"; docs/COST.md, "Scans").
 *
 * Every query job the adapter sends carries two labels (bigquery-values.ts `queryOptions`):
 * `obs_query`, the query's name (`rollup_merge_minute_windows`, `slo_window_rollup_sums`, …), and
 * `obs_dataset`, the dataset it works on — so one project may hold several deployments. The
 * region's `INFORMATION_SCHEMA.JOBS` view (the project's jobs of the last 180 days) gives each
 * job's `total_bytes_processed` and `total_bytes_billed` — billed includes the 10 MB minimum per
 * table, and a script's (multi-statement query's) parent job counts its statements' — so the
 * month's bill for scans is the sum over the month's top-level jobs with our dataset's label.
 *
 * Reading the view needs `bigquery.jobs.listAll` on the project (docs/DEPLOYMENT.md); the read is
 * itself a billed query, of the view's rows (a few MB a month).
 */

export const QUERY_LABEL = 'obs_query';
export const DATASET_LABEL = 'obs_dataset';

/** A label value as BigQuery allows it: lowercase letters, digits, `_` and `-`, at most 63 characters. */
export function labelValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
}

/** The labels of a query job the adapter sends. */
export function jobLabels(queryName: string, dataset: string): Record<string, string> {
  return { [QUERY_LABEL]: labelValue(queryName), [DATASET_LABEL]: labelValue(dataset) };
}

/** The region qualifier of INFORMATION_SCHEMA views: `region-us`, `region-eu`, `region-europe-west1`. */
export function regionOf(location: string | undefined): string {
  return `region-${(location ?? 'US').toLowerCase()}`;
}

/**
 * One row per `obs_query` label: jobs, bytes processed, bytes billed, over the top-level query
 * jobs created in [@from_ms, @to_ms) with `obs_dataset = @dataset_label`.
 */
export function renderJobScans(location: string | undefined): string {
  return `SELECT
  (SELECT l.value FROM UNNEST(labels) AS l WHERE l.key = '${QUERY_LABEL}') AS query_name,
  COUNT(*) AS jobs,
  SUM(COALESCE(total_bytes_processed, 0)) AS bytes_processed,
  SUM(COALESCE(total_bytes_billed, 0)) AS bytes_billed
FROM \`${regionOf(location)}.INFORMATION_SCHEMA.JOBS\`
WHERE creation_time >= TIMESTAMP_MILLIS(@from_ms) AND creation_time < TIMESTAMP_MILLIS(@to_ms)
  AND job_type = 'QUERY'
  AND parent_job_id IS NULL
  AND EXISTS (SELECT 1 FROM UNNEST(labels) AS l WHERE l.key = '${DATASET_LABEL}' AND l.value = @dataset_label)
GROUP BY query_name
ORDER BY bytes_billed DESC, query_name`;
}

/** One query's jobs in the month, as BigQuery billed them. */
export interface JobScan {
  /** The `obs_query` label: the query's name. */
  readonly query: string;
  readonly jobs: number;
  readonly bytesProcessed: number;
  /** What on-demand pricing bills: processed, rounded up, at least 10 MB per table referenced. */
  readonly bytesBilled: number;
}
