import { parseArgs } from 'node:util';
import { loadConfig } from '../../shared';
import { EXIT_USAGE, type Command, type CommandContext } from '../command';
import { startStack, type RunningStack } from '../local/stack';

/**
 * `obs start [--no-demo] [--no-emulator]`: the whole pipeline on this machine, until Ctrl-C.
 * Demo traffic by default (every module, plus a wallet incident that fires and resolves the P0);
 * `--no-demo` runs quietly for real use.
 */
export const startCommand: Command = {
  name: 'start',
  usage: 'obs start [--no-demo] [--no-emulator]',
  summary: 'Run the whole pipeline locally: ingest, aggregation, alerts, health endpoints, dashboard (demo traffic unless --no-demo)',
  async run(args, io, context?: CommandContext) {
    let values: { 'no-demo'?: boolean; 'no-emulator'?: boolean };
    try {
      values = parseArgs({ args, options: { 'no-demo': { type: 'boolean' }, 'no-emulator': { type: 'boolean' } } }).values;
    } catch (error) {
      io.err(`obs start: ${(error as Error).message}\nusage: ${this.usage}`);
      return EXIT_USAGE;
    }
    const tty = process.stdout.isTTY;
    let lastProgress = 0;
    // Commands forwarded by other shells (POST /api/cli) run through main's own dispatcher, handed
    // over in the context: no import of cli/obs.ts here, so no cycle.
    if (!context) throw new Error('obs start runs through obs main (cli/obs.ts), which passes the command context');
    // Ctrl-C reaches this process more than once (the terminal signals the whole process group
    // and npm forwards it too): the first starts a clean shutdown, further ones are counted, the
    // third forces an exit (the exit hook still kills the emulator). The handlers go in before the
    // stack starts: a Ctrl-C during startup (the demo backfill) lets it finish starting and then
    // stops it, instead of killing this process and orphaning the emulator it started.
    let signals = 0;
    let requestStop: () => void = () => undefined;
    const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        io.out(`${tty ? '\n' : ''}obs start: ${signal}: flushing and shutting down…`);
        requestStop();
      } else if (signals >= 3) {
        io.err('obs start: forced exit before the shutdown finished');
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let stack: RunningStack;
    try {
      stack = await startStack({
        config: loadConfig(),
        demo: !values['no-demo'],
        useEmulator: !values['no-emulator'],
        runCommand: (a, commandIo, app) => context.runCommand(a, commandIo, app),
        log: (line) => io.out(tty ? `\r\x1b[K${line}` : line),
        progress: (line) => {
          if (tty) process.stdout.write(`\r\x1b[K${line}`);
          else if (Date.now() - lastProgress >= 30_000) {
            lastProgress = Date.now();
            io.out(line);
          }
        },
      });
    } catch (error) {
      // startStack has released whatever it opened; the caller prints the reason and exits 1.
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      throw error;
    }
    await stopRequested;
    await stack.stop();
    io.out('obs start: stopped cleanly.');
    return 0;
  },
};
