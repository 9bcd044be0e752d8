import { defineQuery } from '../dialect';

/**
 * The maintenance windows table (issue #16; maintenance/warehouse-maintenance-store.ts): a few
 * rows a module, read whole. Not partitioned (like alert_silences): there is no time column every
 * read could filter on — a recurring window from last year still applies today.
 */
export const maintenanceWindowsLoad = defineQuery(
  'maintenance_windows_load',
  `SELECT window_id, module, title, exclude_from_budget, UNIX_MILLIS(starts_at) AS starts_at_ms,
  UNIX_MILLIS(ends_at) AS ends_at_ms, TO_JSON_STRING(recurrence) AS recurrence,
  UNIX_MILLIS(created_at) AS created_at_ms, created_by
FROM {{maintenance_windows}}
ORDER BY created_at, window_id`,
);

export const maintenanceWindowDelete = defineQuery(
  'maintenance_window_delete',
  `DELETE FROM {{maintenance_windows}}
WHERE window_id = @window_id`,
);

export const QUERIES = [maintenanceWindowsLoad, maintenanceWindowDelete];
