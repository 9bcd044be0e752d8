import { PubSub } from '@google-cloud/pubsub';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startEmulator, type RunningEmulator } from '../../../cli/local/emulators';
import { openStackTransport, type StackTransport } from '../../../cli/local/stack-transport';
import { IngestHandler } from '../../../ingest/ingest-handler';
import { defineQuery } from '../../../sql';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { describeWithOwnEmulator, PROJECT, uniqueName, until } from '../emitter/support';

jest.setTimeout(150_000);

const METRIC = 'product.chat.message.count';
const EVENTS_PER_TICK = 20;
const TICK_MS = 10; // ~2,000 events/s offered
// Rows, distinct ids, and the calls they stand for (a merged event counts its call_count, issue #18).
const storedRows = defineQuery('t_restart_rows', `SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS ids, SUM(COALESCE(call_count, 1)) AS calls FROM {{metric_events}} WHERE name = '${METRIC}' AND event_ts >= TIMESTAMP_MILLIS(0)`);

describeWithOwnEmulator('local stack: the Pub/Sub emulator is killed and restarted on the same port while events flow', () => {
  let emulator: RunningEmulator | undefined;
  let transport: StackTransport | undefined;
  let warehouse: DuckDbWarehouse | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'obs-restart-'));

  afterAll(async () => {
    await transport?.close();
    await warehouse?.close();
    await emulator?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-creates the topic and subscription, reports the gap, stores what comes after, and the books balance', async () => {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const topic = uniqueName('metrics-stack-restart');
    emulator = await startEmulator('pubsub', { port });
    warehouse = await DuckDbWarehouse.open(join(dir, 'restart.duckdb'));
    await warehouse.createSchema();
    const wh = warehouse;
    const logs: string[] = [];
    const reports: string[] = [];
    const handler = new IngestHandler({ warehouse: wh, now: () => Date.now(), log: (level, message, fields) => void logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`) });
    transport = await openStackTransport({
      handler,
      topic,
      projectId: PROJECT,
      emulatorHost: host,
      useEmulator: true,
      now: () => Date.now(),
      service: 'itest',
      log: (level, message, fields) => void logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
      report: (line) => void reports.push(line),
      checkIntervalMs: 500,
    });
    const stack = transport;
    const emitter = stack.emitter;
    const producer = setInterval(() => {
      for (let i = 0; i < EVENTS_PER_TICK; i++) void emitter.count(METRIC, 1, { channel: 'dm' });
    }, TICK_MS);
    try {
      // Kill at a moment when ingest has received every message the emulator acknowledged (checked
      // and killed in one synchronous step): anything later is the emitter's to keep and retry.
      // Messages the emulator had acknowledged but not yet delivered would die with it; that is the
      // gap the stack reports (messagesLostWithEmulator), and here it must be zero.
      // 2,000 calls through (the emitter merges them per series and second: far fewer rows, issue #18).
      await until(() => emitter.stats().published >= 2_000 && stack.ingested().messages === emitter.stats().messagesPublished, 30_000, 'ingest to catch up');
      const beforeKill = emitter.stats().published;
      const killing = emulator.stop('SIGKILL');
      await killing;
      await new Promise((r) => setTimeout(r, 3_000)); // down for a while, events keep coming
      expect(emitter.stats().buffered + emitter.stats().inFlight).toBeGreaterThan(0);
      emulator = await startEmulator('pubsub', { port });

      await until(() => stack.recoveries().length === 1, 30_000, 'the stack to re-create its topic and subscription');
      const admin = new PubSub({ projectId: PROJECT, apiEndpoint: host });
      const [topicExists] = await admin.topic(topic).exists();
      const [subscriptions] = await admin.topic(topic).getSubscriptions();
      await admin.close();
      expect(topicExists).toBe(true);
      expect(subscriptions.length).toBe(1);

      const publishedAtRecovery = emitter.stats().published;
      await until(() => emitter.stats().published > publishedAtRecovery + 2_000, 30_000, 'publishing to resume after the restart');
      clearInterval(producer);
      await emitter.flush();
      const stats = emitter.stats();
      expect(stats.published).toBeGreaterThan(beforeKill);
      await until(() => stack.ingested().messages >= stats.messagesPublished, 30_000, 'ingest to receive everything published');

      const [gap] = stack.recoveries();
      expect(gap?.messagesLostWithEmulator).toBe(0);
      expect(gap?.downMs).toBeGreaterThan(2_000);
      expect(reports.join('\n')).toMatch(/topic metrics-stack-restart-\w+ and its subscription were gone from 127\.0\.0\.1:\d+ .* re-created; down \d+\.\d s/);
      expect(reports.join('\n')).toContain('died with it: none');
      expect(reports.join('\n')).toMatch(/the emitter retried while the topic was missing: emitted \d+, published \d+, buffered \d+, in flight \d+, dropped 0/);
      expect(logs.some((l) => l.includes('topic or subscription is gone'))).toBe(true);

      // The books: every event the emitter accepted is stored exactly once, or counted as dropped.
      const [row] = await wh.query<{ n: number; ids: number; calls: number }>(storedRows);
      expect(stats.buffered + stats.inFlight).toBe(0);
      expect(stats.dropped).toBe(0);
      expect(row?.ids).toBe(row?.n);
      expect((row?.calls ?? 0) + stats.dropped).toBe(stats.emitted);
    } finally {
      clearInterval(producer);
      if (process.env.SHOW_LOGS) process.stdout.write([...reports, ...logs].join('\n') + '\n');
    }
  });
});
