import { defineQuery } from '../dialect';

/**
 * Incidents (issue #16) in the warehouse (incidents/warehouse-incident-store.ts): the timeline
 * entries of the incidents asked for. An incident is the fold of its entries (incidents/incident.ts).
 */
const ENTRY_COLUMNS = 'entry_id, incident_id, UNIX_MILLIS(occurred_at) AS at_ms, entry_type, TO_JSON_STRING(detail) AS detail';

/** Every entry of the incidents that are not resolved or had an entry at or after @since_ms. */
export const incidentTimelineRecent = defineQuery(
  'incident_timeline_recent',
  `SELECT ${ENTRY_COLUMNS}
FROM {{incident_timeline}}
WHERE incident_id IN (
  SELECT incident_id
  FROM {{incident_timeline}}
  GROUP BY incident_id
  HAVING MAX(occurred_at) >= TIMESTAMP_MILLIS(@since_ms) OR SUM(CASE WHEN entry_type = 'resolved' THEN 1 ELSE 0 END) = 0
)
ORDER BY occurred_at, entry_id`,
);

/** Every entry of one incident. */
export const incidentTimelineOne = defineQuery(
  'incident_timeline_one',
  `SELECT ${ENTRY_COLUMNS}
FROM {{incident_timeline}}
WHERE incident_id = @incident_id
ORDER BY occurred_at, entry_id`,
);

export const QUERIES = [incidentTimelineRecent, incidentTimelineOne];
