import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * `.data/stack.json`, written by `obs start` while it runs: where its HTTP API listens, the local
 * admin token, the internal health key, and which DuckDB file it holds. Readable by the owner only
 * (it holds both secrets).
 * Other `obs` commands read it to route through the running stack instead of opening the file.
 */
export interface StackInfo {
  pid: number;
  port: number;
  token: string;
  /** The key of GET /health/internal (header X-Internal-Key); the same on every start (stack-keys.ts); absent in files older stacks wrote. */
  internalHealthKey?: string;
  duckdbPath: string;
  startedAt: string;
}

export function stackFilePath(duckdbPath: string): string {
  return join(dirname(resolve(duckdbPath)), 'stack.json');
}

export function writeStackFile(info: StackInfo): string {
  const path = stackFilePath(info.duckdbPath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ ...info, duckdbPath: resolve(info.duckdbPath) }, null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export function removeStackFile(duckdbPath: string): void {
  rmSync(stackFilePath(duckdbPath), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The running stack that holds `duckdbPath`, or undefined (no file, a stale file, another file).
 * A stack in this very process counts too (tests start one with startStack and forward to it);
 * the commands the stack itself runs are given its assembly and never look here (cli/obs.ts).
 */
export function findRunningStack(duckdbPath: string): StackInfo | undefined {
  let info: StackInfo;
  try {
    info = JSON.parse(readFileSync(stackFilePath(duckdbPath), 'utf8')) as StackInfo;
  } catch {
    return undefined;
  }
  if (!alive(info.pid) || info.duckdbPath !== resolve(duckdbPath)) return undefined;
  return info;
}
