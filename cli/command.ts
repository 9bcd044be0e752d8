import { createLocalApp, type LocalApp } from '../app/local';
import { ConfigError } from '../shared/config';

/**
 * One `obs` sub-command. `run` gets the arguments after the command name and resolves to the
 * process exit code; it writes its own output. Commands with machine-readable output accept
 * `--json`; commands where "now" matters accept `--at <ISO time>`.
 */
export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /**
   * The full `--help` text (usage, what it does, every flag with its default, an example, the exit
   * statuses). `path` is the sub-command words before `--help` (`obs alerts silence --help` → ['silence']).
   */
  help(path: readonly string[]): string;
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

/**
 * The exit statuses of every `obs` command: one table (sysexits.h where it fits), documented in
 * docs/CLI.md and printed by `obs --help`. A command returns one of these and nothing else.
 */
export const EXIT = {
  /** Done; nothing wrong found. */
  OK: 0,
  /** The operation failed or found a problem (a dropped event, a doctor check, a warehouse write that failed). */
  FAILED: 1,
  /** A policy said no: the release gate denies the deploy (`obs slo gate`). Not an error: the answer. */
  DENIED: 3,
  /** EX_USAGE: bad arguments or flags, or a statement `obs sql` refuses. */
  USAGE: 64,
  /** EX_DATAERR: the input is not what the command reads (a binary file given to `obs ingest`). */
  DATA: 65,
  /** EX_NOINPUT: an input file or folder is missing or unreadable. */
  NO_INPUT: 66,
  /** EX_UNAVAILABLE: something the command needs is not there or does not answer (the running stack, the emulator, a locked DuckDB file). */
  UNAVAILABLE: 69,
  /** EX_SOFTWARE: an unexpected error inside obs itself (a bug: please report it). */
  INTERNAL: 70,
  /** EX_CONFIG: the environment is invalid or incomplete (the message names the variable). */
  CONFIG: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Exit code for bad usage (EX_USAGE). */
export const EXIT_USAGE = EXIT.USAGE;

/** Bad arguments: the command prints its usage and exits 64. */
export class UsageError extends Error {}

/** A usage mistake: a {@link UsageError}, or node:util parseArgs' own errors (ERR_PARSE_ARGS_*). */
export function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || (error as { code?: unknown } | null)?.code?.toString().startsWith('ERR_PARSE_ARGS') === true;
}

/**
 * Runs the body of a command with sub-commands (`obs alerts`, `obs incidents`, `obs maintenance`):
 * a usage mistake (or what `isUsage` also counts as one) prints `obs NAME: message`, then the usage,
 * and exits 64; any other error prints its message and exits by `codeOf` (default {@link exitCodeOf}).
 */
export async function runSubcommand(
  command: { readonly name: string },
  usage: string,
  io: CommandIo,
  body: () => Promise<number>,
  options: { isUsage?: (error: unknown) => boolean; codeOf?: (error: unknown) => ExitCode } = {},
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    const usageMistake = isUsageError(error) || options.isUsage?.(error) === true;
    const message = error instanceof Error ? error.message : String(error);
    io.err(`obs ${command.name}: ${message}${usageMistake ? `\nusage:\n${usage}` : ''}`);
    return usageMistake ? EXIT_USAGE : (options.codeOf ?? exitCodeOf)(error);
  }
}

/** The table above as printed by `obs --help` and at the end of each command's help. */
export const EXIT_TABLE = `Exit status (the same for every command):
  0   ok
  1   the operation failed or found a problem
  3   denied: the release gate says no (obs slo gate)
  64  usage: bad arguments, or a statement obs sql refuses
  65  data: the input is not what the command reads (e.g. not NDJSON)
  66  no input: a file is missing or unreadable
  69  unavailable: the running stack, the emulator or the DuckDB file cannot be reached
  70  internal error in obs (a bug)
  78  configuration: an invalid or missing environment variable`;

/** An error a command throws to exit with `code` and print `message` (no stack, no usage). */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly code: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CommandError';
  }
}

/** The exit status of an error a command threw: a configuration error 78, a {@link CommandError} its code, anything else 1. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof ConfigError) return EXIT.CONFIG;
  if (error instanceof CommandError) return error.code;
  return EXIT.FAILED;
}

/** One option line of a help text: the flag (with its value), what it does, its default. */
export interface HelpOption {
  readonly flag: string;
  readonly text: string;
  readonly default?: string;
}

/** Formats a command's help: usage, description, options with defaults, examples, exit statuses. */
export function formatHelp(parts: { usage: string; description: string; options?: readonly HelpOption[]; examples: readonly string[]; notes?: string }): string {
  const options = parts.options ?? [];
  const width = Math.max(0, ...options.map((o) => o.flag.length));
  const lines = [`usage: ${parts.usage.split('\n').join('\n       ')}`, '', parts.description];
  if (options.length > 0) {
    lines.push('', 'Options:');
    for (const o of options) lines.push(`  ${o.flag.padEnd(width)}  ${o.text}${o.default === undefined ? '' : ` (default: ${o.default})`}`);
  }
  if (parts.notes) lines.push('', parts.notes);
  lines.push('', parts.examples.length > 1 ? 'Examples:' : 'Example:', ...parts.examples.map((e) => `  ${e}`));
  lines.push('', 'Exit status: 0 ok, 1 failed/problem found, 64 usage, 65 bad input data, 66 no input, 69 unavailable, 70 internal, 78 configuration (docs/CLI.md).');
  return lines.join('\n');
}

/** The `--json` and `--at` options most commands share, for their help. */
export const JSON_OPTION: HelpOption = { flag: '--json', text: 'machine-readable output (JSON)', default: 'off: readable text' };
export const AT_OPTION: HelpOption = { flag: '--at ISO', text: '"now" for this run, an ISO time such as 2026-11-26T10:00:00Z', default: 'the clock' };

/** The assembly a command runs against: the context's, or (a command called directly) one from the environment. */
export function appOf(context: CommandContext | undefined): LocalApp {
  return context ? context.app() : createLocalApp();
}
