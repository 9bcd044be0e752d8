import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import type { CommandIo } from '../../../cli/command';
import { IngestHandler } from '../../../ingest';
import { silentIngestLog } from '../../../ingest/ingest-log';
import { bucketIndex } from '../../../shared';
import { defineQuery, type Row, type Warehouse } from '../../../sql';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { deadLetters, message, NOW, spend } from './fixtures';

/** Issue #18: merged events are stored as they are, one row each, idempotent by event id. */
const MINUTE = NOW - 60_000; // NOW is on a minute boundary: [MINUTE, NOW) is the minute before it
const mergedCount = spend('mc', { value: 7, ts: NOW - 1_000, count: 3, min: 1, max: 5, last: 1, start_ts: MINUTE + 5 } as never);
const mergedTiming = spend('mt', {
  name: 'product.wallet.spend.latency_ms',
  kind: 'timing',
  value: 52,
  ts: NOW - 2_000,
  count: 2,
  min: 12,
  max: 40,
  last: 40,
  start_ts: MINUTE + 10,
  histogram: [[bucketIndex(12), 1], [bucketIndex(40), 1]],
} as never);
const mergedGauge = { id: 'mg', name: 'infra.queue.depth', kind: 'gauge', value: 4, ts: NOW - 3_000, count: 2, min: 4, max: 9, sum: 13, start_ts: MINUTE, tags: { queue: 'ingest' } };

const STORED = defineQuery(
  't_merged',
  `SELECT event_id, kind, value, call_count, value_min, value_max, value_sum, last_value, UNIX_MILLIS(start_ts) AS start_ts_ms, TO_JSON_STRING(histogram) AS histogram
FROM {{metric_events}} WHERE event_ts >= TIMESTAMP_MILLIS(0) ORDER BY event_id`,
);
const stored = (wh: Warehouse) => wh.query<Row>(STORED);

const EXPECTED = [
  { event_id: 'a', kind: 'count', value: 1, call_count: null, value_min: null, value_max: null, value_sum: null, last_value: null, start_ts_ms: null, histogram: null },
  { event_id: 'mc', kind: 'count', value: 7, call_count: 3, value_min: 1, value_max: 5, value_sum: null, last_value: 1, start_ts_ms: MINUTE + 5, histogram: null },
  { event_id: 'mg', kind: 'gauge', value: 4, call_count: 2, value_min: 4, value_max: 9, value_sum: 13, last_value: null, start_ts_ms: MINUTE, histogram: null },
  { event_id: 'mt', kind: 'timing', value: 52, call_count: 2, value_min: 12, value_max: 40, value_sum: null, last_value: 40, start_ts_ms: MINUTE + 10, histogram: `[[${bucketIndex(12)},1],[${bucketIndex(40)},1]]` },
];

describe('merged events in metric_events (DuckDB)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'obs-merged-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores each merged event as one row with its call count, min, max, last, start time and histogram, and a single call with NULLs', async () => {
    const wh = await DuckDbWarehouse.open(':memory:');
    try {
      await wh.createSchema();
      const handler = new IngestHandler({ warehouse: wh, now: () => NOW, log: silentIngestLog });
      const data = message([spend('a'), mergedCount, mergedTiming, mergedGauge]);
      expect(await handler.handle({ id: 'm1', data })).toEqual({ messages: 1, events: 4, stored: 4, duplicates: 0, deadLettered: 0, gaveUp: 0 });
      // Redelivered: nothing new (idempotent by event id, as for single calls).
      expect(await handler.handle({ id: 'm1', data })).toMatchObject({ stored: 0, duplicates: 4 });
      expect(await stored(wh)).toEqual(EXPECTED);
    } finally {
      await wh.close();
    }
  });

  it('dead-letters a merged event that breaks the contract, with its code, and stores the rest of the message', async () => {
    const wh = await DuckDbWarehouse.open(':memory:');
    try {
      await wh.createSchema();
      const handler = new IngestHandler({ warehouse: wh, now: () => NOW, log: silentIngestLog });
      const bad = { ...mergedTiming, id: 'bad', histogram: [[bucketIndex(12), 1]] };
      expect(await handler.handle({ id: 'm1', data: message([mergedCount, bad]) })).toMatchObject({ stored: 1, deadLettered: 1 });
      const [dead] = await deadLetters(wh);
      expect(dead).toMatchObject({ event_id: 'bad', reason_codes: 'invalid_histogram' });
      expect(JSON.parse(dead!.raw_payload)).toEqual(bad);
    } finally {
      await wh.close();
    }
  });

  it('opens a DuckDB file an older build created: adds the new columns, keeps the old rows (as single calls), and stores merged events', async () => {
    const path = join(dir, 'old.duckdb');
    // metric_events exactly as builds before issue #18 created it.
    const instance = await DuckDBInstance.create(path);
    const c = await instance.connect();
    await c.run(`CREATE TABLE metric_events (
  event_id VARCHAR NOT NULL, name VARCHAR NOT NULL, kind VARCHAR NOT NULL, value DOUBLE NOT NULL,
  event_ts TIMESTAMP NOT NULL, ingest_ts TIMESTAMP NOT NULL, series_key VARCHAR NOT NULL, tags JSON NOT NULL,
  service VARCHAR NOT NULL, environment VARCHAR NOT NULL, message_id VARCHAR, PRIMARY KEY (event_id))`);
    await c.run(`INSERT INTO metric_events VALUES ('a', 'product.wallet.spend.success', 'count', 1, make_timestamp(${(NOW - 1_000) * 1000}), make_timestamp(${NOW * 1000}), 'feature=chat,region=eu', '{"feature":"chat","region":"eu"}', 'wallet', 'test', 'm0')`);
    c.closeSync();
    instance.closeSync();

    for (let open = 0; open < 2; open++) {
      // Twice: the migration is a no-op the second time.
      const wh = await DuckDbWarehouse.open(path);
      try {
        await wh.createSchema();
        const handler = new IngestHandler({ warehouse: wh, now: () => NOW, log: silentIngestLog });
        await handler.handle({ id: 'm1', data: message([spend('a'), mergedCount, mergedTiming, mergedGauge]) });
        expect(await stored(wh)).toEqual(EXPECTED);
        const columns = await wh.query(defineQuery('t_cols', "SELECT column_name FROM information_schema.columns WHERE table_name = 'metric_events' ORDER BY ordinal_position"));
        expect(columns.map((r) => r.column_name)).toEqual([
          'event_id', 'name', 'kind', 'value', 'event_ts', 'ingest_ts', 'series_key', 'tags', 'service', 'environment', 'message_id',
          'call_count', 'value_min', 'value_max', 'last_value', 'start_ts', 'histogram', 'value_sum',
        ]);
      } finally {
        await wh.close();
      }
    }
  });

  it('obs ingest --file loads merged events (bare lines and whole messages) like single calls', async () => {
    const dbPath = join(dir, 'obs.duckdb');
    const saved = { ...process.env };
    process.env.OBS_WAREHOUSE = 'duckdb';
    process.env.OBS_DUCKDB_PATH = dbPath;
    try {
      const file = join(dir, 'merged.ndjson');
      writeFileSync(file, [JSON.stringify(spend('a')), JSON.stringify(mergedCount), message([mergedTiming, mergedGauge])].join('\n') + '\n');
      const io: CommandIo & { stdout: string } = { stdout: '', out: (t: string) => void (io.stdout += t + '\n'), err: () => undefined };
      expect(await main(['ingest', '--file', file, '--service', 'wallet', '--environment', 'test', '--at', new Date(NOW).toISOString(), '--json'], io)).toBe(0);
      expect(JSON.parse(io.stdout)).toMatchObject({ stored: 4, deadLettered: 0 });
    } finally {
      process.env = { ...saved };
    }
    const wh = await DuckDbWarehouse.open(dbPath);
    try {
      expect(await stored(wh)).toEqual(EXPECTED);
    } finally {
      await wh.close();
    }
  });
});
