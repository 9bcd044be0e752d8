import { RECOMPUTE_STATEMENTS } from '../../../aggregator/cost/scan-estimate';
import { renderSql } from '../../../sql/dialect';
import { rollupMergeMinuteHistograms, rollupMergeMinutes } from '../../../sql/queries/rollup-incremental';

/**
 * metric_events is partitioned by hour (issue #13), and the minute recompute is what reads it
 * every minute: for BigQuery to read only the hour partitions of the minutes recomputed, every
 * reference to metric_events in those statements must be filtered, in its own WHERE, by a range of
 * the partition column bounded by constants — query parameters, bound before planning — not by a
 * join or a subquery, which BigQuery does not prune with (docs/COST.md, "Scans").
 */
const SPAN = /^\s*WHERE e?\.?event_ts >= TIMESTAMP_MILLIS\(@span_from_ms\) AND e?\.?event_ts < TIMESTAMP_MILLIS\(@span_to_ms\)/;

describe('the minute recompute lets BigQuery prune metric_events to the partitions of the span', () => {
  const statements = [rollupMergeMinutes, rollupMergeMinuteHistograms];

  it.each(statements.map((q) => [q.name, q] as const))('%s: every read of metric_events has the span of event_ts in its own WHERE', (_name, query) => {
    const sql = renderSql(query.text, 'bigquery');
    const reads = sql.split('FROM `observability.metric_events`').slice(1);
    expect(reads.length).toBeGreaterThanOrEqual(3);
    for (const read of reads) {
      // The rest of the FROM clause: an alias and at most one JOIN line, then the WHERE.
      const lines = read.split('\n');
      const where = lines.findIndex((l) => /^\s*WHERE /.test(l));
      expect(where).toBeGreaterThanOrEqual(1);
      expect(where).toBeLessThanOrEqual(2);
      expect(lines[where]).toMatch(SPAN);
    }
  });

  it('they are the statements the scan estimate counts', () => {
    expect(statements).toHaveLength(RECOMPUTE_STATEMENTS);
  });
});
