import { createLocalApp, type LocalApp } from '../app/local';

/**
 * One `obs` sub-command. `run` gets the arguments after the command name and resolves to the
 * process exit code; it writes its own output. Commands with machine-readable output accept
 * `--json`; commands where "now" matters accept `--at <ISO time>`.
 */
export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** `context` is always given by `main`; a test calling a command directly may leave it out. */
  run(args: string[], io: CommandIo, context?: CommandContext): Promise<number>;
}

/**
 * What `main` (cli/obs.ts) hands every command: the assembly to run against — built from the
 * environment on first use (app/local.ts), or the running stack's — and a way to run another
 * command in this process (`obs start` serves POST /api/cli with it). Passed in, so no command
 * imports the dispatcher.
 */
export interface CommandContext {
  app(): LocalApp;
  /** Runs an `obs` command here; with `app`, against that assembly (the stack's). */
  runCommand(args: string[], io: CommandIo, app?: LocalApp): Promise<number>;
}

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CommandIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
};

/** Exit code for bad usage (EX_USAGE). */
export const EXIT_USAGE = 64;

/** The assembly a command runs against: the context's, or (a command called directly) one from the environment. */
export function appOf(context: CommandContext | undefined): LocalApp {
  return context ? context.app() : createLocalApp();
}
