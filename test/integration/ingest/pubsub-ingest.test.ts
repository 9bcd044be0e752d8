import type { PubSub } from '@google-cloud/pubsub';
import { IngestHandler, silentIngestLog, startIngestSubscriber, type RunningIngestSubscriber } from '../../../ingest';
import { ensureSubscription } from '../../../ingest/pubsub-subscriber';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { defineQuery, type EventRow, type Row, type Warehouse } from '../../../sql';
import { describeWithEmulator } from '../../support/emulator-env';
import { emulatorClient, eventCounts, names, publishAll, waitFor } from './support';

const now = Date.now();
const event = (id: string, i: number) => ({
  id, name: 'infra.http.request.latency_ms', kind: 'timing', value: (i % 300) + 0.5, ts: now - i,
  tags: { tier: 'api', endpoint: `/api/messages/:id/r${i % 7}`, method: 'GET', status_class: '2xx' },
});
const message = (events: unknown[]) => JSON.stringify({ schema: 'metrics.v1', source: { service: 'chat', environment: 'test' }, events });

describeWithEmulator('PUBSUB_EMULATOR_HOST', 'ingest through the Pub/Sub emulator', (host) => {
  let pubsub: PubSub;
  let wh: DuckDbWarehouse;
  let subscriber: RunningIngestSubscriber | undefined;
  let acked = 0;

  beforeAll(() => {
    pubsub = emulatorClient(host);
  });
  afterAll(() => pubsub.close());
  beforeEach(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
    acked = 0;
  });
  afterEach(async () => {
    await subscriber?.close();
    subscriber = undefined;
    await wh.close();
  });

  async function start(warehouse: Warehouse, topic: string, subscription: string) {
    subscriber = await startIngestSubscriber({
      pubsub, topic, subscription,
      handler: new IngestHandler({ warehouse, log: silentIngestLog }),
      maxBatchMessages: 10, retryDelayMs: 50, log: silentIngestLog,
      onBatch: (summary, retried) => void (acked += summary.messages - retried),
    });
  }

  it('stores each event once when the same messages are published twice and redelivered after nacks', async () => {
    const { topic, subscription } = names('dup');
    await ensureSubscription(pubsub, topic, subscription);
    // The warehouse fails the first two writes outright (nack → redelivery), and the third one
    // *after* storing its rows, as if the process died before acking: that batch comes back too.
    let writes = 0;
    const flaky = Object.assign(Object.create(wh) as Warehouse, {
      insertEvents: async (rows: readonly EventRow[]) => {
        const n = ++writes; // batches are written concurrently: number this call before awaiting
        if (n <= 2) throw new Error('warehouse unavailable');
        const result = await wh.insertEvents(rows);
        if (n === 3) throw new Error('lost the ack after writing');
        return result;
      },
    });
    const payloads = Array.from({ length: 40 }, (_, m) => message(Array.from({ length: 50 }, (_, i) => event(`dup-${m}-${i}`, i))));
    await start(flaky, topic, subscription);
    const t = pubsub.topic(topic);
    await publishAll(t, payloads);
    await publishAll(t, payloads); // the producer retried every publish

    await waitFor('all 80 deliveries acked', () => acked >= 80);
    expect(await eventCounts(wh)).toEqual({ rows: 2_000, distinct_ids: 2_000 });
    const stats = subscriber!.stats();
    // The write whose ack was "lost" stored its rows without reporting them: they come back as duplicates.
    expect(stats.stored).toBeLessThanOrEqual(2_000);
    expect(stats.stored + stats.duplicates).toBeGreaterThanOrEqual(4_000);
    expect(stats.nacked).toBeGreaterThanOrEqual(1);
  });

  it('with 5% malformed events mixed in, stores every valid event and dead-letters every bad one with an actionable reason', async () => {
    const { topic, subscription } = names('mixed');
    // Each kind of mistake a producer makes, the code it gets, and words that tell a person what to fix.
    const mistakes: Array<[string, (e: ReturnType<typeof event>) => unknown, string, RegExp]> = [
      ['seconds instead of milliseconds', (e) => ({ ...e, ts: Math.floor(e.ts / 1000) }), 'invalid_timestamp', /milliseconds, not seconds/],
      ['an unknown metric', (e) => ({ ...e, name: 'infra.http.requests' }), 'unknown_metric', /not in the catalogue \(obs catalog/],
      ['a negative timing', (e) => ({ ...e, value: -4 }), 'invalid_value', /must not be negative/],
      ['an e-mail address in a tag', (e) => ({ ...e, tags: { ...e.tags, endpoint: '/users/jane@example.com' } }), 'personal_data', /personal data/],
      ['a tag outside the allow-list', (e) => ({ ...e, tags: { ...e.tags, user: 'u1' } }), 'tag_not_allowed', /not allowed on infra\.http\.request\.latency_ms; allowed:/],
      ['no id', ({ id: _id, ...e }) => e, 'invalid_id', /id must be a non-empty string/],
    ];
    const valid = new Set<string>();
    const expectedBad = new Map<string, [string, RegExp]>();
    const payloads = Array.from({ length: 40 }, (_, m) =>
      message(
        Array.from({ length: 100 }, (_, i) => {
          const e = event(`mix-${m}-${i}`, i);
          if ((m * 100 + i) % 20 !== 7) {
            valid.add(e.id);
            return e;
          }
          const [, mutate, code, hint] = mistakes[(m * 100 + i) % mistakes.length]!;
          expectedBad.set(`${m}#${i}`, [code, hint]);
          return mutate(e);
        }),
      ),
    );
    const unreadable = ['{"schema":"metrics.v1","events":[', 'null'];
    await start(wh, topic, subscription);
    const messageIds = await publishAll(pubsub.topic(topic), [...payloads, ...unreadable]);
    await waitFor('all 42 messages acked', () => acked >= 42);

    const stored = await wh.query<{ event_id: string } & Row>(defineQuery('t_ids', 'SELECT event_id FROM {{metric_events}} WHERE event_ts >= TIMESTAMP_MILLIS(0)'));
    expect(new Set(stored.map((r) => r.event_id))).toEqual(valid);
    expect(expectedBad.size).toBe(200); // 5% of 4,000

    const dead = await wh.query<{ message_id: string; scope: string; event_index: number | null; reason_codes: string; reasons: string } & Row>(
      defineQuery('t_dead', 'SELECT message_id, scope, event_index, reason_codes, CAST(reasons AS STRING) AS reasons FROM {{dead_letters}} WHERE received_at >= TIMESTAMP_MILLIS(0)'),
    );
    const byMessage = new Map(messageIds.map((id, m) => [id, m]));
    const events = dead.filter((d) => d.scope === 'event');
    expect(events).toHaveLength(200);
    for (const d of events) {
      const [code, hint] = expectedBad.get(`${byMessage.get(d.message_id)}#${d.event_index}`)!;
      expect(d.reason_codes).toBe(code);
      const [reason] = JSON.parse(d.reasons) as Array<{ field: string; message: string }>;
      expect(reason!.field).toMatch(new RegExp(`^events\\[${d.event_index}\\]`));
      expect(reason!.message).toMatch(hint);
    }
    const whole = dead.filter((d) => d.scope === 'message').map((d) => [byMessage.get(d.message_id), d.reason_codes]);
    expect(whole.sort()).toEqual([[40, 'invalid_json'], [41, 'not_an_object']]);
  });
});
