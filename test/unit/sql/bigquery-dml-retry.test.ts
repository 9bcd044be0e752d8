import { conflictKind, dmlTarget, tableInMessage } from '../../../sql/bigquery/bigquery-dml-retry';

describe('recognising BigQuery’s refusals of concurrent DML (sql/bigquery/bigquery-dml-retry.ts)', () => {
  it.each([
    ['Could not serialize access to table obs:ds.job_state due to concurrent update', 'concurrent update', 'ds.job_state'],
    ['Transaction is aborted due to concurrent update against table obs:ds.job_state. Transaction ID: 61e30eea at [24:9]', 'concurrent update', 'ds.job_state'],
    ['Resources exceeded during query execution: Too many DML statements outstanding against table obs:ds.job_state, limit is 20.', 'DML queue full', 'ds.job_state'],
  ])('%s → %s, on table %s', (message, kind, table) => {
    expect(conflictKind(new Error(message))).toBe(kind);
    expect(conflictKind({ message: 'Query error', errors: [{ reason: 'invalidQuery', message }] })).toBe(kind);
    expect(tableInMessage(new Error(message))).toBe(table);
  });

  it.each([
    'Syntax error: Unexpected end of script at [1:7]',
    'Not found: Table obs:ds.job_state was not found in location US',
    'UPDATE or DELETE statement over table ds.metric_events would affect rows in the streaming buffer, which is not supported',
    'Service unavailable',
  ])('does not take “%s” for a concurrency refusal', (message) => {
    expect(conflictKind(new Error(message))).toBeUndefined();
  });

  it.each([
    ['UPDATE {{alert_notifications}} SET status = @status', 'alert_notifications'],
    ['MERGE {{job_state}} AS t USING (SELECT 1) AS s ON FALSE WHEN NOT MATCHED THEN INSERT ROW', 'job_state'],
    ['  DELETE FROM {{metric_rollups}} WHERE window_start >= TIMESTAMP_MILLIS(@from_ms)', 'metric_rollups'],
    ['INSERT INTO {{metric_histograms}} SELECT 1', 'metric_histograms'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', undefined],
  ])('the target of “%s” is %s', (text, table) => {
    expect(dmlTarget(text)).toBe(table);
  });
});
