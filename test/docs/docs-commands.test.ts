import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentedCommands, type DocCommand } from './doc-commands';
import { NOT_RUN } from './not-run';

/**
 * Docs as tests (issue 12): every shell command in README.md and docs/*.md runs here exactly as
 * written — in a fresh copy of the working tree (its own .data, lib and hosting/public; the
 * repository's node_modules linked in), as a newcomer's shell would run it — and exits 0, or the
 * status the docs give it (EXIT_STATUS). What cannot run here is listed in not-run.ts with the
 * reason; anything else fails this test, so a new doc command is either runnable or explained.
 */
const REPO = join(__dirname, '..', '..');

/** Run first: everything after uses lib/ (README: "After `npm ci && npm run build`, `npx obs --help` lists the commands"). */
const FIRST = ['npm run build'];
/** Long-running: started, checked to come up (banner, /health/public), then stopped with Ctrl-C (runLongRunning). */
const LONG_RUNNING = /^(?:npx obs start|npm start)\b/;
/** Run while a stack started by a LONG_RUNNING command is up (`obs emit` goes through the running stack). */
const WITH_STACK = new Set(['npx obs emit product.wallet.spend.success --tag feature=chat']);
/** Documented exit statuses other than 0, with where the docs say so. */
const EXIT_STATUS = new Map<string, { status: number; why: string }>([]);

/** The reader's own file that `obs ingest --file events.ndjson` imports: one valid v1 batch per line (docs/WIRE_FORMAT.md). */
function eventsNdjson(nowMs: number): string {
  const batch = (i: number) => ({
    schema: 'metrics.v1',
    source: { service: 'wallet', environment: 'local' },
    events: [{ id: `docs-${nowMs}-${i}`, name: 'product.wallet.spend.success', kind: 'count', value: 1, ts: nowMs - i * 60_000, tags: { feature: 'chat' } }],
  });
  return [0, 1, 2].map((i) => JSON.stringify(batch(i))).join('\n') + '\n';
}

/**
 * A newcomer's shell: none of the operator's OBS_* settings, channel secrets, emulator hosts or
 * Google Cloud project, and a free port. A stack (LONG_RUNNING) is given the Pub/Sub emulator of
 * jest's global setup instead of starting a JVM of its own; the commands run beside it are not.
 */
function newcomerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(?:OBS_|OBSERVABILITY_|SLACK_|PAGERDUTY_|SMTP_|INTERNAL_HEALTH_|GOOGLE_CLOUD_PROJECT$|GCLOUD_PROJECT$|PUBSUB_EMULATOR_HOST$|FIRESTORE_EMULATOR_HOST$|JEST_WORKER_ID$)/.test(key)) delete env[key];
  }
  return {
    ...env,
    // Another stack (or test) may hold 8080; the banner prints the port taken.
    PORT: '0',
    // Its own topic on the shared Pub/Sub emulator, so no other suite's subscriber takes its messages.
    METRICS_TOPIC: `metrics-docs-${process.pid}-${Date.now()}`,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

interface Outcome {
  readonly status: number | null;
  readonly output: string;
}

function run(text: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 150_000): Outcome {
  const result = spawnSync('bash', ['-c', text], { cwd, env, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `\n(${result.error.message})` : ''}` };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, log: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; output so far:\n${log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts a long-running command in its own process group, waits for it to serve, runs `during`,
 * then presses Ctrl-C: SIGINT to the whole group, as a terminal does. npm and npx end by that same
 * SIGINT once their child has exited (a shell reports 130), so the outcome is the obs process's own
 * word: it must say it stopped cleanly, and everything in the group must be gone.
 */
async function runLongRunning(text: string, cwd: string, env: NodeJS.ProcessEnv, during: () => void): Promise<Outcome> {
  let output = '';
  const child = spawn('bash', ['-c', text], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => void (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (output += d.toString()));
  // 'close': the pipes are closed, i.e. every process of the group holding them has exited.
  const closed = new Promise<number | null>((resolve) => child.once('close', (code, signal) => resolve(signal === 'SIGINT' ? 130 : code)));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  try {
    const url = await waitFor('the banner (dashboard URL)', () => /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1], 120_000, () => output);
    await waitFor('GET /health/public to answer 200', () => fetch(`${url}/health/public`).then((r) => r.status === 200, () => false), 60_000, () => output);
    during();
    signalGroup('SIGINT');
    const status = await Promise.race([closed, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000).unref())]);
    if (status === 'hung') return { status: null, output: `${output}\n(still running 60 s after Ctrl-C)` };
    const clean = /obs start: stopped cleanly\./.test(output);
    if (clean && (status === 0 || status === 130)) return { status: 0, output };
    return { status: status === 0 ? null : status, output: `${output}\n(after Ctrl-C: exit ${status}${clean ? '' : ', and no "obs start: stopped cleanly."'})` };
  } finally {
    signalGroup('SIGKILL');
  }
}

const commands = documentedCommands(REPO);
/** Each distinct command once, with every place it is shown. */
const distinct = new Map<string, DocCommand[]>();
for (const c of commands) distinct.set(c.text, [...(distinct.get(c.text) ?? []), c]);
const runnable = [...distinct.keys()].filter((text) => !NOT_RUN.has(text));
const ordered = [...FIRST.filter((t) => runnable.includes(t)), ...runnable.filter((t) => !FIRST.includes(t) && !WITH_STACK.has(t) && !LONG_RUNNING.test(t)), ...runnable.filter((t) => LONG_RUNNING.test(t))];
const places = (text: string) => (distinct.get(text) ?? []).map((c) => c.where).join(', ');

describe('every command in README.md and docs/*.md runs as written', () => {
  jest.setTimeout(300_000);
  let sandbox = '';
  let env: NodeJS.ProcessEnv = {};

  beforeAll(() => {
    sandbox = mkdtempSync(join(tmpdir(), 'obs-docs-'));
    const skip = new Set(['node_modules', '.git', '.data', 'lib', 'coverage']);
    cpSync(REPO, sandbox, { recursive: true, filter: (source) => !skip.has(source.slice(REPO.length + 1).split('/')[0]!) });
    symlinkSync(join(REPO, 'node_modules'), join(sandbox, 'node_modules'), 'dir');
    writeFileSync(join(sandbox, 'events.ndjson'), eventsNdjson(Date.now()));
    env = newcomerEnv();
  });
  afterAll(() => {
    if (sandbox) rmSync(sandbox, { recursive: true, force: true });
  });

  it('finds the commands, and every one is either run here or listed with a reason in not-run.ts', () => {
    expect(runnable.length).toBeGreaterThan(10);
    for (const text of WITH_STACK) expect(runnable).toContain(text);
    // Every listed command still appears in the docs (a stale entry would hide nothing, but misleads).
    expect([...NOT_RUN.keys()].filter((text) => !distinct.has(text))).toEqual([]);
    // A usage line's runnable form is itself shown in the docs and run here.
    const usageOf = [...NOT_RUN.entries()].flatMap(([text, n]) => ('usageOf' in n ? [{ text, runnable: n.usageOf }] : []));
    expect(usageOf.filter((u) => !runnable.includes(u.runnable))).toEqual([]);
  });

  it.each(ordered.map((text) => [text]))('%s', async (text) => {
    const expected = EXIT_STATUS.get(text)?.status ?? 0;
    let outcome: Outcome;
    if (LONG_RUNNING.test(text)) {
      const alongside: Array<{ text: string; outcome: Outcome }> = [];
      // The commands that need a running stack run inside the first long-running command.
      const first = ordered.find((t) => LONG_RUNNING.test(t)) === text;
      const stackEnv = process.env.PUBSUB_EMULATOR_HOST ? { ...env, PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST } : env;
      outcome = await runLongRunning(text, sandbox, stackEnv, () => {
        if (first) for (const t of WITH_STACK) alongside.push({ text: t, outcome: run(t, sandbox, env) });
      });
      for (const a of alongside) {
        const status = EXIT_STATUS.get(a.text)?.status ?? 0;
        if (a.outcome.status !== status) throw new Error(`\`${a.text}\` (${places(a.text)}, run while \`${text}\` was up) exited ${a.outcome.status}, expected ${status}:\n${a.outcome.output}`);
      }
    } else outcome = run(text, sandbox, env);
    if (outcome.status !== expected) throw new Error(`\`${text}\` (${places(text)}) exited ${outcome.status}, expected ${expected}:\n${outcome.output}`);
  });
});
