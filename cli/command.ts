/**
 * One `obs` sub-command. `run` gets the arguments after the command name and resolves to the
 * process exit code; it writes its own output. Commands with machine-readable output accept
 * `--json`; commands where "now" matters accept `--at <ISO time>`.
 */
export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  run(args: string[], io: CommandIo): Promise<number>;
}

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CommandIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
};

/** Exit code for a command whose feature is not built yet (EX_UNAVAILABLE from sysexits.h). */
export const EXIT_NOT_BUILT = 69;
/** Exit code for bad usage (EX_USAGE). */
export const EXIT_USAGE = 64;

/** A placeholder that says honestly that the feature is not built yet, and which issue tracks it. */
export function notBuiltYet(name: string, usage: string, summary: string, issue: number): Command {
  return {
    name,
    usage,
    summary: `${summary} (not built yet)`,
    run(_args, io) {
      io.err(`obs ${name}: not built yet — tracked in issue #${issue}. Nothing was done.`);
      return Promise.resolve(EXIT_NOT_BUILT);
    },
  };
}
