import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import type { CommandIo } from '../../../cli/command';
import { startStack, type RunningStack } from '../../../cli/local/stack';
import { stackFilePath } from '../../../cli/local/stack-file';
import { loadConfig } from '../../../shared';
import { describeWithEmulator } from '../../support/emulator-env';

const root = join(__dirname, '..', '..', '..');

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describeWithEmulator('PUBSUB_EMULATOR_HOST', 'obs start, the local stack', (host) => {
  // Generous: on a busy 2-core machine the demo's steps each take longer; every wait is for a condition.
  jest.setTimeout(420_000);

  it('runs the demo: the wallet incident fires the P0, notifications land in the outbox, the banner turns RED and then GREEN again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-start-'));
    const lines: string[] = [];
    const outbox = join(dir, 'outbox.jsonl');
    let stack: RunningStack | undefined;
    try {
      stack = await startStack({
        config: { ...loadConfig({}), duckdbPath: join(dir, 'observability.duckdb'), port: 0, pubsubEmulatorHost: host, projectId: 'obs-test', metricsTopic: `metrics-start-${Date.now()}` },
        demo: true,
        demoClock: { leadMs: 30 * 60_000, speed: 40 },
        backfillDays: 1,
        schedulerIntervalMs: 1_500,
        trafficIntervalMs: 250,
        outboxPath: outbox,
        runCommand: (args, io, app) => main(args, io, app),
        log: (line) => void lines.push(line),
        progress: () => undefined,
      });
      expect(stack.transport).toBe('pubsub-emulator');
      const seen = (text: string) => lines.some((l) => l.includes(text));
      await waitFor('the banner to turn GREEN', () => seen('→ GREEN'), 60_000);
      await waitFor('the P0 to fire', () => seen('alert wallet-spend-failures-critical: inactive → firing') || seen('pending → firing'), 60_000);
      await waitFor('the banner to turn RED', () => seen('GREEN → RED'), 90_000);
      const notified = (readFileSync(outbox, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { channel: string; notifications: Array<{ kind: string; fingerprint: string }> }));
      expect(notified.filter((n) => n.notifications.some((x) => x.kind === 'firing' && x.fingerprint.startsWith('wallet-spend-failures-critical'))).map((n) => n.channel).sort()).toEqual(['finance-email', 'oncall-slack', 'pagerduty']);
      await waitFor('the P0 to resolve', () => seen('wallet-spend-failures-critical: firing → resolved'), 90_000);
      // GREEN again after the RED: straight from RED, or through YELLOW while a ticket-tier alert of the
      // incident (a P3 burn ticket or budget forecast) is still resolving.
      const greenAgain = () => {
        const red = lines.findIndex((l) => l.includes('GREEN → RED'));
        return red >= 0 && lines.slice(red + 1).filter((l) => /banner \S+ → /.test(l)).at(-1)?.endsWith('→ GREEN') === true;
      };
      await waitFor('the banner to turn GREEN again', greenAgain, 90_000).catch((error: unknown) => {
        // What kept it from GREEN: the banner changes and the alert transitions the stack logged.
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n${lines.filter((l) => /banner|alert /.test(l)).slice(-25).join('\n')}`);
      });
      const response = await fetch(`${stack.url}/health/public`);
      expect(response.status).toBe(200);
    } finally {
      await stack?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('obs start --no-demo serves the health endpoints, other obs commands run through it, and Ctrl-C stops it cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-start-'));
    const duckdbPath = join(dir, 'observability.duckdb');
    const gateToken = 'obs-start-gate-token-0123456789';
    const env = { ...process.env, OBS_DUCKDB_PATH: duckdbPath, PORT: '0', PUBSUB_EMULATOR_HOST: host, GOOGLE_CLOUD_PROJECT: 'obs-test', METRICS_TOPIC: `metrics-start-${Date.now()}`, OBS_GATE_TOKEN: gateToken };
    let output = '';
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli', 'obs.ts'), 'start', '--no-demo'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => void (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => void (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await waitFor('the banner', () => /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1], 60_000);
      expect(output).not.toContain('backfilling');
      expect((await fetch(`${url}/health/public`)).status).toBe(200);
      expect((await fetch(`${url}/api/dashboard`)).status).toBe(401);

      // The file is held by the stack; `obs slo status` from this (another) process runs inside it.
      const saved = process.env.OBS_DUCKDB_PATH;
      process.env.OBS_DUCKDB_PATH = duckdbPath;
      const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t + '\n'), err: (t: string) => void (io.stderr += t + '\n') } satisfies CommandIo & Record<string, unknown>;
      try {
        expect(await main(['slo', 'status', '--json'], io)).toBe(0);
      } finally {
        if (saved === undefined) delete process.env.OBS_DUCKDB_PATH;
        else process.env.OBS_DUCKDB_PATH = saved;
      }
      expect(JSON.parse(io.stdout)).toBeDefined();
      expect(io.stdout).toContain('core-api-availability');

      // The release gate (issue #16) on the running stack: over HTTP with the gate token, and
      // `obs slo gate` forwarded into it (no events yet: no data, nothing to deny).
      expect((await fetch(`${url}/api/slo/gate?module=wallet`)).status).toBe(401);
      const gate = await fetch(`${url}/api/slo/gate?module=wallet`, { headers: { authorization: `Bearer ${gateToken}` } });
      expect(gate.status).toBe(200);
      expect(await gate.json()).toMatchObject({ module: 'wallet', decision: 'allow', slos: [{ id: 'wallet-spend-success', status: 'no_data' }] });
      const gateIo = { stdout: '', out: (t: string) => void (gateIo.stdout += t + '\n'), err: () => undefined };
      process.env.OBS_DUCKDB_PATH = duckdbPath;
      try {
        expect(await main(['slo', 'gate', '--module', 'wallet', '--json'], gateIo)).toBe(0);
      } finally {
        if (saved === undefined) delete process.env.OBS_DUCKDB_PATH;
        else process.env.OBS_DUCKDB_PATH = saved;
      }
      expect(JSON.parse(gateIo.stdout)).toMatchObject({ module: 'wallet', decision: 'allow' });

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('stopped cleanly');
      expect(existsSync(stackFilePath(duckdbPath))).toBe(false);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
