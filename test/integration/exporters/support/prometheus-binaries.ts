import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Prerequisite } from '../../../support/ci-gate';

/** Debian's binaries (apt: prometheus, prometheus-pushgateway; .ci/run installs them). */
export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';
export const PUSHGATEWAY_BIN = '/usr/bin/prometheus-pushgateway';

export function prometheusBinaries(names: readonly string[] = [PROMETHEUS_BIN, PROMTOOL_BIN, PUSHGATEWAY_BIN]): Prerequisite {
  const missing = names.filter((b) => !existsSync(b));
  return { missing: missing.length > 0 ? `${missing.join(', ')} not installed` : undefined, inCi: '.ci/run must apt-get install prometheus prometheus-pushgateway' };
}

/** A free TCP port on 127.0.0.1 (bound and released: a binary started right after takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs promtool with `args`, `input` on stdin. */
export function promtool(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PROMTOOL_BIN, args, { input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A started binary: its output so far (for failure messages), and stop() (SIGTERM, then SIGKILL). */
export interface RunningBinary {
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function startBinary(bin: string, args: readonly string[]): RunningBinary {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return {
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` with `what`. No fixed sleeps: a short poll. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
}
