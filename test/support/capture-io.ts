import type { CommandIo } from '../../cli/command';

/**
 * A CommandIo for running the CLI in-process (`main([...], io)` or a command's `run(args, io)`)
 * that keeps what it printed: each `out`/`err` line is appended to `stdout`/`stderr` followed by
 * a newline, as a terminal would show it.
 */
export function capture(): CommandIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t + '\n'), err: (t: string) => void (io.stderr += t + '\n') };
  return io;
}
