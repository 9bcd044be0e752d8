import { main } from '../../cli/obs';
import { startStack, type RunningStack } from '../../cli/local/stack';
import { loadConfig } from '../../shared';

/**
 * A quiet `obs start` on `duckdbPath` (no demo, no scheduler, the in-process transport, any free
 * port) that records each command other shells forward into it (POST /api/cli), as `args.join(' ')`.
 * The tests of commands that must run inside the stack while it holds the DuckDB file use it.
 */
export async function startForwardingStack(duckdbPath: string): Promise<{ stack: RunningStack; forwarded: string[] }> {
  const forwarded: string[] = [];
  const stack = await startStack({
    config: { ...loadConfig({}), duckdbPath, port: 0 },
    demo: false,
    useEmulator: false,
    schedulerIntervalMs: 0,
    runCommand: (args, io, app) => {
      forwarded.push(args.join(' '));
      return main(args, io, app);
    },
    log: () => undefined,
    progress: () => undefined,
  });
  return { stack, forwarded };
}
