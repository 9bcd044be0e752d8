/**
 * Runs a command and guarantees that its whole process tree ends with this process — whatever
 * happens to the test that started it. `firebase emulators:start` starts each Java emulator in a
 * process group of its own (so killing the CLI's group leaves JVMs behind), and a jest worker can
 * die without running any cleanup; this supervisor covers both:
 *
 * - it records every descendant of the command (pid and process group, from /proc) while they
 *   live, so a JVM reparented after its parent died is still known;
 * - it stops when told to (a line `stop` on stdin), when its stdin closes (the test process
 *   exited, even by SIGKILL), or on SIGINT/SIGTERM/SIGHUP: first SIGINT to the command's group
 *   (firebase-tools then shuts its emulators down cleanly), then after `graceMs` SIGKILL to every
 *   recorded group and process still alive.
 *
 * Usage: node --import tsx tree-supervisor.ts <graceMs> <cwd> <command> [args...]
 * Output of the command goes to this process's stdout/stderr. Linux (/proc); elsewhere only the
 * command's own group is killed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

interface Proc {
  readonly ppid: number;
  readonly pgid: number;
  readonly start: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp session tty tpgid flags … starttime(22nd field) …"; comm may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), pgid: Number(fields[2]), start: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

const [graceArg, cwd, command, ...args] = process.argv.slice(2);
if (!command || !cwd) {
  process.stderr.write('usage: tree-supervisor <graceMs> <cwd> <command> [args...]\n');
  process.exit(2);
}
const graceMs = Number(graceArg);
const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
const root = child.pid!;
// Forwarded rather than inherited: when the test process is gone, writing to its pipe fails here
// (ignored) instead of crashing the command in the middle of its clean shutdown.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
child.stdout.on('data', (chunk: Buffer) => process.stdout.write(chunk));
child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
/** Every descendant seen, with its start time (a pid reused later by an unrelated process is not ours). */
const known = new Map<number, Proc>();

function recordDescendants(): void {
  if (!existsSync('/proc')) return;
  const all = new Map<number, Proc>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const proc = readProc(Number(entry));
    if (proc) all.set(Number(entry), proc);
  }
  const ours = new Set<number>([root, ...known.keys()]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, proc] of all) {
      if (!ours.has(pid) && ours.has(proc.ppid)) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  for (const pid of ours) {
    const proc = all.get(pid);
    if (proc && !known.has(pid)) known.set(pid, proc);
  }
}

const stillOurs = (pid: number, proc: Proc) => readProc(pid)?.start === proc.start;
const signal = (target: number, sig: NodeJS.Signals) => {
  try {
    process.kill(target, sig);
  } catch {
    // already gone
  }
};

const watch = setInterval(recordDescendants, 250);
recordDescendants();

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  recordDescendants();
  clearInterval(watch);
  signal(-root, 'SIGINT');
  const deadline = Date.now() + graceMs;
  const alive = () => [...known].some(([pid, proc]) => stillOurs(pid, proc));
  while (alive() && Date.now() < deadline) {
    recordDescendants();
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const [pid, proc] of known) {
    if (!stillOurs(pid, proc)) continue;
    if (proc.pgid === pid || proc.pgid === root) signal(-proc.pgid, 'SIGKILL');
    signal(pid, 'SIGKILL');
  }
  signal(-root, 'SIGKILL');
  process.exit(0);
}

process.stdin.on('data', (chunk: Buffer) => {
  if (chunk.toString('utf8').includes('stop')) void stop();
});
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void stop());
child.on('exit', () => void stop());
