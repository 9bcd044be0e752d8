/**
 * `npm run bench -- pii`: the PII guard's cost per call, today's guard (commit def52d7, before
 * issue 17) beside the new one, in one process, interleaved: ns per call, median of ROUNDS rounds
 * of CALLS_PER_ROUND calls after WARMUP_ROUNDS warm-up rounds.
 *
 *   tags, clean    findPersonalData on realistic tag values (route templates, features, reasons,
 *                  regions, versions, status codes, durations) — what every distinct tag set costs
 *   tags, personal findPersonalData on values that carry personal data (what gets rejected)
 *   ids, emitter   findPersonalDataInId on the emitter's ids (`<12 base64url>-<base36 counter>`) —
 *                  what ingest pays per event; def52d7 had no id check, so its column shows its
 *                  tag guard on the same ids, the nearest thing it had
 *   ids, UUID      the same on UUID ids (other producers; the ingest bench's ids)
 *
 * Both guards run as production runs them: compiled by TypeScript to CommonJS (lib/ is built by
 * tsc), each into a temporary directory — the old one from git (`git show
 * def52d7:shared/pii-guard.ts`), the new one from shared/. (Under tsx, esbuild's module interop
 * turns every cross-module call into a getter call, which would charge the new guard's small
 * modules ~4× for how the bench loads them rather than for what they do.)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';

const OLD_COMMIT = 'def52d7';
const CALLS_PER_ROUND = 200_000;
const WARMUP_ROUNDS = 3;
const ROUNDS = 11;

type Guard = (value: string) => string | undefined;

const CLEAN_TAGS = [
  '/api/users/:id/profile', '/v1/wallet/spend', '/api/messages/:id', '/v2/orders/:orderId/items', 'chat', 'ai_companion',
  'video', 'insufficient_funds', 'limit_reached', 'p2p-transfer', 'europe-west1', 'us-central1', '1.2.3', '4.12.0', '503',
  '5xx', 'GET', 'POST', 'ios', 'android', 'web', '250ms', 'gpt-4o-mini-2024-07-18', 'product.wallet.spend', 'HTTP/2',
  'premium', 'timeout', 'stripe', 'fcm', 'production', 'core', 'p99',
];
const PERSONAL_TAGS = [
  'jane.doe@example.com', '/users/jane%40example.com/profile', '4111 1111 1111 1111', '+1 (415) 555-2671', 'ip:10.0.0.1',
  'ip:2001:db8::1', '/api/users/81234567', '9b2f6a0e-8c1d-4e3f-a5b6-c7d8e9f0a1b2', '507f1f77bcf86cd799439011',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl',
];
const emitterPrefix = randomBytes(9).toString('base64url') + '-';
const EMITTER_IDS = Array.from({ length: 1024 }, (_, i) => emitterPrefix + (1_000_000 + i * 97).toString(36));
const UUID_IDS = Array.from({ length: 1024 }, () => randomUUID());

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

let sink = 0;
function nsPerCall(guard: Guard, values: readonly string[]): number {
  const pick = (i: number) => values[i % values.length] as string;
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS_PER_ROUND; i++) if (guard(pick(i)) === undefined) sink++;
  return Number(process.hrtime.bigint() - started) / CALLS_PER_ROUND;
}

const ROOT = join(__dirname, '..');

/** Writes `files` (path → TypeScript source) compiled to CommonJS under `dir`, and requires `entry`. */
function compileAndLoad<T>(dir: string, files: Record<string, string>, entry: string): T {
  for (const [path, source] of Object.entries(files)) {
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
    const out = join(dir, path.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  return createRequire(join(dir, 'index.js'))(join(dir, entry)) as T;
}

interface Guards {
  findPersonalData: Guard;
  findPersonalDataInId: Guard;
}

function loadGuards(dir: string): { old: Guard; current: Guards } {
  const oldSource = execFileSync('git', ['show', `${OLD_COMMIT}:shared/pii-guard.ts`], { cwd: ROOT, encoding: 'utf8' });
  const old = compileAndLoad<Guards>(join(dir, 'old'), { 'shared/pii-guard.ts': oldSource }, 'shared/pii-guard.js');
  const files: Record<string, string> = { 'shared/pii-guard.ts': readFileSync(join(ROOT, 'shared/pii-guard.ts'), 'utf8') };
  for (const name of readdirSync(join(ROOT, 'shared/pii'))) {
    if (name.endsWith('.ts')) files[`shared/pii/${name}`] = readFileSync(join(ROOT, 'shared/pii', name), 'utf8');
  }
  const current = compileAndLoad<Guards>(join(dir, 'new'), files, 'shared/pii-guard.js');
  return { old: old.findPersonalData, current };
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'pii-bench-'));
  try {
    const { old: oldGuard, current: guards } = loadGuards(dir);
    const { findPersonalData, findPersonalDataInId } = guards;
    const cases: Array<{ label: string; values: readonly string[]; old: Guard; current: Guard }> = [
      { label: 'tags, clean (findPersonalData)', values: CLEAN_TAGS, old: oldGuard, current: findPersonalData },
      { label: 'tags, personal (findPersonalData)', values: PERSONAL_TAGS, old: oldGuard, current: findPersonalData },
      { label: 'ids, emitter (findPersonalDataInId)', values: EMITTER_IDS, old: oldGuard, current: findPersonalDataInId },
      { label: 'ids, UUID (findPersonalDataInId)', values: UUID_IDS, old: oldGuard, current: findPersonalDataInId },
    ];
    process.stdout.write(`PII guard: ns per call, median of ${ROUNDS} rounds of ${fmt(CALLS_PER_ROUND)} calls (old = ${OLD_COMMIT})\n\n`);
    process.stdout.write(`${'case'.padEnd(40)}${'old ns'.padStart(10)}${'new ns'.padStart(10)}${'new/old'.padStart(10)}\n`);
    for (const c of cases) {
      const old: number[] = [];
      const current: number[] = [];
      for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
        gc();
        const o = nsPerCall(c.old, c.values);
        gc();
        const n = nsPerCall(c.current, c.values);
        if (round >= WARMUP_ROUNDS) {
          old.push(o);
          current.push(n);
        }
      }
      const o = median(old);
      const n = median(current);
      process.stdout.write(`${c.label.padEnd(40)}${fmt(o).padStart(10)}${fmt(n).padStart(10)}${fmt(n / o, 2).padStart(10)}\n`);
    }
    process.stdout.write(`\n(def52d7 checked no ids: ingest paid 0 ns per id then; the "new" id column is the whole added cost.)\n`);
    if (sink < 0) process.stdout.write('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
