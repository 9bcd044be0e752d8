import { isAbsolute, resolve } from 'node:path';
import { requireAdmin, type TokenVerifier } from '../../http/admin-auth';
import { json, methodNotAllowed, readBody, type HttpRequest, type HttpResponse } from '../../http/http';
import { EXIT, type CommandIo } from '../command';
import type { StackInfo } from './stack-file';

/**
 * Commands that run inside a running `obs start`: those that open the warehouse (the stack holds
 * the DuckDB file: one writer), and `emit`, whose event then goes through the stack's own emitter
 * and transport into its ingest.
 */
export const WAREHOUSE_COMMANDS: ReadonlySet<string> = new Set(['ingest', 'aggregate', 'rebuild', 'retention', 'cost', 'slo', 'alerts', 'incidents', 'maintenance', 'sql', 'emit']);

export const REMOTE_CLI_PATH = '/api/cli';

export interface RemoteCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `POST /api/cli` on the local stack: runs an `obs` command inside the stack process, where the
 * warehouse is already open, and returns its exit code and output. Admin token required (the
 * token is in `.data/stack.json`, readable by the owner only), checked before the body is read.
 * Requests carry a JSON body `{"args": [...]}` of at most 64 KiB (413 beyond).
 */
export function createRemoteCliRoute(options: {
  verify: TokenVerifier;
  run: (args: string[], io: CommandIo) => Promise<number>;
}): (request: HttpRequest) => Promise<HttpResponse | undefined> {
  let queue: Promise<unknown> = Promise.resolve();
  return async (request) => {
    if (request.path !== REMOTE_CLI_PATH) return undefined;
    if (request.method !== 'POST') return methodNotAllowed(['POST']);
    // The token first: an unauthenticated caller's body is never read, whatever its size.
    const auth = await requireAdmin(request, options.verify);
    if (!auth.ok) return json(auth.status, { error: auth.error }, auth.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
    const body = await readBody(request);
    if (!body.ok) return body.response;
    let args: unknown;
    try {
      args = (JSON.parse(body.text) as { args?: unknown }).args;
    } catch {
      return json(400, { error: 'body must be JSON: {"args": ["slo", "status"]}' });
    }
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string') || !WAREHOUSE_COMMANDS.has(String(args[0]))) {
      return json(400, { error: `args must be an obs command that runs inside the stack (${[...WAREHOUSE_COMMANDS].join(', ')})` });
    }
    const result: RemoteCliResult = { code: 0, stdout: '', stderr: '' };
    const io: CommandIo = { out: (t) => void (result.stdout += t.endsWith('\n') ? t : t + '\n'), err: (t) => void (result.stderr += t.endsWith('\n') ? t : t + '\n') };
    // One forwarded command at a time: they share the stack's warehouse connection.
    const run = queue.then(() => options.run(args, io));
    queue = run.catch(() => undefined);
    try {
      result.code = await run;
    } catch (error) {
      result.code = 1;
      result.stderr += `${error instanceof Error ? error.message : String(error)}\n`;
    }
    return json(200, result);
  };
}

/** Flags whose value is a path: `obs ingest --file`, `obs sql --file`, `obs alerts evaluate --outbox`. */
export const PATH_FLAGS: ReadonlySet<string> = new Set(['--file', '--outbox']);

/**
 * `args` with every path flag's value made absolute against `cwd` (`--file q.sql` and
 * `--file=q.sql` alike): the stack runs the command in its own working folder, not the caller's.
 * Other arguments, and anything after `--`, are passed unchanged.
 */
export function absolutePathArgs(args: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  const absolute = (path: string) => (path === '' || isAbsolute(path) ? path : resolve(cwd, path));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const eq = arg.indexOf('=');
    if (eq > 0 && PATH_FLAGS.has(arg.slice(0, eq))) out.push(`${arg.slice(0, eq)}=${absolute(arg.slice(eq + 1))}`);
    else if (PATH_FLAGS.has(arg) && i + 1 < args.length) out.push(arg, absolute(args[++i] as string));
    else out.push(arg);
  }
  return out;
}

/** Client side: sends `args` (path flags made absolute here, {@link absolutePathArgs}) to the running stack and relays its output. */
export async function runThroughStack(stack: StackInfo, args: string[], io: CommandIo, cwd: string = process.cwd()): Promise<number> {
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${stack.port}${REMOTE_CLI_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ args: absolutePathArgs(args, cwd) }),
      signal: AbortSignal.timeout(10 * 60_000),
    });
  } catch (error) {
    io.err(`obs: the local stack (pid ${stack.pid}) holds the warehouse but did not answer on port ${stack.port}: ${(error as Error).message}`);
    return EXIT.UNAVAILABLE;
  }
  if (!response.ok) {
    io.err(`obs: the local stack refused the command (HTTP ${response.status}): ${await response.text()}`);
    return EXIT.UNAVAILABLE;
  }
  const result = (await response.json()) as RemoteCliResult;
  if (result.stdout) io.out(result.stdout.replace(/\n$/, ''));
  if (result.stderr) io.err(result.stderr.replace(/\n$/, ''));
  return result.code;
}
