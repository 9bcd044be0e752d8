/**
 * One export run in a process of its own (the kill-and-restart test): opens the DuckDB file at
 * OBS_DUCKDB_PATH, runs the exporter stage once at NOW_MS with the Datadog exporter pointed at
 * DD_ENDPOINT (batches of BATCH points), and prints `exported <minuteMs>` after each minute's
 * cursor is written. The test SIGKILLs it mid-minute, then runs it again.
 */
import { createDatadogExporter } from '../../../../exporters/datadog-exporter';
import { runExportJob } from '../../../../exporters/export-job';
import { systemClock } from '../../../../shared/clock';
import { DuckDbWarehouse } from '../../../../sql/duckdb/duckdb-warehouse';

async function main(): Promise<void> {
  const env = process.env;
  const warehouse = await DuckDbWarehouse.open(env.OBS_DUCKDB_PATH as string);
  const exporter = createDatadogExporter({ apiKey: 'dd-kill-test-key', site: 'datadoghq.com', endpoint: env.DD_ENDPOINT, clock: systemClock, maxPointsPerRequest: Number(env.BATCH), requestsPerSecond: 1000 });
  const result = await runExportJob(warehouse, [exporter], {
    nowMs: Number(env.NOW_MS),
    clock: systemClock,
    startAtMs: Number(env.START_MS),
    onMinuteExported: (_name, minuteMs) => void process.stdout.write(`exported ${minuteMs}\n`),
  });
  await warehouse.close();
  process.stdout.write(`done ${JSON.stringify(result.exporters[0])}\n`);
}

void main();
