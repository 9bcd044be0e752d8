/**
 * `npm run bench -- ingest`: the two ingest targets of issue #4, measured on this machine.
 *
 * 1. Cost per event, side by side in one run: the ingest handler (decode, validate with the shared
 *    validator and PII guard, build rows, store with dedup) against the physical limit — the same
 *    rows appended straight into `metric_events` with DuckDB's appender (no validation, no dedup).
 *    Both write a DuckDB file, as the local stack does; rounds alternate so both see the same
 *    machine load and table sizes. Target: ingest ≤ 2× the appender. Reported for CPU time (the
 *    process's user+system time, all threads: robust to other processes on the machine) and wall
 *    time.
 * 2. Sustained ingest through the real Pub/Sub emulator into a DuckDB file: a backlog published
 *    first, then drained by the streaming-pull subscriber (ingest/pubsub-subscriber.ts) with the
 *    defaults the local stack uses. Target: ≥ 100,000 events/s.
 *
 * Messages look like the emitter's (emitter/options.ts: 1,000 events per message) with a realistic
 * mix of metrics and tag sets; every event id is new (UUIDs), as in production.
 */
import { PubSub } from '@google-cloud/pubsub';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../cli/local/emulators';
import { IngestHandler, silentIngestLog, startIngestSubscriber } from '../ingest';
import { DuckDbWarehouse } from '../sql/duckdb/duckdb-warehouse';
import { appendStraight, openAppenderTarget } from './ingest-baseline';
import { makeMessages, type BenchMessage } from './ingest-workload';

const EVENTS_PER_MESSAGE = 1_000;
const ROUNDS = 7;
const MESSAGES_PER_ROUND = 100; // 100,000 events per round and side
const MESSAGES_PER_WRITE = 10;
const BACKLOG_MESSAGES = 500; // 500,000 events through the emulator
const TARGET_RATIO = 2;
const TARGET_EVENTS_PER_SECOND = 100_000;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

interface Cost {
  wallUs: number;
  cpuUs: number;
}

async function measure(events: number, work: () => Promise<void>): Promise<Cost> {
  global.gc?.();
  const wall0 = performance.now();
  const cpu0 = cpuMs();
  await work();
  return { wallUs: ((performance.now() - wall0) * 1000) / events, cpuUs: ((cpuMs() - cpu0) * 1000) / events };
}

async function sideBySide(dir: string): Promise<{ ingest: Cost; appender: Cost }> {
  const ingestDb = await DuckDbWarehouse.open(join(dir, 'ingest.duckdb'));
  await ingestDb.createSchema();
  const handler = new IngestHandler({ warehouse: ingestDb, log: silentIngestLog });
  // The baseline's rows: built by a separate handler (its own tag cache), outside the timing.
  const rowBuilder = new IngestHandler({ warehouse: ingestDb, log: silentIngestLog });
  const target = await openAppenderTarget(join(dir, 'appender.duckdb'));
  const ingest: Cost[] = [];
  const appender: Cost[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const messages = makeMessages(MESSAGES_PER_ROUND, EVENTS_PER_MESSAGE, `r${round}`);
    const events = MESSAGES_PER_ROUND * EVENTS_PER_MESSAGE;
    const rows = messages.flatMap((m) => rowBuilder.prepare(m, Date.now()).rows);
    const runIngest = () =>
      measure(events, async () => {
        for (let i = 0; i < messages.length; i += MESSAGES_PER_WRITE) {
          const outcome = await handler.handleBatch(messages.slice(i, i + MESSAGES_PER_WRITE));
          if (outcome.stored !== MESSAGES_PER_WRITE * EVENTS_PER_MESSAGE) throw new Error(`ingest stored ${outcome.stored}`);
        }
      });
    const runAppender = () => measure(events, () => appendStraight(target, rows, MESSAGES_PER_WRITE * EVENTS_PER_MESSAGE));
    // Alternate which goes first, so neither always runs on a warmer (or busier) machine.
    if (round % 2 === 0) {
      ingest.push(await runIngest());
      appender.push(await runAppender());
    } else {
      appender.push(await runAppender());
      ingest.push(await runIngest());
    }
    const [i, a] = [ingest[round] as Cost, appender[round] as Cost];
    process.stdout.write(`  round ${round + 1}: ingest ${fmt(i.cpuUs)} µs CPU / ${fmt(i.wallUs)} µs wall per event; appender ${fmt(a.cpuUs)} / ${fmt(a.wallUs)}\n`);
  }
  await ingestDb.close();
  target.close();
  // Round 1 warms the JIT and the tag-set cache: report the steady state.
  const steady = (xs: Cost[]) => ({ cpuUs: median(xs.slice(1).map((x) => x.cpuUs)), wallUs: median(xs.slice(1).map((x) => x.wallUs)) });
  return { ingest: steady(ingest), appender: steady(appender) };
}

/** CPU time (ms) a process has used, from /proc (Linux): the emulator's JVM, which process.cpuUsage cannot see. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

interface EmulatorRun {
  /** From subscriber start to the last event stored: includes connecting and the first fetch. */
  eventsPerSecond: number;
  /** Between 10% and 90% of the events stored: the sustained rate. */
  steadyEventsPerSecond: number;
  seconds: number;
  cpuUsPerEvent: number;
  emulatorCpuUsPerEvent: number;
}

async function throughEmulator(dir: string, messages: BenchMessage[]): Promise<EmulatorRun> {
  const emulator = await startEmulator('pubsub');
  const pubsub = new PubSub({ projectId: 'obs-bench', apiEndpoint: emulator.host });
  const warehouse = await DuckDbWarehouse.open(join(dir, 'emulator.duckdb'));
  try {
    await warehouse.createSchema();
    const topic = pubsub.topic('metrics-events', { batching: { maxMessages: 10, maxBytes: 9_000_000, maxMilliseconds: 5 } });
    await topic.create();
    await topic.createSubscription('ingest', { ackDeadlineSeconds: 10 });
    await Promise.all(messages.map((m) => topic.publishMessage({ data: Buffer.from(m.data) })));
    const total = messages.length * EVENTS_PER_MESSAGE;
    let stored = 0;
    const progress: Array<[number, number]> = []; // (ms since start, events stored)
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const wall0 = performance.now();
    const cpu0 = cpuMs();
    const jvm0 = processCpuMs(emulator.pid);
    const subscriber = await startIngestSubscriber({
      pubsub,
      topic: 'metrics-events',
      subscription: 'ingest',
      handler: new IngestHandler({ warehouse, log: silentIngestLog }),
      log: silentIngestLog,
      onBatch: (summary) => {
        stored += summary.stored;
        progress.push([performance.now() - wall0, stored]);
        if (stored >= total) done();
      },
    });
    await finished;
    const seconds = (performance.now() - wall0) / 1000;
    const cpuUsPerEvent = ((cpuMs() - cpu0) * 1000) / total;
    const emulatorCpuUsPerEvent = ((processCpuMs(emulator.pid) - jvm0) * 1000) / total;
    await subscriber.close();
    const at = (share: number) => progress.find(([, n]) => n >= share * total) ?? [seconds * 1000, total];
    const [from, to] = [at(0.1), at(0.9)];
    const steadyEventsPerSecond = (to[1] - from[1]) / ((to[0] - from[0]) / 1000);
    return { eventsPerSecond: total / seconds, steadyEventsPerSecond, seconds, cpuUsPerEvent, emulatorCpuUsPerEvent };
  } finally {
    await warehouse.close();
    await pubsub.close();
    await emulator.stop();
  }
}

async function main(): Promise<void> {
  // No GCE metadata server here: keep google-auth from probing for one.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const dir = mkdtempSync(join(tmpdir(), 'obs-bench-ingest-'));
  const loadStart = loadavg();
  let missed = 0;
  try {
    process.stdout.write(`Cost per event, ${ROUNDS} rounds of ${fmt(MESSAGES_PER_ROUND * EVENTS_PER_MESSAGE, 0)} events (messages of ${EVENTS_PER_MESSAGE}), DuckDB files:\n`);
    const { ingest, appender } = await sideBySide(dir);
    const cpuRatio = ingest.cpuUs / appender.cpuUs;
    const wallRatio = ingest.wallUs / appender.wallUs;
    process.stdout.write(
      [
        '',
        '| path (median of rounds 2…) | CPU µs/event | wall µs/event |',
        '|---|---:|---:|',
        `| ingest handler (decode, validate, PII guard, dedup, store) | ${fmt(ingest.cpuUs)} | ${fmt(ingest.wallUs)} |`,
        `| DuckDB appender, same rows, no checks | ${fmt(appender.cpuUs)} | ${fmt(appender.wallUs)} |`,
        `| **ratio ingest / appender** (target ≤ ${TARGET_RATIO}) | **${fmt(cpuRatio)}×** | **${fmt(wallRatio)}×** |`,
        '',
      ].join('\n') + '\n',
    );
    if (cpuRatio > TARGET_RATIO) missed++;

    const backlog = makeMessages(BACKLOG_MESSAGES, EVENTS_PER_MESSAGE, 'pubsub');
    process.stdout.write(`Through the Pub/Sub emulator: a backlog of ${fmt(BACKLOG_MESSAGES * EVENTS_PER_MESSAGE, 0)} events drained into a DuckDB file…\n`);
    const run = await throughEmulator(dir, backlog);
    const cpuPerEvent = run.cpuUsPerEvent + run.emulatorCpuUsPerEvent;
    process.stdout.write(
      [
        '| measure | value |',
        '|---|---:|',
        `| **sustained ingest**, 10% → 90% of the backlog stored (target ≥ ${fmt(TARGET_EVENTS_PER_SECOND, 0)} events/s) | **${fmt(run.steadyEventsPerSecond, 0)} events/s** |`,
        `| whole drain, from subscriber start (connecting, first fetch) to the last event | ${fmt(run.eventsPerSecond, 0)} events/s (${fmt(run.seconds)} s) |`,
        `| CPU per event: ingest process (subscriber, handler, DuckDB threads) | ${fmt(run.cpuUsPerEvent)} µs |`,
        `| CPU per event: Pub/Sub emulator (JVM) | ${fmt(run.emulatorCpuUsPerEvent)} µs |`,
        `| CPU-bound ceiling on ${cpus().length} cores at that cost (no other load) | ${fmt((cpus().length * 1e6) / cpuPerEvent, 0)} events/s |`,
        '',
      ].join('\n') + '\n',
    );
    if (run.steadyEventsPerSecond < TARGET_EVENTS_PER_SECOND) missed++;
    process.stdout.write(`Machine load average (1 min) at start ${fmt(loadStart[0] ?? NaN)}, at end ${fmt(loadavg()[0] ?? NaN)} on ${cpus().length} cores: other processes share these cores.\n`);
    process.stdout.write(missed === 0 ? '\nBoth targets met.\n' : `\n${missed} target(s) missed on this run.\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = missed === 0 ? 0 : 1;
}

void main();
