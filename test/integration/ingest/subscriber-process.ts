/**
 * The ingest subscriber as a process of its own, for the crash test (kill-restart.test.ts): the
 * local stack's wiring — DuckDB file, handler, streaming pull — and nothing else.
 *
 * Env: PUBSUB_EMULATOR_HOST, INGEST_TOPIC, INGEST_SUBSCRIPTION, INGEST_DUCKDB_PATH.
 * Stdout, one line each: `ready`, then `stored <rows in metric_events>` after every batch.
 * SIGTERM: finish the batches in hand, close, exit 0.
 */
import { PubSub } from '@google-cloud/pubsub';
import { IngestHandler, silentIngestLog, startIngestSubscriber } from '../../../ingest';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { eventCounts } from './support';

async function main(): Promise<void> {
  const env = (name: string) => process.env[name] ?? (() => { throw new Error(`${name} is not set`); })();
  const warehouse = await DuckDbWarehouse.open(env('INGEST_DUCKDB_PATH'));
  await warehouse.createSchema();
  const pubsub = new PubSub({ projectId: process.env.GOOGLE_CLOUD_PROJECT ?? 'obs-test', apiEndpoint: env('PUBSUB_EMULATOR_HOST') });
  let reporting = Promise.resolve();
  const subscriber = await startIngestSubscriber({
    pubsub,
    topic: env('INGEST_TOPIC'),
    subscription: env('INGEST_SUBSCRIPTION'),
    handler: new IngestHandler({ warehouse, log: silentIngestLog }),
    // Small batches: many separate commits, so a kill lands between some write and its ack.
    maxBatchMessages: 2,
    onBatch: () => {
      reporting = reporting.then(async () => void process.stdout.write(`stored ${(await eventCounts(warehouse)).rows}\n`));
    },
  });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void (async () => {
      await subscriber.close();
      await reporting;
      await warehouse.close();
      await pubsub.close();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`subscriber-process: ${String(error)}\n`);
  process.exit(1);
});
