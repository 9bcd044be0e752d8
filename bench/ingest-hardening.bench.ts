/**
 * `npm run bench -- ingest-hardening`: what the hostile-input checks of issue 17 cost ingest,
 * side by side in one run: today's ingest (commit def52d7, before the checks) against the working
 * tree's, on the same messages.
 *
 * The old code is taken from git (`git archive <commit> shared ingest sql`), the new from the
 * working tree; both are compiled the way `npm run build` compiles them (TypeScript to CommonJS,
 * file by file) into a temporary folder and loaded side by side. Not through tsx: its esbuild
 * output reaches every imported function through a getter, a cost production does not pay and
 * that falls unevenly on code split into small modules. Each side has its own decoder, handler and
 * DuckDB file (the same messages go into both, so both store every event). Rounds alternate which
 * side goes first, so neither always runs on a warmer or busier machine.
 *
 * Two measures, median of rounds 2… (round 1 warms the JIT and the tag-set cache):
 *   1. decode + validate only (MessageDecoder.decode): where the new checks live;
 *   2. the whole handler (decode, validate, PII guard, rows, DuckDB insert with dedup).
 * Reported as events/s of wall time and CPU µs per event (user + system, all threads: robust to
 * other processes on the shared cores). Target: the hardened ingest within 10% of today's.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import type { IngestHandler, IngestMessage, MessageDecoder } from '../ingest';
import type { DuckDbWarehouse } from '../sql/duckdb/duckdb-warehouse';
import { makeMessages } from './ingest-workload';

const BASELINE_COMMIT = 'def52d7';
const ROUNDS = 9;
const MESSAGES_PER_ROUND = 60;
const EVENTS_PER_MESSAGE = 1_000; // emitter-sized messages (emitter/options.ts)
const MESSAGES_PER_WRITE = 10;
const TARGET_SLOWDOWN = 0.1;

/** What both sides expose: the same public shapes, loaded from two source trees. */
interface Side {
  readonly label: string;
  readonly decoder: { decode(data: Uint8Array | string, nowMs: number): { valid: readonly unknown[]; rejected: readonly unknown[] } };
  readonly handler: { handleBatch(messages: readonly IngestMessage[]): Promise<{ stored: number; deadLettered: number }> };
  close(): Promise<void>;
}

interface Cost {
  eventsPerSecond: number;
  cpuUs: number;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function measure(events: number, work: () => Promise<void> | void): Promise<Cost> {
  global.gc?.();
  const wall0 = performance.now();
  const cpu0 = cpuMs();
  await work();
  const wallMs = performance.now() - wall0;
  return { eventsPerSecond: (events * 1000) / wallMs, cpuUs: ((cpuMs() - cpu0) * 1000) / events };
}

const REPO = join(__dirname, '..');
const TREES = ['shared', 'ingest', 'sql'];

/** `shared`, `ingest` and `sql` as they were at `commit`. */
function checkoutBaseline(dir: string): string {
  const root = join(dir, 'baseline-src');
  mkdirSync(root, { recursive: true });
  const archive = execFileSync('git', ['archive', BASELINE_COMMIT, ...TREES], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', root], { input: archive });
  return root;
}

/** Compiles every .ts file of the trees under `source` to CommonJS under `out`, as tsc would; `out` resolves our node_modules. */
function compileTrees(source: string, out: string): string {
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(folder, entry.name)) : entry.name.endsWith('.ts') ? [join(folder, entry.name)] : []));
  const compilerOptions: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, isolatedModules: true };
  for (const file of TREES.flatMap((tree) => walk(join(source, tree)))) {
    const target = join(out, relative(source, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions, fileName: file }).outputText);
  }
  symlinkSync(join(REPO, 'node_modules'), join(out, 'node_modules'), 'dir');
  return out;
}

interface Modules {
  readonly IngestHandler: typeof IngestHandler;
  readonly MessageDecoder: typeof MessageDecoder;
  readonly DuckDbWarehouse: typeof DuckDbWarehouse;
  readonly silentIngestLog: () => void;
}

function load(root: string): Modules {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- compiled CommonJS, loaded at run time
  const from = (path: string) => require(join(root, path)) as Record<string, unknown>;
  return {
    IngestHandler: from('ingest/ingest-handler.js').IngestHandler as typeof IngestHandler,
    MessageDecoder: from('ingest/message-decoder.js').MessageDecoder as typeof MessageDecoder,
    DuckDbWarehouse: from('sql/duckdb/duckdb-warehouse.js').DuckDbWarehouse as typeof DuckDbWarehouse,
    silentIngestLog: from('ingest/ingest-log.js').silentIngestLog as () => void,
  };
}

async function openSide(label: string, dir: string, modules: Modules): Promise<Side> {
  const warehouse = await modules.DuckDbWarehouse.open(join(dir, `${label.split(' ')[0]}.duckdb`));
  await warehouse.createSchema();
  const handler = new modules.IngestHandler({ warehouse, log: modules.silentIngestLog });
  return { label, decoder: new modules.MessageDecoder(), handler, close: () => warehouse.close() };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-bench-hardening-'));
  const loadStart = loadavg();
  try {
    const baseline = await openSide(`today (${BASELINE_COMMIT})`, dir, load(compileTrees(checkoutBaseline(dir), join(dir, 'baseline'))));
    const hardened = await openSide('hardened (working tree)', dir, load(compileTrees(REPO, join(dir, 'hardened'))));
    const sides = [baseline, hardened];
    const decodeCosts = new Map<Side, Cost[]>(sides.map((s) => [s, []]));
    const ingestCosts = new Map<Side, Cost[]>(sides.map((s) => [s, []]));
    const events = MESSAGES_PER_ROUND * EVENTS_PER_MESSAGE;
    process.stdout.write(`${ROUNDS} rounds of ${fmt(events, 0)} events (messages of ${EVENTS_PER_MESSAGE}, ids are UUIDs), each side its own DuckDB file:\n`);
    for (let round = 0; round < ROUNDS; round++) {
      const now = Date.now();
      const messages = makeMessages(MESSAGES_PER_ROUND, EVENTS_PER_MESSAGE, `r${round}`, now);
      const bytes = messages.map((m) => ({ ...m, data: Buffer.from(m.data) }));
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        decodeCosts.get(side)?.push(
          await measure(events, () => {
            for (const m of bytes) {
              const decoded = side.decoder.decode(m.data, now);
              if (decoded.valid.length !== EVENTS_PER_MESSAGE) throw new Error(`${side.label}: decoded ${decoded.valid.length} valid events, rejected ${decoded.rejected.length}`);
            }
          }),
        );
      }
      for (const side of order) {
        ingestCosts.get(side)?.push(
          await measure(events, async () => {
            for (let i = 0; i < bytes.length; i += MESSAGES_PER_WRITE) {
              const outcome = await side.handler.handleBatch(bytes.slice(i, i + MESSAGES_PER_WRITE));
              if (outcome.stored !== MESSAGES_PER_WRITE * EVENTS_PER_MESSAGE) throw new Error(`${side.label}: stored ${outcome.stored}, dead-lettered ${outcome.deadLettered}`);
            }
          }),
        );
      }
      const line = sides.map((s) => `${s.label}: decode ${fmt(decodeCosts.get(s)?.[round]?.cpuUs ?? NaN)} µs, ingest ${fmt(ingestCosts.get(s)?.[round]?.cpuUs ?? NaN)} µs CPU/event`);
      process.stdout.write(`  round ${round + 1}: ${line.join('; ')}\n`);
    }
    for (const side of sides) await side.close();

    const steady = (xs: Cost[]): Cost => ({ eventsPerSecond: median(xs.slice(1).map((x) => x.eventsPerSecond)), cpuUs: median(xs.slice(1).map((x) => x.cpuUs)) });
    const rows: string[] = ['', '| path (median of rounds 2…) | today events/s | hardened events/s | throughput hardened / today | today CPU µs/event | hardened CPU µs/event |', '|---|---:|---:|---:|---:|---:|'];
    let missed = 0;
    for (const [label, costs] of [
      ['decode + validate (MessageDecoder)', decodeCosts],
      ['whole handler into DuckDB (IngestHandler.handleBatch)', ingestCosts],
    ] as const) {
      const [old, now] = [steady(costs.get(baseline) ?? []), steady(costs.get(hardened) ?? [])];
      const ratio = now.eventsPerSecond / old.eventsPerSecond;
      if (label.startsWith('whole') && ratio < 1 - TARGET_SLOWDOWN) missed++;
      rows.push(`| ${label} | ${fmt(old.eventsPerSecond, 0)} | ${fmt(now.eventsPerSecond, 0)} | **${fmt(ratio, 3)}** | ${fmt(old.cpuUs)} | ${fmt(now.cpuUs)} |`);
    }
    process.stdout.write(rows.join('\n') + '\n\n');
    process.stdout.write(`Machine load average (1 min) at start ${fmt(loadStart[0] ?? NaN)}, at end ${fmt(loadavg()[0] ?? NaN)} on ${cpus().length} cores: other processes share these cores.\n`);
    process.stdout.write(missed === 0 ? `Target met: the hardened handler's throughput is within ${TARGET_SLOWDOWN * 100}% of today's.\n` : `Target missed: the hardened handler is more than ${TARGET_SLOWDOWN * 100}% slower than today's on this run.\n`);
    process.exitCode = missed === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
