/**
 * Issue #13, the Storage Write API: the same events through ingest into BigQuery by each write path
 * (OBS_BQ_WRITE_API=insert-all and =storage), side by side, against local stand-ins of both APIs
 * (the REST stand-in of tabledata.insertAll, test/unit/sql/bigquery-fake-server.ts, and the gRPC
 * AppendRows server, test/support/bigquery-write-stand-in.ts). No BigQuery here: what is measured
 * is what each path sends and what BigQuery's billing rule makes of it.
 *
 * Per event of metric_events:
 *  - wire bytes: insertAll's JSON request bodies; the Storage Write API's serialized proto rows;
 *  - row bytes: BigQuery's data size of the stored row ("Data size calculation": STRING and JSON
 *    2 + UTF-8 bytes, INT64 / FLOAT64 / TIMESTAMP 8, NULL 0), the same for both paths;
 *  - billed bytes: insertAll bills each row as at least 1 KB (1,024 bytes taken here); the Storage
 *    Write API bills bytes ingested — its row bytes here, an estimate (what exactly Google counts
 *    is not documented on the pages kept here);
 *  - $ per million events at the list prices in docs/DEPLOYMENT.md ("The write path and its
 *    billing", recorded 2026-11-27): insertAll $0.05 per GiB; Storage Write API $0.025 per GiB
 *    beyond the free 2 TiB a month (and $0 within it);
 *  - ingest time of the whole run: client CPU and local round trips, and each stand-in's own work,
 *    in this process — the gRPC stand-in decodes and checks every row with protobufjs, the REST
 *    stand-in only parses JSON. It says little about production latency.
 *
 * Events: the ingest benchmark's workload (bench/ingest-workload.ts: request latencies and counts,
 * DB latencies, queue depths, realistic tag sets, a UUID per event), 100 per message.
 * Run: `npm run bench -- bigquery-write` (BENCH_EVENTS=20000 by default).
 */
import { cpus, loadavg } from 'node:os';
import { IngestHandler } from '../ingest';
import { silentIngestLog } from '../ingest/ingest-log';
import { BigQueryWarehouse } from '../sql/bigquery/bigquery-warehouse';
import { TABLES, type TableDef } from '../sql/tables';
import { startWriteStandIn } from '../test/support/bigquery-write-stand-in';
import { PROJECT, startFakeBigQuery } from '../test/unit/sql/bigquery-fake-server';
import { makeMessages } from './ingest-workload';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const PER_MESSAGE = 100;
const DATASET = 'obs_bench';
const GIB = 1024 ** 3;
const INSERT_ALL_USD_PER_GIB = 0.05;
const INSERT_ALL_MIN_ROW_BYTES = 1024;
const STORAGE_WRITE_USD_PER_GIB = 0.025;

/** BigQuery's data size of one row (sql/tables.ts types), NULL and absent columns 0. */
function rowBytes(table: TableDef, row: Record<string, unknown>): number {
  let bytes = 0;
  for (const column of table.columns) {
    const value = row[column.name];
    if (value === null || value === undefined) continue;
    if (column.type === 'STRING' || column.type === 'JSON') bytes += 2 + Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value));
    else if (column.type === 'BOOL') bytes += 1;
    else bytes += 8;
  }
  return bytes;
}

interface Result {
  path: string;
  events: number;
  wireBytes: number;
  rowBytes: number;
  billedBytes: number;
  usdPerMillion: number;
  ms: number;
}

async function run(path: 'insert-all' | 'storage', messages: ReturnType<typeof makeMessages>): Promise<Result> {
  const fake = await startFakeBigQuery();
  const stand = await startWriteStandIn(Object.values(TABLES), PROJECT);
  const warehouse = new BigQueryWarehouse({ dataset: DATASET, projectId: PROJECT, client: fake.client, writeApi: path, storageWrite: { clientOptions: stand.clientOptions } });
  const handler = new IngestHandler({ warehouse, log: silentIngestLog });
  try {
    const started = process.hrtime.bigint();
    for (let i = 0; i < messages.length; i += 10) {
      const summary = await handler.handleBatch(messages.slice(i, i + 10).map((m) => ({ id: m.id, data: Buffer.from(m.data) })));
      if (summary.retry.length > 0) throw new Error(`${path}: ingest failed: ${String(summary.error)}`);
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const events = TABLES.metric_events as TableDef;
    let rows: Array<Record<string, unknown>>;
    let wireBytes: number;
    if (path === 'insert-all') {
      const bodies = fake.requests.filter((r) => r.path.endsWith(`/tables/${events.name}/insertAll`)).map((r) => r.body as { rows: Array<{ json: Record<string, unknown> }> });
      rows = bodies.flatMap((b) => b.rows.map((r) => r.json));
      wireBytes = bodies.reduce((sum, b) => sum + Buffer.byteLength(JSON.stringify(b)), 0);
    } else {
      const appends = stand.appends.filter((a) => a.table === events.name);
      rows = stand.stored(events.name);
      wireBytes = appends.reduce((sum, a) => sum + a.bytes, 0);
    }
    if (rows.length !== EVENTS) throw new Error(`${path}: ${rows.length} rows stored, expected ${EVENTS}`);
    const sizes = rows.map((r) => rowBytes(events, r));
    const logical = sizes.reduce((a, b) => a + b, 0);
    const billed = path === 'insert-all' ? sizes.reduce((sum, s) => sum + Math.max(INSERT_ALL_MIN_ROW_BYTES, s), 0) : logical;
    const usd = (billed / GIB) * (path === 'insert-all' ? INSERT_ALL_USD_PER_GIB : STORAGE_WRITE_USD_PER_GIB);
    return { path, events: rows.length, wireBytes: wireBytes / rows.length, rowBytes: logical / rows.length, billedBytes: billed / rows.length, usdPerMillion: (usd / rows.length) * 1e6, ms };
  } finally {
    await warehouse.close();
    await stand.close();
    await fake.close();
  }
}

async function main(): Promise<void> {
  if (!Number.isInteger(EVENTS / PER_MESSAGE) || EVENTS <= 0) throw new Error(`BENCH_EVENTS must be a positive multiple of ${PER_MESSAGE}`);
  // The same messages for both (each run has its own stand-ins, so nothing is a duplicate).
  const messages = makeMessages(EVENTS / PER_MESSAGE, PER_MESSAGE, 'bench');
  const results = [await run('insert-all', messages), await run('storage', messages)];
  const header = ['write path', 'events', 'wire B/event', 'row B/event', 'billed B/event', '$ / million events', 'ingest ms'];
  const table = results.map((r) => [
    r.path,
    r.events.toLocaleString('en'),
    r.wireBytes.toFixed(0),
    r.rowBytes.toFixed(0),
    r.billedBytes.toFixed(0),
    `$${r.usdPerMillion.toFixed(4)}${r.path === 'storage' ? ' (beyond 2 TiB/month; $0 within)' : ''}`,
    r.ms.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write([line(header), line(widths.map((w) => '-'.repeat(w))), ...table.map(line)].join('\n') + '\n\n');
  const [insertAll, storage] = results as [Result, Result];
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  process.stdout.write(`insert-all / storage: billed bytes ${ratio(insertAll.billedBytes, storage.billedBytes)}, $ ${ratio(insertAll.usdPerMillion, storage.usdPerMillion)}, wire bytes ${ratio(insertAll.wireBytes, storage.wireBytes)}, ingest time ${ratio(insertAll.ms, storage.ms)}\n`);
  const goal = 0.005;
  process.stdout.write(`${storage.usdPerMillion <= goal ? 'MET' : 'NOT MET'}: Storage Write API ≤ $${goal} per million events on this write path (issue #13; the whole path's cost is obs cost's)\n`);
  process.stdout.write(`load average while it ran: ${loadavg().map((x) => x.toFixed(2)).join(', ')} on ${cpus().length} CPUs (bytes do not depend on it; times do)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
