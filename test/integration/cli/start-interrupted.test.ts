import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(__dirname, '..', '..', '..');
// The TypeScript loader by path: the child runs in a temporary directory (its .data, its outbox).
const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/**
 * Ctrl-C while `obs start` is still starting (the demo's 30-day backfill, a minute or more on a
 * slow machine): the stop waits for start-up to finish, so the user is told so at once instead of
 * seeing nothing happen; then the stack stops cleanly. In-process queue: no emulator to orphan.
 */
describe('obs start: Ctrl-C during the demo backfill', () => {
  jest.setTimeout(600_000);

  it('says the stop waits for start-up, then stops cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-start-int-'));
    const env: NodeJS.ProcessEnv = { ...process.env, OBS_DUCKDB_PATH: join(dir, 'observability.duckdb'), PORT: '0', GOOGLE_CLOUD_PROJECT: 'obs-test' };
    delete env.PUBSUB_EMULATOR_HOST;
    const child = spawn(process.execPath, ['--import', tsx, join(root, 'cli', 'obs.ts'), 'start', '--no-emulator'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => void (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (output += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const until = async (what: string, test: () => boolean) => {
      while (!test()) {
        const done = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 200))]);
        if (done && !test()) throw new Error(`obs start exited before ${what}:\n${output}`);
      }
    };
    try {
      await until('the backfill began', () => output.includes('backfilling'));
      child.kill('SIGINT');
      await until('it answered the Ctrl-C', () => output.includes('obs start: SIGINT:'));
      // Said at once, while the backfill still runs: not the usual "flushing and shutting down".
      expect(output).toContain('obs start: SIGINT: stopping once start-up (the demo history backfill) has finished; Ctrl-C twice more forces an exit');
      expect(output).not.toContain('history ready');
      const exit = await exited;
      expect(output).toContain('obs start: stopped cleanly.');
      // Exits on its own after the backfill, not killed by the signal.
      expect(exit.signal).toBeNull();
      expect([0, 130]).toContain(exit.code);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
