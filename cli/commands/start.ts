import { parseArgs } from 'node:util';
import { loadConfig } from '../../shared';
import { EXIT_USAGE, formatHelp, type Command, type CommandContext, type CommandIo } from '../command';
import { stackFilePath } from '../local/stack-file';
import { startStack, type RunningStack } from '../local/stack';

/** `--json`: every line `obs start` prints becomes one JSON object per line (JSON lines) on stdout. */
function jsonLines(io: CommandIo): (type: string, fields: Record<string, unknown>) => void {
  return (type, fields) => io.out(JSON.stringify({ type, at: new Date().toISOString(), ...fields }));
}

/**
 * `obs start [--no-demo] [--no-emulator] [--json]`: the whole pipeline on this machine, until Ctrl-C.
 * Demo traffic by default (every module, plus a wallet incident that fires and resolves the P0);
 * `--no-demo` runs quietly for real use.
 */
export const startCommand: Command = {
  name: 'start',
  usage: 'obs start [--no-demo] [--no-emulator] [--json]',
  summary: 'Run the whole pipeline locally: ingest, aggregation, alerts, health endpoints, dashboard (demo traffic unless --no-demo)',
  help: () =>
    formatHelp({
      usage: 'obs start [--no-demo] [--no-emulator] [--json]',
      description:
        'Runs the whole pipeline on this machine until Ctrl-C: ingest, aggregation and alert evaluation on a schedule,\n' +
        'health endpoints and the dashboard on PORT (default 8080), the DuckDB file OBS_DUCKDB_PATH held open. While it runs,\n' +
        'other shells\' `obs` commands (emit, ingest, sql, aggregate, rebuild, slo, alerts) run inside it; .data/stack.json\n' +
        '(owner-only) holds its port, admin token and internal health key.',
      options: [
        { flag: '--no-demo', text: 'no demo traffic, no 30-day backfill: real use', default: 'demo traffic, a wallet incident, scheduler every 5 s' },
        { flag: '--no-emulator', text: 'an in-process queue instead of the Pub/Sub emulator', default: 'the emulator when installed' },
        { flag: '--json', text: 'JSON lines on stdout: {"type":"ready",url,dashboard,…} once serving, then "log", "progress" (every 30 s) and "stopped"' },
      ],
      examples: ['obs start', 'obs start --no-demo --json'],
    }),
  async run(args, io, context?: CommandContext) {
    let values: { 'no-demo'?: boolean; 'no-emulator'?: boolean; json?: boolean };
    try {
      values = parseArgs({ args, options: { 'no-demo': { type: 'boolean' }, 'no-emulator': { type: 'boolean' }, json: { type: 'boolean' } } }).values;
    } catch (error) {
      io.err(`obs start: ${(error as Error).message}\nusage: ${this.usage}`);
      return EXIT_USAGE;
    }
    const emit = values.json ? jsonLines(io) : undefined;
    const tty = !emit && process.stdout.isTTY;
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
    let started = false;
    let requestStop: () => void = () => undefined;
    const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        if (emit) emit('stopping', { signal });
        else if (started) io.out(`${tty ? '\n' : ''}obs start: ${signal}: flushing and shutting down…`);
        // Until startStack returns (the demo backfill can take minutes on a slow machine) the stop waits for it: say so.
        else io.out(`${tty ? '\n' : ''}obs start: ${signal}: stopping once start-up (the demo history backfill) has finished; Ctrl-C twice more forces an exit`);
        requestStop();
      } else if (signals >= 3) {
        io.err('obs start: forced exit before the shutdown finished');
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let stack: RunningStack;
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig();
      stack = await startStack({
        config,
        demo: !values['no-demo'],
        useEmulator: !values['no-emulator'],
        runCommand: (a, commandIo, app) => context.runCommand(a, commandIo, app),
        log: (line) => (emit ? emit('log', { message: line.trim() }) : io.out(tty ? `\r\x1b[K${line}` : line)),
        progress: (line) => {
          if (tty) process.stdout.write(`\r\x1b[K${line}`);
          else if (emit) {
            if (Date.now() - lastProgress >= 30_000) {
              lastProgress = Date.now();
              emit('progress', { message: line });
            }
          }
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
    started = true;
    emit?.('ready', {
      url: stack.url,
      dashboard: `${stack.url}/admin/observability#token=${stack.token}`,
      health: { public: `${stack.url}/health/public`, internal: `${stack.url}/health/internal` },
      transport: stack.transport,
      stackFile: stackFilePath(config.duckdbPath),
      pid: process.pid,
    });
    await stopRequested;
    await stack.stop();
    if (emit) emit('stopped', { clean: true });
    else io.out('obs start: stopped cleanly.');
    return 0;
  },
};
