/**
 * Soak: the local stack (`obs start --no-demo`: the Pub/Sub emulator when installed, else the
 * in-process transport; DuckDB file; the scheduler every 60 s) takes 2,000 events/s for
 * SOAK_MINUTES (default 20) minutes. Every 10 s it samples this process's RSS, the JS heap (after
 * full GCs), buffers outside the heap, DuckDB's WAL and the events stored. After the warm-up
 * (SOAK_WARMUP_MINUTES, default a fifth of the run, at most 2) it fits a least-squares line to RSS
 * and to the heap over time.
 *
 * Target (issue 17, item 10): RSS slope after warm-up < 2 MB/min (it was 41 MB/min), and the WAL
 * bounded by the stack's checkpoints (OBS_DUCKDB_WAL_MAX_MB, default 16 MB; it reached 139 MB).
 * Exits 1 when the RSS slope misses the target. SOAK_RATE changes the events per second;
 * SOAK_TRANSPORT=in-process runs without the emulator. The process runs as `npm start` runs the
 * stack, with glibc's arenas limited (MALLOC_ARENA_MAX=2, see the end of this file);
 * SOAK_ALLOCATOR=glibc-default soaks with glibc's defaults.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STACK_MALLOC_ARENA_MAX } from '../cli/local/allocator';
import { startStack } from '../cli/local/stack';
import { DEFAULT_DUCKDB_MEMORY_LIMIT } from '../ingest/warehouse-factory';
import { loadConfig } from '../shared';
import { defineQuery } from '../sql';

process.env.METADATA_SERVER_DETECTION ??= 'none';

// Issue 17 asks for at least 10 minutes. Over 10 the checkpoint sawtooth (40–60 MB each minute)
// swings the fitted slope between about 1 and 3.5 MB/min on the same build; over 20 the three fits
// below agree within about 0.5 (docs/OPERATIONS.md).
const MINUTES = Number(process.env.SOAK_MINUTES ?? 20);
const RATE = Number(process.env.SOAK_RATE ?? 2_000);
const WARMUP_MINUTES = Number(process.env.SOAK_WARMUP_MINUTES ?? Math.min(2, MINUTES / 5));
const SAMPLE_MS = 10_000;
const TICK_MS = 10;
const TARGET_RSS_MB_PER_MIN = 2;
const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

/** A realistic mix: a few metrics, a few tag values each (so series stay few, as in production). */
const WORK: ReadonlyArray<{ kind: 'count' | 'timing'; name: string; tags: Record<string, string>[] }> = [
  { kind: 'count', name: 'product.chat.message.count', tags: [{ channel: 'dm' }, { channel: 'group' }] },
  { kind: 'timing', name: 'infra.db.query.latency_ms', tags: [{ collection: 'wallets', operation: 'read' }, { collection: 'chats', operation: 'write' }, { collection: 'feed', operation: 'query' }] },
  { kind: 'count', name: 'product.wallet.spend.success', tags: [{ feature: 'chat' }, { feature: 'call' }] },
];

interface Sample {
  atMin: number;
  rssMb: number;
  heapMb: number;
  buffersMb: number;
  walMb: number;
  /** Resident memory by where it lives (/proc/self/smaps), MB: see {@link residentByKind}. */
  resident: Record<ResidentKind, number>;
  /** Memory V8 allocated with malloc (compiler zones, not the JS heap), MB. */
  v8MallocMb: number;
  /** What DuckDB says it holds (duckdb_memory()), by tag, MB. */
  duckdb: Record<string, number>;
  stored: number;
  emitted: number;
}

type ResidentKind = 'glibcArenas' | 'brk' | 'otherAnon' | 'files';
const HEAP_MAX = 64 * MB; // glibc's non-main arenas are heaps of this size, aligned to it (64-bit)

/**
 * This process's resident memory split by where it lives (Linux /proc/self/smaps; zeros
 * elsewhere): glibc's thread arenas (anonymous 64 MB-aligned heaps: malloc from threads other than
 * the main one — libuv's pool, on which the DuckDB bindings run, and DuckDB's own threads),
 * the brk heap (malloc from the main thread), other anonymous memory (the V8 heap, DuckDB's
 * jemalloc, which holds its buffer pool, thread stacks) and file-backed pages (code, the DuckDB
 * file's pages are not mapped, so mostly libraries).
 */
function residentByKind(): Record<ResidentKind, number> {
  const out: Record<ResidentKind, number> = { glibcArenas: 0, brk: 0, otherAnon: 0, files: 0 };
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return out;
  }
  let kind: ResidentKind = 'otherAnon';
  for (const line of text.split('\n')) {
    // A mapping's header: "start-end perms offset dev inode [path]"; the lines after it are its fields.
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) {
      const [range = '', , , , inode = '0', path = ''] = line.split(/ +/);
      const start = Number.parseInt(range.slice(0, range.indexOf('-')), 16);
      kind = inode !== '0' ? 'files' : path === '[heap]' ? 'brk' : path === '' && start % HEAP_MAX === 0 ? 'glibcArenas' : 'otherAnon';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] += Number(rss[1]) / 1024;
  }
  return out;
}

/**
 * The checkpoint cycles after the warm-up: a cycle ends at the sample where the WAL shrank (the
 * stack checkpointed since the sample before). RSS is a sawtooth over these cycles — data
 * appended since the last checkpoint is held in memory — so a line fitted over a run that stops
 * near a peak overstates the trend, and one that stops near a trough understates it.
 */
function cycles(samples: readonly Sample[]): Sample[][] {
  const out: Sample[][] = [];
  let current: Sample[] = [];
  samples.forEach((s, i) => {
    const previous = samples[i - 1];
    if (previous && s.walMb < previous.walMb && current.length > 0) {
      out.push(current);
      current = [];
    }
    current.push(s);
  });
  if (current.length > 0) out.push(current);
  return out;
}

function slopePerMin(points: ReadonlyArray<{ x: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return sxy / sxx;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-soak-'));
  const lines: string[] = [];
  const stack = await startStack({
    config: { ...loadConfig({}), duckdbPath: join(dir, 'soak.duckdb'), port: 0, projectId: 'obs-soak', metricsTopic: 'metrics-soak' },
    demo: false,
    // SOAK_TRANSPORT=in-process skips the emulator (to tell the Pub/Sub client's memory from DuckDB's).
    useEmulator: process.env.SOAK_TRANSPORT !== 'in-process',
    // Every call stored as an event: the warehouse path at 2,000 stored events/s is what is soaked
    // (the emitter's default aggregation would merge these calls into a few events a second).
    emitterAggregation: 'none',
    runCommand: () => Promise.resolve(0),
    log: (line) => void lines.push(line),
    progress: () => undefined,
  });
  // Asked of the stack's own DuckDB instance (the warehouse its app lends), what it holds.
  const duckdbMemory = defineQuery('soak_duckdb_memory', 'SELECT tag, memory_usage_bytes AS bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0');
  process.stdout.write(`soak: ${MINUTES} min at ${RATE} events/s through the local stack (${stack.transport}); warm-up ${WARMUP_MINUTES} min; DuckDB memory_limit ${process.env.OBS_DUCKDB_MEMORY_LIMIT || `${DEFAULT_DUCKDB_MEMORY_LIMIT} (default)`}; glibc arenas ${process.env.MALLOC_ARENA_MAX ? `MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}${process.env.MALLOC_ARENA_MAX === STACK_MALLOC_ARENA_MAX ? ' (as npm start sets it)' : ''}` : "glibc's default (MALLOC_ARENA_MAX unset, as a plain npx obs start)"}\n`);
  // Paced by the clock, not by the timer's ticks: on a busy machine setInterval fires late, and
  // adding RATE/100 per tick then sent ~15% fewer events than asked (1,696/s for 2,000).
  let carry = 0;
  let n = 0;
  let producedUpTo = Date.now();
  const producer = setInterval(() => {
    const now = Date.now();
    carry += (RATE * (now - producedUpTo)) / 1000;
    producedUpTo = now;
    for (; carry >= 1; carry--) {
      const work = WORK[n % WORK.length] as (typeof WORK)[number];
      const tags = work.tags[n % work.tags.length] as Record<string, string>;
      n++;
      if (work.kind === 'count') void stack.emitter.count(work.name as never, 1, tags);
      else void stack.emitter.timing(work.name as never, 5 + (n % 200), tags);
    }
  }, TICK_MS);

  const started = Date.now();
  const samples: Sample[] = [];
  const sample = async () => {
    gc?.();
    const rows = await stack.app.withWarehouse((warehouse) => warehouse.query<{ tag: string; bytes: number }>(duckdbMemory));
    const duckdb = Object.fromEntries(rows.map((r) => [r.tag, r.bytes / MB]));
    const m = process.memoryUsage();
    samples.push({
      atMin: (Date.now() - started) / 60_000,
      resident: residentByKind(),
      v8MallocMb: getHeapStatistics().malloced_memory / MB,
      rssMb: m.rss / MB,
      heapMb: m.heapUsed / MB,
      buffersMb: m.arrayBuffers / MB,
      walMb: stack.walBytes() / MB,
      duckdb,
      stored: stack.ingested().stored,
      emitted: stack.emitter.stats().emitted,
    });
    const s = samples[samples.length - 1] as Sample;
    process.stdout.write(
      `${s.atMin.toFixed(2).padStart(6)} min  rss ${s.rssMb.toFixed(0).padStart(5)} MB  heap ${s.heapMb.toFixed(1).padStart(6)} MB  buffers ${s.buffersMb.toFixed(1).padStart(5)} MB  wal ${s.walMb.toFixed(1).padStart(6)} MB  arenas ${s.resident.glibcArenas.toFixed(0)} brk ${s.resident.brk.toFixed(0)} anon ${s.resident.otherAnon.toFixed(0)} files ${s.resident.files.toFixed(0)} v8malloc ${s.v8MallocMb.toFixed(1)}  stored ${s.stored}  duckdb ${Object.entries(s.duckdb).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(' ')}\n`,
    );
  };
  while (Date.now() - started < MINUTES * 60_000) {
    await sample();
    await new Promise((r) => setTimeout(r, Math.min(SAMPLE_MS, MINUTES * 60_000 - (Date.now() - started))));
  }
  await sample();
  clearInterval(producer);
  await stack.emitter.flush();
  const after = samples.filter((s) => s.atMin >= WARMUP_MINUTES);
  const rssSlope = slopePerMin(after.map((s) => ({ x: s.atMin, y: s.rssMb })));
  // Two phase-independent views of the same trend (reported beside the plain fit, never instead
  // of it): the line through each whole checkpoint cycle's lowest RSS, and the plain fit cut to
  // whole cycles (from the first checkpoint after the warm-up to the last one).
  const whole = cycles(after).slice(1, -1);
  const troughs = whole.map((cycle) => cycle.reduce((low, s) => (s.rssMb < low.rssMb ? s : low)));
  const troughSlope = slopePerMin(troughs.map((s) => ({ x: s.atMin, y: s.rssMb })));
  const wholeCycleSlope = slopePerMin(whole.flat().map((s) => ({ x: s.atMin, y: s.rssMb })));
  const duckdbTotal = (s: Sample) => Object.values(s.duckdb).reduce((a, b) => a + b, 0);
  // What DuckDB holds right after each checkpoint: the floor that must not rise.
  const floors = whole.map((cycle) => (cycle[0] as Sample));
  const heapSlope = slopePerMin(after.map((s) => ({ x: s.atMin, y: s.heapMb })));
  const duckdbSlope = (tag?: string) => slopePerMin(after.map((s) => ({ x: s.atMin, y: tag ? (s.duckdb[tag] ?? 0) : Object.values(s.duckdb).reduce((a, b) => a + b, 0) })));
  const last = samples[samples.length - 1] as Sample;
  const maxWal = Math.max(...samples.map((s) => s.walMb));
  const ingested = stack.ingested();
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
  const problems = lines.filter((l) => /error|fail/i.test(l));
  process.stdout.write(
    [
      '',
      `RSS slope after warm-up   ${rssSlope.toFixed(2)} MB/min (target < ${TARGET_RSS_MB_PER_MIN}): least squares over every sample from minute ${WARMUP_MINUTES} on`,
      `  over whole cycles       ${wholeCycleSlope.toFixed(2)} MB/min: the same fit over the ${whole.length} whole checkpoint cycles after warm-up (minute ${whole[0]?.[0]?.atMin.toFixed(2) ?? '-'} to ${whole[whole.length - 1]?.at(-1)?.atMin.toFixed(2) ?? '-'})`,
      `  of the cycle troughs    ${troughSlope.toFixed(2)} MB/min: through each cycle's lowest RSS (${troughs.map((s) => s.rssMb.toFixed(0)).join(', ')} MB)`,
      `RSS range after warm-up   ${Math.min(...after.map((s) => s.rssMb)).toFixed(0)}–${Math.max(...after.map((s) => s.rssMb)).toFixed(0)} MB`,
      `DuckDB after checkpoints  ${floors.map((s) => duckdbTotal(s).toFixed(0)).join(', ')} MB (all tags), ART_INDEX ${floors.map((s) => (s.duckdb.ART_INDEX ?? 0).toFixed(0)).join(', ')} MB`,
      `DuckDB at the end         ${Object.entries(last.duckdb).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')} MB`,
      `JS heap slope             ${heapSlope.toFixed(2)} MB/min`,
      `resident by kind, slopes  ${(['glibcArenas', 'brk', 'otherAnon', 'files'] as const).map((k) => `${k} ${slopePerMin(after.map((s) => ({ x: s.atMin, y: s.resident[k] }))).toFixed(2)}`).join(', ')} MB/min; V8 malloc ${slopePerMin(after.map((s) => ({ x: s.atMin, y: s.v8MallocMb }))).toFixed(2)} MB/min`,
      `DuckDB-held memory slope  ${duckdbSlope().toFixed(2)} MB/min, of which the event_id index (ART_INDEX) ${duckdbSlope('ART_INDEX').toFixed(2)} MB/min`,
      `WAL                       ${last.walMb.toFixed(1)} MB at the end, ${maxWal.toFixed(1)} MB at most`,
      `RSS                       ${samples[0]?.rssMb.toFixed(0)} MB at the start, ${last.rssMb.toFixed(0)} MB at the end`,
      `events                    ${last.emitted} emitted, ${ingested.stored} stored (${(ingested.stored / (MINUTES * 60)).toFixed(0)}/s)`,
      `log lines with errors     ${problems.length}${problems.length ? `: ${problems.slice(0, 3).join(' | ')}` : ''}`,
      '',
    ].join('\n'),
  );
  if (!(rssSlope < TARGET_RSS_MB_PER_MIN)) process.exitCode = 1;
}

// `npm start` runs the stack with glibc's arenas limited (cli/local/allocator.ts); glibc reads
// MALLOC_ARENA_MAX when a process starts, so the soak runs itself again with it, as npm start
// would. SOAK_ALLOCATOR=glibc-default soaks with glibc's default arenas instead (as a plain
// `npx obs start` runs), and an explicit MALLOC_ARENA_MAX is kept.
if (process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined && process.env.SOAK_ALLOCATOR !== 'glibc-default') {
  const again = spawnSync(process.execPath, [...process.execArgv, __filename], { stdio: 'inherit', env: { ...process.env, MALLOC_ARENA_MAX: STACK_MALLOC_ARENA_MAX } });
  process.exit(again.status ?? 1);
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
