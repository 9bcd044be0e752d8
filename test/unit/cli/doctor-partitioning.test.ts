import { schemaCheck } from '../../../cli/doctor/warehouse-checks';
import { loadConfig } from '../../../shared/config';
import type { Warehouse } from '../../../sql/warehouse';
import { openMemoryWarehouse } from '../aggregator/support';

/**
 * obs doctor's schema check on a BigQuery metric_events created before hourly partitions: the
 * table keeps its day partitions (CREATE TABLE IF NOT EXISTS never alters it), and doctor says so
 * with the way out. The catalogue is a real DuckDB file's; the partitioning is what
 * BigQueryWarehouse.partitionMinutes would answer (its own test reads it from the REST API).
 */
describe('obs doctor: metric_events partitioned by day', () => {
  it('warns with the migration command when the table has day partitions; ok with hour partitions or when the warehouse cannot say', async () => {
    const duck = await openMemoryWarehouse();
    try {
      const config = loadConfig({});
      const as = (minutes: number | undefined): Warehouse => Object.assign(Object.create(duck) as Warehouse, { partitionMinutes: () => Promise.resolve(minutes) });
      const daily = await schemaCheck(as(1_440), config);
      expect(daily.status).toBe('warn');
      expect(daily.detail).toContain('metric_events is partitioned by day, not by hour as this build creates it');
      expect(daily.detail).toContain('obs migrate events-hourly');
      expect((await schemaCheck(as(60), config)).status).toBe('ok');
      expect((await schemaCheck(as(undefined), config)).status).toBe('ok');
      expect((await schemaCheck(duck, config)).status).toBe('ok');
    } finally {
      await duck.close();
    }
  });
});
