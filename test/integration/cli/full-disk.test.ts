import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { startStack, type RunningStack } from '../../../cli/local/stack';
import { loadConfig } from '../../../shared';

jest.setTimeout(120_000);

const KEY = 'full-disk-test-key-7f3a';

/** A tmpfs of `size` at a new folder, or undefined where mounting is not allowed (not root). */
function smallDisk(size: string): { dir: string; unmount(): void } | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'obs-full-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const probe = smallDisk('1m');
probe?.unmount();
const maybe = probe ? describe : describe.skip;

maybe('obs start on a disk that fills up (a small tmpfs; needs root to mount it)', () => {
  it('logs why writes fail, a few lines not one per message, and the warehouse health says error', async () => {
    const disk = smallDisk('8m') as NonNullable<ReturnType<typeof smallDisk>>;
    const lines: string[] = [];
    let stack: RunningStack | undefined;
    try {
      stack = await startStack({
        config: { ...loadConfig({}), duckdbPath: join(disk.dir, 'observability.duckdb'), port: 0, internalHealthApiKey: KEY },
        demo: false,
        useEmulator: false,
        // One stored row per call, so the disk fills (aggregated, these calls would be a few rows a second).
        emitterAggregation: 'none',
        runCommand: (args, io, app) => main(args, io, app),
        log: (line) => void lines.push(line),
        progress: () => undefined,
      });
      const running = stack;
      const failing = () => lines.some((l) => /write failed|warehouse kept failing|not stored/.test(l));
      // Not flush(): with writes failing it would wait out the emitter's retry window.
      for (let round = 0; round < 600 && !failing(); round++) {
        for (let i = 0; i < 2_000; i++) void running.emitter.count('product.chat.message.count', 1, { channel: 'dm', message_type: 'text' });
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 3_000)); // a few more failures to fold
      expect(failing()).toBe(true);
      const failures = lines.filter((l) => /write failed|kept failing|not stored|giving up/.test(l));
      // Each line says why: DuckDB's own words for a full disk.
      expect(failures.every((l) => /No space left on device|Could not write|database has been invalidated/i.test(l))).toBe(true);
      // Many messages failed; their lines are folded into a few.
      expect(failures.length).toBeLessThan(20);

      const response = await fetch(`${running.url}/health/internal`, { headers: { 'x-internal-key': KEY } });
      const body = (await response.json()) as { components: Array<{ name: string; status: string; detail?: string }> };
      const warehouse = body.components.find((c) => c.name === 'warehouse');
      expect(warehouse?.status).toBe('error');
      expect(warehouse?.detail).toMatch(/No space left on device|Could not write|invalidated/i);
    } finally {
      await stack?.stop().catch(() => undefined);
      disk.unmount();
      if (process.env.SHOW_LOGS) process.stdout.write(lines.join('\n') + '\n');
    }
  });
});
