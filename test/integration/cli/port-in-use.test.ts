import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { startStack } from '../../../cli/local/stack';
import { stackFilePath } from '../../../cli/local/stack-file';
import { loadConfig } from '../../../shared';
import { describeWithEmulator } from '../../support/emulator-env';

jest.setTimeout(120_000);

const root = join(__dirname, '..', '..', '..');

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.end());
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

/** Processes whose environment carries `marker` (the CLI and anything it started, such as an emulator JVM). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Opens the DuckDB file from another process: it succeeds only when no process holds the file's lock. */
function openFromAnotherProcess(path: string): { status: number | null; output: string } {
  const script = `require('@duckdb/node-api').DuckDBInstance.create(${JSON.stringify(path)}).then(async (db) => { const c = await db.connect(); await c.run('SELECT 1'); c.closeSync(); db.closeSync(); console.log('opened'); }, (e) => { console.error(e.message); process.exit(3); });`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('obs start when its port is taken', () => {
  it('exits non-zero naming the port and PORT, and leaves no process, lock or stack file behind', async () => {
    const { server, port } = await occupy();
    const dir = mkdtempSync(join(tmpdir(), 'obs-port-'));
    const duckdbPath = join(dir, 'observability.duckdb');
    const marker = `OBS_PORT_TEST_${randomUUID()}`;
    // No PUBSUB_EMULATOR_HOST: a stack that got past the port would start an emulator of its own,
    // which would inherit the marker and be found below.
    const env: NodeJS.ProcessEnv = { ...process.env, OBS_DUCKDB_PATH: duckdbPath, PORT: String(port), [marker]: '1' };
    delete env.PUBSUB_EMULATOR_HOST;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli', 'obs.ts'), 'start', '--no-demo'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => void (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => void (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.once('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      expect(code).toBe(1);
      expect(output).toContain(`obs start: port ${port} is in use`);
      expect(output).toContain('set PORT to another port');
      expect(output).not.toContain('Observability stack running');
      expect(processesWith(marker)).toEqual([]);
      expect(existsSync(stackFilePath(duckdbPath))).toBe(false);
      expect(openFromAnotherProcess(duckdbPath)).toEqual({ status: 0, output: 'opened\n' });
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithEmulator('PUBSUB_EMULATOR_HOST', 'obs start failing after it opened the warehouse', (host) => {
  it('releases the DuckDB file, the HTTP port and the stack file before the error reaches the caller', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-undo-'));
    const duckdbPath = join(dir, 'observability.duckdb');
    const { server, port } = await occupy();
    await new Promise((resolve) => server.close(resolve)); // a port that was free a moment ago
    try {
      // A topic name Pub/Sub refuses (names need at least 3 characters): the transport fails to
      // open after the warehouse has been opened and the port bound.
      const starting = startStack({
        config: { ...loadConfig({}), duckdbPath, port, pubsubEmulatorHost: host, projectId: 'obs-test', metricsTopic: 'x' },
        demo: false,
        runCommand: (args, io, app) => main(args, io, app),
        log: () => undefined,
        progress: () => undefined,
      });
      await expect(starting).rejects.toThrow();
      expect(openFromAnotherProcess(duckdbPath)).toEqual({ status: 0, output: 'opened\n' });
      expect(existsSync(stackFilePath(duckdbPath))).toBe(false);
      const rebound = createServer();
      await new Promise<void>((resolve, reject) => rebound.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
      await new Promise((resolve) => rebound.close(resolve));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
