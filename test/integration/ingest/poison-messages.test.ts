import type { PubSub } from '@google-cloud/pubsub';
import { IngestHandler, startIngestSubscriber, type RunningIngestSubscriber } from '../../../ingest';
import type { IngestLog } from '../../../ingest/ingest-log';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { defineQuery, type Row } from '../../../sql';
import { describeWithEmulator } from '../../support/emulator-env';
import { emulatorClient, eventCounts, names, waitFor } from './support';

/**
 * Issue 17, item 1 and 4, on the real Pub/Sub emulator: 200 poison messages among 10,000 valid
 * ones. Before the fix, one 6,000-deep tag value made the dead-letter path throw, the whole batch
 * was nacked and redelivered forever, and valid messages waited behind it or were never stored.
 */
const VALID_MESSAGES = 10_000;
const POISON_MESSAGES = 200;
// A deadline for the wait, not a throughput claim (the ingest benchmark measures speed): generous
// enough for a machine whose cores are both busy, where the emulator's JVM is starved too.
const DEADLINE_MS = 150_000;

const now = Date.now();
const event = (id: string, i: number, tags: Record<string, string> = {}) => ({
  id,
  name: 'infra.http.request.latency_ms',
  kind: 'timing',
  value: (i % 300) + 0.5,
  ts: now - (i % 60_000),
  tags: { tier: 'api', endpoint: `/api/messages/:id/r${i % 7}`, method: 'GET', status_class: '2xx', ...tags },
});
const message = (events: unknown[]) => JSON.stringify({ schema: 'metrics.v1', source: { service: 'chat', environment: 'test' }, events });

interface Poison {
  readonly kind: string;
  readonly data: Buffer;
  /** The reason code its one dead letter carries. */
  readonly code: string;
  /** Valid events riding in the same message (stored all the same when the poison is one event). */
  readonly validIds: readonly string[];
}

/** The kinds of poison, one dead letter each: whole messages that cannot be used, or one bad event beside two good ones. */
function poison(p: number): Poison {
  const good = [`p${p}-ok-a`, `p${p}-ok-b`];
  const withBad = (bad: unknown, code: string, kind: string): Poison => ({
    kind,
    code,
    data: Buffer.from(message([event(good[0]!, p), bad, event(good[1]!, p + 1)])),
    validIds: good,
  });
  switch (p % 8) {
    case 0: // the message: a tag value nested ~6,000 levels deep
      return { kind: 'a 6,000-deep tag value', code: 'nesting_too_deep', data: Buffer.from(message([event(`p${p}-deep`, p)]).replace('"2xx"', '['.repeat(6_000) + '"x"' + ']'.repeat(6_000))), validIds: [] };
    case 1:
      return { kind: 'an array 100,000 deep', code: 'nesting_too_deep', data: Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)), validIds: [] };
    case 2: // JSON.stringify writes the lone surrogate as the escape \ud800, as a producer's JSON library would
      return withBad(event(`p${p}-lone`, p, { endpoint: 'a\ud800b' }), 'invalid_unicode', 'a lone surrogate in a tag value');
    case 3:
      return withBad(event(`id-${p}-\udbff`, p), 'invalid_unicode', 'a lone surrogate in an id');
    case 4:
      return withBad(event(`p${p}-bidi`, p, { endpoint: '/api/\u202egpj.exe' }), 'unsafe_characters', 'a bidi override in a tag value');
    case 5:
      return withBad(event(`jane.doe+${p}@example.com`, p), 'personal_data', 'an e-mail address as the id');
    case 6:
      return { kind: 'bytes that are not UTF-8', code: 'invalid_encoding', data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), validIds: [] };
    default:
      return { kind: 'text that is not JSON', code: 'invalid_json', data: Buffer.from('{"schema":"metrics.v1","events":[' + '{'.repeat(20)), validIds: [] };
  }
}

describeWithEmulator('PUBSUB_EMULATOR_HOST', 'poison messages through the Pub/Sub emulator', (host) => {
  let pubsub: PubSub;
  let wh: DuckDbWarehouse;
  let subscriber: RunningIngestSubscriber | undefined;

  beforeAll(async () => {
    pubsub = emulatorClient(host);
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
  });
  afterAll(async () => {
    await subscriber?.close();
    await wh.close();
    await pubsub.close();
  });

  it('stores every valid event of 10,000 messages exactly once, and dead-letters each of 200 poison messages exactly once', async () => {
    const { topic, subscription } = names('poison');
    const errors: Array<{ message: string; fields: Record<string, unknown> }> = [];
    const log: IngestLog = (level, msg, fields = {}) => {
      if (level === 'error') errors.push({ message: msg, fields });
    };
    let stored = 0;
    let deadLettered = 0;
    subscriber = await startIngestSubscriber({
      pubsub,
      topic,
      subscription,
      handler: new IngestHandler({ warehouse: wh, log }),
      log,
      onBatch: (summary) => {
        stored += summary.stored;
        deadLettered += summary.deadLettered;
      },
    });

    // Valid messages carry 1 to 3 events; every 51st message is poison, so poison is spread through the stream.
    const payloads: Array<{ data: Buffer; poison?: Poison }> = [];
    const validIds: string[] = [];
    let v = 0;
    for (let p = 0; payloads.length < VALID_MESSAGES + POISON_MESSAGES; ) {
      if (payloads.length % 51 === 25 && p < POISON_MESSAGES) {
        const bad = poison(p++);
        validIds.push(...bad.validIds);
        payloads.push({ data: bad.data, poison: bad });
        continue;
      }
      const events = Array.from({ length: 1 + (v % 3) }, (_, i) => event(`v${v}-${i}`, v + i));
      validIds.push(...events.map((e) => e.id));
      payloads.push({ data: Buffer.from(message(events)) });
      v++;
    }
    expect(payloads.filter((p) => p.poison)).toHaveLength(POISON_MESSAGES);

    const started = Date.now();
    const t = pubsub.topic(topic, { batching: { maxMessages: 100, maxMilliseconds: 10 } });
    const messageIds = await Promise.all(payloads.map((p) => t.publishMessage({ data: p.data })));
    await waitFor(
      `${validIds.length} valid events stored and ${POISON_MESSAGES} dead letters written`,
      () => stored >= validIds.length && deadLettered >= POISON_MESSAGES,
      DEADLINE_MS - (Date.now() - started),
    );

    // Exactly once, counted in the warehouse: each valid event one row, and nothing else stored.
    expect(await eventCounts(wh)).toEqual({ rows: validIds.length, distinct_ids: validIds.length });
    const storedIds = await wh.query<{ event_id: string } & Row>(defineQuery('t_ids', 'SELECT event_id FROM {{metric_events}} WHERE event_ts >= TIMESTAMP_MILLIS(0)'));
    expect(new Set(storedIds.map((r) => r.event_id))).toEqual(new Set(validIds));

    // One dead letter per poison message, with the reason of its kind; none for a valid message.
    const dead = await wh.query<{ message_id: string; letters: number; reason_codes: string } & Row>(
      defineQuery('t_dead', 'SELECT message_id, COUNT(*) AS letters, MIN(reason_codes) AS reason_codes FROM {{dead_letters}} WHERE received_at >= TIMESTAMP_MILLIS(0) GROUP BY message_id'),
    );
    const expected = new Map(payloads.flatMap((p, i) => (p.poison ? [[messageIds[i]!, p.poison] as const] : [])));
    expect(dead).toHaveLength(POISON_MESSAGES);
    for (const d of dead) {
      const bad = expected.get(d.message_id);
      expect({ kind: bad?.kind, letters: d.letters, code: d.reason_codes }).toEqual({ kind: bad?.kind, letters: 1, code: bad?.code });
    }
    // Nothing was redelivered: no batch failed because of a poison message, and nothing was logged as an error.
    expect(subscriber.stats()).toMatchObject({ nacked: 0, gaveUp: 0 });
    expect(errors).toEqual([]);
  });
});
