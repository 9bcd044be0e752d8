import { createProductionApp } from '../../../app/production';
import { jsonLinesLogger } from '../../../shared/logger';
import { NO_PIPELINE_METRICS } from '../../../app/pipeline-metrics';
import { defineQuery } from '../../../sql/dialect';
import { DAY, event, openMemoryWarehouse } from '../aggregator/support';

const NOW = Date.UTC(2026, 10, 27, 3, 30); // the daily schedule, 03:30 UTC

/**
 * `pack421_retention_daily` (index.ts) calls the production assembly's jobs.runRetention with the
 * schedule time: OBS_RETENTION_*_DAYS from the function's environment, one summary log line.
 */
describe('the daily retention job in the production assembly', () => {
  it('removes what the configured retention says, and logs what it removed', async () => {
    const wh = await openMemoryWarehouse();
    try {
      await wh.insertEvents([
        event('infra.http.request.count', 'count', 1, Date.UTC(2026, 10, 12) - 1, {}, { id: 'past-14-days' }),
        event('infra.http.request.count', 'count', 1, Date.UTC(2026, 10, 12), {}, { id: 'at-cutoff' }),
      ]);
      const lines: string[] = [];
      const app = createProductionApp({
        env: { OBS_WAREHOUSE: 'duckdb', OBS_RETENTION_EVENTS_DAYS: '15' },
        openWarehouse: () => Promise.resolve(wh),
        firestore: () => undefined,
        metrics: NO_PIPELINE_METRICS,
        logger: jsonLinesLogger({}, (l) => void lines.push(l)),
      });
      const result = await app.jobs.runRetention(NOW);
      expect(result.tables.find((t) => t.table === 'metric_events')).toMatchObject({ days: 15, cutoffMs: NOW - 3.5 * 3_600_000 - 15 * DAY, rows: 1 });
      expect(await wh.query(defineQuery('t', 'SELECT event_id FROM {{metric_events}}'))).toEqual([{ event_id: 'at-cutoff' }]);
      const logged = lines.map((l) => JSON.parse(l) as { message?: string; msg?: string; removed?: Record<string, number> }).find((l) => (l.message ?? l.msg) === 'retention applied');
      expect(logged?.removed).toMatchObject({ metric_events: 1, dead_letters: 0 });
    } finally {
      await wh.close();
    }
  });
});
