import { PubSub, type Topic } from '@google-cloud/pubsub';
import { randomUUID } from 'node:crypto';
import { defineQuery, type Row, type Warehouse } from '../../../sql';

/** Unique topic and subscription names per test (names need at least 3 characters). */
export function names(prefix: string): { topic: string; subscription: string } {
  const suffix = randomUUID().slice(0, 8);
  return { topic: `${prefix}-${suffix}`, subscription: `${prefix}-ingest-${suffix}` };
}

export function emulatorClient(host: string): PubSub {
  return new PubSub({ projectId: process.env.GOOGLE_CLOUD_PROJECT ?? 'obs-test', apiEndpoint: host });
}

/** Publishes every payload, batched like a producer would, and resolves with the message ids. */
export async function publishAll(topic: Topic, payloads: readonly string[]): Promise<string[]> {
  return Promise.all(payloads.map((p) => topic.publishMessage({ data: Buffer.from(p) })));
}

/** Polls `condition` every 20 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface Counts extends Row {
  rows: number;
  distinct_ids: number;
}

export async function eventCounts(warehouse: Warehouse): Promise<Counts> {
  const [counts] = await warehouse.query<Counts>(
    defineQuery('t_counts', 'SELECT COUNT(*) AS rows, COUNT(DISTINCT event_id) AS distinct_ids FROM {{metric_events}} WHERE event_ts >= TIMESTAMP_MILLIS(0)'),
  );
  return counts ?? { rows: 0, distinct_ids: 0 };
}
