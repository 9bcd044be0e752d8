/**
 * What a bulk `obs ingest --file` path would cost on DuckDB, measured (issue #13, the import speed
 * target; docs/INGEST.md, "Importing files: speed"). Not the import: a probe of its storage floor,
 * side by side in one run on one file, each into a fresh DuckDB file, CPU = user+system of the whole
 * process (DuckDB's threads included):
 *
 *   (b) read_json → CREATE TABLE t                          the issue's reference (bench/ingest-file.bench.ts)
 *   (c) read_json → staging, INSERT INTO metric_events      the project's DDL, PRIMARY KEY (event_id), one transaction
 *       (rows mapped in SQL: series_key from the tags, message_id file:line, timestamps)
 *   (d) the same into metric_events without the PRIMARY KEY, duplicates dropped by an anti-join
 *       against the ids already stored (and within the file: first of each id)
 *   (e) (d) in 20,000-line batches, the anti-join restricted to the batch's event-time range
 *
 * Nothing is validated here: the checks (shared validator, PII guard, dead letters with a reason)
 * are what a bulk path would still have to do, in SQL or in a JS pass over the lines.
 * Run: `npm run bench -- ingest-bulk-probe` (writes a BENCH_EVENTS-event file, default 1,000,000, as bench/ingest-file.bench.ts does;
 * BENCH_ROUNDS, default 2), or `npx tsx --expose-gc bench/ingest-bulk-probe.bench.ts FILE` on a file of bare events.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { renderCreateTable } from '../sql/ddl';
import { TABLES } from '../sql/tables';
import { makeMessages } from './ingest-workload';

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function writeFile(path: string, events: number): Promise<void> {
  const out = createWriteStream(path);
  const now = Date.now();
  for (let done = 0, m = 0; done < events; m++) {
    const count = Math.min(1_000, events - done);
    const [message] = makeMessages(1, count, `f${m}`, now);
    const parsed = JSON.parse(message?.data as string) as { events: unknown[] };
    if (!out.write(parsed.events.map((e) => JSON.stringify(e)).join('\n') + '\n')) await once(out, 'drain');
    done += count;
  }
  out.end();
  await once(out, 'finish');
}

const COLUMNS = `{'id': 'VARCHAR', 'name': 'VARCHAR', 'kind': 'VARCHAR', 'value': 'DOUBLE', 'ts': 'BIGINT', 'tags': 'JSON'}`;

/** The staging rows mapped to metric_events' columns (series_key: keys sorted, k=v joined by commas). */
const MAPPED = (from: string) => `SELECT id AS event_id, name, kind, value, make_timestamp(ts * 1000) AS event_ts, now()::TIMESTAMP AS ingest_ts,
  array_to_string(list_sort(list_transform(json_keys(tags), k -> k || '=' || (tags ->> k))), ',') AS series_key,
  tags, 'bench' AS service, 'bench' AS environment, 'events.ndjson:' || line AS message_id,
  NULL::BIGINT AS call_count, NULL::DOUBLE AS value_min, NULL::DOUBLE AS value_max, NULL::DOUBLE AS last_value, NULL::TIMESTAMP AS start_ts, NULL::JSON AS histogram, NULL::DOUBLE AS value_sum
FROM ${from}`;

async function measure(label: string, work: (c: DuckDBConnection) => Promise<void>, dir: string): Promise<{ label: string; wall: number; cpu: number }> {
  global.gc?.();
  const path = join(dir, `${label.replace(/\W/g, '')}.duckdb`);
  const w0 = performance.now();
  const c0 = cpuMs();
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await work(connection);
  connection.closeSync();
  instance.closeSync();
  const result = { label, wall: performance.now() - w0, cpu: cpuMs() - c0 };
  rmSync(path, { force: true });
  return result;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bulk-probe-'));
  try {
    let file = process.argv[2];
    if (!file) {
      file = join(dir, 'events.ndjson');
      await writeFile(file, Number(process.env.BENCH_EVENTS ?? 1_000_000));
    }
    const src = `read_json('${file.replace(/'/g, "''")}', format = 'newline_delimited', columns = ${COLUMNS})`;
    const staged = async (c: DuckDBConnection) => c.run(`CREATE TEMP TABLE staging AS SELECT row_number() OVER () AS line, * FROM ${src}`);
    const withKey = renderCreateTable(TABLES.metric_events, 'duckdb');
    const withoutKey = withKey.replace(',\n  PRIMARY KEY (event_id)', '');
    const count = async (c: DuckDBConnection) => Number((await c.runAndReadAll('SELECT count(*) FROM metric_events')).getRows()[0]?.[0]);
    const results = [];
    const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
    for (let round = 0; round < rounds; round++) {
      results.push(await measure('(b) read_json -> CREATE TABLE t', async (c) => void (await c.run(`CREATE TABLE t AS SELECT * FROM read_json('${file.replace(/'/g, "''")}', format = 'newline_delimited')`)), dir));
      results.push(
        await measure('(c) staging -> metric_events with PRIMARY KEY', async (c) => {
          await c.run(withKey);
          await staged(c);
          await c.run(`INSERT INTO metric_events ${MAPPED('staging')} ORDER BY event_id`);
          if ((await count(c)) === 0) throw new Error('nothing stored');
        }, dir),
      );
      results.push(
        await measure('(d) staging -> no key, anti-join dedup', async (c) => {
          await c.run(withoutKey);
          await staged(c);
          await c.run(`INSERT INTO metric_events ${MAPPED(`(SELECT * FROM staging QUALIFY row_number() OVER (PARTITION BY id ORDER BY line) = 1) AS s`)} WHERE NOT EXISTS (SELECT 1 FROM metric_events m WHERE m.event_id = s.id)`);
          if ((await count(c)) === 0) throw new Error('nothing stored');
        }, dir),
      );
      results.push(
        await measure('(e) (d) in 20,000-line batches, time-bounded', async (c) => {
          await c.run(withoutKey);
          await staged(c);
          const n = Number((await c.runAndReadAll('SELECT count(*) FROM staging')).getRows()[0]?.[0]);
          for (let from = 1; from <= n; from += 20_000) {
            const batch = `(SELECT * FROM staging WHERE line >= ${from} AND line < ${from + 20_000} QUALIFY row_number() OVER (PARTITION BY id ORDER BY line) = 1) AS s`;
            const [lo, hi] = (await c.runAndReadAll(`SELECT min(ts), max(ts) FROM staging WHERE line >= ${from} AND line < ${from + 20_000}`)).getRows()[0] as [bigint, bigint];
            await c.run(
              `INSERT INTO metric_events ${MAPPED(batch)} WHERE NOT EXISTS (SELECT 1 FROM metric_events m WHERE m.event_ts BETWEEN make_timestamp(${lo} * 1000) AND make_timestamp(${hi} * 1000) AND m.event_id = s.id)`,
            );
          }
          if ((await count(c)) !== n) throw new Error('rows lost');
        }, dir),
      );
    }
    const by = new Map<string, Array<{ wall: number; cpu: number }>>();
    for (const r of results) by.set(r.label, [...(by.get(r.label) ?? []), r]);
    const base = by.get('(b) read_json -> CREATE TABLE t')!;
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const bw = med(base.map((r) => r.wall));
    const bc = med(base.map((r) => r.cpu));
    process.stdout.write(`Median of ${rounds} round(s), ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(1)).join(' / ')}\n`);
    for (const [label, rs] of by) {
      const w = med(rs.map((r) => r.wall));
      const c = med(rs.map((r) => r.cpu));
      process.stdout.write(`  ${label.padEnd(48)} wall ${(w / 1000).toFixed(2).padStart(7)} s (${(w / bw).toFixed(2)}×)  CPU ${(c / 1000).toFixed(2).padStart(7)} s (${(c / bc).toFixed(2)}×)  [${rs.map((r) => `${(r.wall / 1000).toFixed(1)}/${(r.cpu / 1000).toFixed(1)}`).join(', ')}]\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
