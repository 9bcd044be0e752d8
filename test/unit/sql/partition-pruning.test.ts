import { RECOMPUTE_STATEMENTS, SPAN_TABLE_READS, tableReferences } from '../../../aggregator/cost/scan-estimate';
import { renderSql } from '../../../sql/dialect';
import { RECOMPUTE_COLUMNS, rollupMergeMinuteWindows, SPAN_EVENTS_TABLE } from '../../../sql/queries/rollup-incremental';
import { TABLES } from '../../../sql/tables';

/**
 * metric_events is partitioned by hour (issue #13), and the minute recompute is what reads it
 * every minute: for BigQuery to read only the hour partitions of the minutes recomputed, every
 * reference to metric_events must be filtered, in its own WHERE, by a range of the partition
 * column bounded by constants — query parameters, bound before planning — not by a join or a
 * subquery, which BigQuery does not prune with (docs/COST.md, "Scans"). And BigQuery bills the
 * columns read: the statement reads exactly the columns the cost estimate prices.
 */
const SPAN = /^\s*WHERE e?\.?event_ts >= TIMESTAMP_MILLIS\(@span_from_ms\) AND e?\.?event_ts < TIMESTAMP_MILLIS\(@span_to_ms\)/;
const statements = rollupMergeMinuteWindows.statements ?? [];
const readsEvents = (text: string) => text.includes('{{metric_events}}');

describe('the minute recompute lets BigQuery prune metric_events to the partitions of the span', () => {
  it('is a script whose first statement alone reads metric_events — once a run, not once per target table', () => {
    expect(statements.map(readsEvents)).toEqual([true, false, false, false]);
    expect(statements.filter(readsEvents)).toHaveLength(RECOMPUTE_STATEMENTS);
    expect(statements[0]).toMatch(new RegExp(`^CREATE OR REPLACE TEMP TABLE ${SPAN_EVENTS_TABLE} AS`));
    expect(statements.filter((s) => s.includes(`FROM ${SPAN_EVENTS_TABLE}`))).toHaveLength(SPAN_TABLE_READS);
    expect(statements[3]).toBe(`DROP TABLE ${SPAN_EVENTS_TABLE}`);
  });

  it('every read of metric_events has the span of event_ts in its own WHERE', () => {
    const sql = renderSql(statements[0] ?? '', 'bigquery');
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

  it('reads exactly the columns of metric_events the scan estimate prices (RECOMPUTE_COLUMNS)', () => {
    const text = statements[0] ?? '';
    const read = TABLES.metric_events.columns.map((c) => c.name).filter((name) => new RegExp(`\\b${name}\\b`).test(text));
    expect([...read].sort()).toEqual([...RECOMPUTE_COLUMNS].sort());
    expect(read).not.toEqual(expect.arrayContaining(['service']));
  });

  it('counts, for BigQuery’s 10 MB minimum, each statement’s tables and the temporary table where a MERGE reads it', () => {
    // metric_events; metric_rollups + span_events; metric_histograms + span_events; the DROP none.
    expect(tableReferences(rollupMergeMinuteWindows)).toBe(5);
  });
});
