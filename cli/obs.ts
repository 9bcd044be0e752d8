#!/usr/bin/env node
import { VERSION } from '../shared/version';
import { createLocalApp, type LocalApp } from '../app/local';
import { once } from '../app/once';
import { EXIT, EXIT_TABLE, EXIT_USAGE, exitCodeOf, processIo, type CommandContext, type CommandIo } from './command';
import { loadConfig } from '../shared/config';
import { COMMANDS } from './commands';
import { runThroughStack, WAREHOUSE_COMMANDS } from './local/remote-cli';
import { findRunningStack, type StackInfo } from './local/stack-file';
import { activateSloCatalogue } from '../slo-as-code/activate';

/** While `obs start` holds the local DuckDB file, warehouse commands run inside it (one writer). */
function runningStack(): StackInfo | undefined {
  try {
    const config = loadConfig();
    return config.warehouse === 'duckdb' ? findRunningStack(config.duckdbPath) : undefined;
  } catch {
    return undefined; // a bad environment: let the command itself report it
  }
}

function help(io: CommandIo): void {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  io.out(
    [
      `obs ${VERSION} — the observability pipeline's command line`,
      '',
      'Commands:',
      ...COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
      '',
      'Every command takes --json for machine-readable output; --at <ISO time> sets "now" where it matters.',
      'Run `obs <command> --help` (or `obs <command> <subcommand> --help`) for its flags, defaults and an example.',
      'Docs: README.md, docs/CLI.md.',
      '',
      EXIT_TABLE,
    ].join('\n'),
  );
}

/** The context of a command run: `app`, or one built from the environment when a command first asks. */
function contextFor(app: (() => LocalApp) | undefined): CommandContext {
  return {
    app: app ?? once(() => createLocalApp()),
    runCommand: (args, io, other) => main(args, io, other),
  };
}

/**
 * Runs `obs` with `argv` (without node and script) and resolves to the exit code. `app` is the
 * assembly to run against (the local stack passes its own); default: built from the environment.
 */
export async function main(argv: string[], io: CommandIo = processIo, app?: LocalApp): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    help(io);
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`obs: unknown command "${name}". Run \`obs --help\` for the list.`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    // The sub-command words before the flag: `obs alerts silence --help` → ['silence'].
    const path: string[] = [];
    for (const word of rest) {
      if (word.startsWith('-')) break;
      path.push(word);
    }
    io.out(command.help(path));
    return EXIT.OK;
  }
  // Given an assembly (the stack runs a forwarded command with its own), the command runs here.
  // `obs slo export` / `obs slo import` read no warehouse (and a file in the caller's folder): never forwarded.
  const needsWarehouse = WAREHOUSE_COMMANDS.has(name) && !(name === 'slo' && (rest[0] === 'export' || rest[0] === 'import'));
  const stack = app === undefined && needsWarehouse ? runningStack() : undefined;
  if (stack) return runThroughStack(stack, argv, io);
  try {
    // OBS_SLO_FILE: the catalogue in use for this process (a forwarded command uses the stack's;
    // `obs slo import FILE` checks FILE against the built-in catalogue alone).
    if (app === undefined && !(name === 'slo' && rest[0] === 'import')) activateSloCatalogue(process.env);
    return await command.run(rest, io, contextFor(app ? () => app : undefined));
  } catch (error) {
    io.err(`obs ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return exitCodeOf(error);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`obs: internal error: ${String(error)}\n`);
      process.exitCode = EXIT.INTERNAL;
    },
  );
}
