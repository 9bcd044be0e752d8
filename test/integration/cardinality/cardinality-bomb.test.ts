/**
 * Issue #17, "1,000,000 distinct tag values": events of one metric, each with a distinct
 * `endpoint`, go through IngestHandler (cardinality limit 2,000) into a real DuckDB file; then the
 * rollup, SLO and alert jobs each run in a child process of their own, which reports its peak RSS.
 * Every job must stay under 500 MB, and the series beyond the limit must be folded.
 *
 * npm test ingests 200,000 events (a shared 2-core machine ingests a million in about a minute);
 * CARDINALITY_BOMB_EVENTS=1000000 runs the full million, as `npm run bench` (bench/cardinality.bench.ts)
 * does. No timing is asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CardinalityLimiter, DEFAULT_MAX_SERIES_PER_METRIC_PER_DAY } from '../../../ingest/cardinality-limiter';
import { defineQuery } from '../../../sql/dialect';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { BOMB_METRIC, ingestBomb, runJobProcess, type JobMeasure } from './bomb-workload';

const EVENTS = Number(process.env.CARDINALITY_BOMB_EVENTS ?? 200_000);
const NOW = Date.UTC(2026, 10, 10, 12, 0);
const MAX_RSS_MB = 500;

describe(`a cardinality bomb of ${EVENTS.toLocaleString('en')} distinct endpoint values`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-cardinality-'));
  const path = join(dir, 'bomb.duckdb');
  const measures: JobMeasure[] = [];
  let folded = 0;

  beforeAll(async () => {
    const warehouse = await DuckDbWarehouse.open(path);
    try {
      await warehouse.createSchema();
      const result = await ingestBomb(warehouse, EVENTS, NOW, new CardinalityLimiter());
      expect(result.stored).toBe(EVENTS);
      folded = result.folded;
    } finally {
      await warehouse.close();
    }
    for (const job of ['rollup', 'slo', 'alerts'] as const) measures.push(await runJobProcess(path, job, NOW + 60_000));
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('folds every series beyond the daily limit into the overflow series, keeping every event', async () => {
    expect(folded).toBe(EVENTS - DEFAULT_MAX_SERIES_PER_METRIC_PER_DAY);
    const warehouse = await DuckDbWarehouse.open(path);
    try {
      const [row] = await warehouse.query(
        defineQuery(
          'test_bomb_series',
          `SELECT COUNT(DISTINCT series_key) AS series, COUNT(*) AS events,
             SUM(CASE WHEN JSON_VALUE(tags, '$.overflow') = 'true' THEN 1 ELSE 0 END) AS overflow_events
           FROM {{metric_events}} WHERE name = @name AND event_ts >= TIMESTAMP_MILLIS(0)`,
        ),
        { name: BOMB_METRIC },
      );
      // The limit's series plus the overflow series: {tier core|secondary} × {5xx or not}.
      expect(Number(row!.series)).toBeLessThanOrEqual(DEFAULT_MAX_SERIES_PER_METRIC_PER_DAY + 4);
      expect(Number(row!.events)).toBe(EVENTS);
      expect(Number(row!.overflow_events)).toBe(EVENTS - DEFAULT_MAX_SERIES_PER_METRIC_PER_DAY);
    } finally {
      await warehouse.close();
    }
  });

  it.each(['rollup', 'slo', 'alerts'])('the %s job stays under 500 MB of RSS', (job) => {
    const measure = measures.find((m) => m.job === job)!;
    expect({ job, maxRssMb: measure.maxRssMb, under: measure.maxRssMb < MAX_RSS_MB }).toEqual({ job, maxRssMb: measure.maxRssMb, under: true });
  });

  it('the jobs see the data: the rollup covers every event, SLOs have data, "cardinality limit reached" fires', () => {
    expect(measures.find((m) => m.job === 'rollup')!.detail).toMatchObject({ newEvents: EVENTS });
    expect(measures.find((m) => m.job === 'slo')!.detail).toMatchObject({ slos: 7 });
    expect((measures.find((m) => m.job === 'alerts')!.detail as { breaching: string[] }).breaching).toContain(`series-overflow-low{${BOMB_METRIC}}`);
  });
});
