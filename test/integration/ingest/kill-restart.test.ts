import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { PubSub } from '@google-cloud/pubsub';
import { ensureSubscription } from '../../../ingest/pubsub-subscriber';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { defineQuery, type Row } from '../../../sql';
import { describeWithEmulator } from '../../support/emulator-env';
import { emulatorClient, eventCounts, names, publishAll, waitFor } from './support';

const SCRIPT = join(__dirname, 'subscriber-process.ts');
const MESSAGES = 60;
const EVENTS_PER_MESSAGE = 200;
const TOTAL = MESSAGES * EVENTS_PER_MESSAGE;

/** A running subscriber process and the last row count it reported. */
interface Child {
  process: ChildProcess;
  stored: number;
  exited: Promise<number | null>;
}

/** Every process started, so none outlives a failing test (a live one would keep jest waiting). */
const started: ChildProcess[] = [];

function startChild(env: NodeJS.ProcessEnv): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  const state: Child = { process: child, stored: 0, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    void state.exited.then((code) => reject(new Error(`subscriber process exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') resolve(state);
      const match = /^stored (\d+)$/.exec(line);
      if (match) state.stored = Number(match[1]);
    });
  });
}

describeWithEmulator('PUBSUB_EMULATOR_HOST', 'ingest killed with SIGKILL mid-stream and restarted', (host) => {
  let pubsub: PubSub;
  let dir: string;
  beforeAll(() => {
    pubsub = emulatorClient(host);
    dir = mkdtempSync(join(tmpdir(), 'obs-kill-'));
  });
  afterAll(async () => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await pubsub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends with every published valid event stored exactly once', async () => {
    const { topic, subscription } = names('kill');
    await ensureSubscription(pubsub, topic, subscription);
    const now = Date.now();
    const ids: string[] = [];
    const payloads = Array.from({ length: MESSAGES }, (_, m) =>
      JSON.stringify({
        schema: 'metrics.v1',
        source: { service: 'calls', environment: 'test' },
        events: Array.from({ length: EVENTS_PER_MESSAGE }, (_, i) => {
          ids.push(`k-${m}-${i}`);
          return { id: `k-${m}-${i}`, name: 'infra.queue.depth', kind: 'gauge', value: i, ts: now - i, tags: { queue: `q${i % 5}` } };
        }),
      }),
    );
    const env = { ...process.env, INGEST_TOPIC: topic, INGEST_SUBSCRIPTION: subscription, INGEST_DUCKDB_PATH: join(dir, 'obs.duckdb'), PUBSUB_EMULATOR_HOST: host };
    const t = pubsub.topic(topic);

    // First half published, the subscriber running through it, the second half on its way…
    await publishAll(t, payloads.slice(0, MESSAGES / 2));
    const first = await startChild(env);
    const secondHalf = publishAll(t, payloads.slice(MESSAGES / 2));
    // …and killed outright once it has stored some but not all of it.
    await waitFor('the first process to store a fifth of the events', () => first.stored >= TOTAL / 5);
    first.process.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const storedAtKill = first.stored;
    expect(storedAtKill).toBeLessThan(TOTAL);
    await secondHalf;

    // Restarted on the same DuckDB file: what was stored survives, what was not acked comes again.
    const second = await startChild(env);
    // Messages the killed process had leased come again only when their (extended) ack deadlines
    // run out on the emulator: about half a minute on an idle machine, more on a busy one.
    await waitFor('the restarted process to store every event', () => second.stored >= TOTAL, 150_000);
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const wh = await DuckDbWarehouse.open(env.INGEST_DUCKDB_PATH);
    try {
      expect(await eventCounts(wh)).toEqual({ rows: TOTAL, distinct_ids: TOTAL });
      const stored = await wh.query<{ event_id: string } & Row>(defineQuery('t_ids', 'SELECT event_id FROM {{metric_events}} WHERE event_ts >= TIMESTAMP_MILLIS(0) ORDER BY event_id'));
      expect(stored.map((r) => r.event_id)).toEqual([...ids].sort());
    } finally {
      await wh.close();
    }
  }, 240_000);
});
