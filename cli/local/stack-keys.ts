import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The local stack's keys. The internal health key is what a probe or uptime checker sends
 * (`X-Internal-Key`), configured once: without INTERNAL_HEALTH_API_KEY, `obs start` makes one up
 * the first time and keeps it beside the DuckDB file (`.data/internal-health.key`, mode 0600), so
 * every later start on the same data answers to the same key.
 *
 * The admin token stays one per start (unless OBS_LOCAL_ADMIN_TOKEN): nothing outside the stack
 * needs to remember it — the banner's dashboard URL carries it and other `obs` commands read it
 * from stack.json — and a dashboard URL left in a browser's history stops working when the stack
 * it was printed by stops.
 */
export interface StackKeys {
  /** The key of GET /health/internal. */
  internalKey: string;
  /** Where it came from: the environment, or the file that keeps it. */
  internalKeySource: { kind: 'env' } | { kind: 'file'; path: string; created: boolean };
  /** The local admin token (dashboard, /api/*, forwarded commands). */
  adminToken: string;
}

/** `.data/internal-health.key` for `.data/observability.duckdb`: beside stack.json. */
export function internalKeyPath(duckdbPath: string): string {
  return join(dirname(resolve(duckdbPath)), 'internal-health.key');
}

/** A key as kept in its file: one line of URL-safe characters, long enough to be a secret. */
const KEY_SHAPE = /^[A-Za-z0-9_-]{16,}$/;

/**
 * The keys for a start on `duckdbPath`. `configured` is INTERNAL_HEALTH_API_KEY (wins, nothing is
 * written); `adminToken` is OBS_LOCAL_ADMIN_TOKEN. A key file that is not a key (edited by hand,
 * truncated) is an error naming the file, not silently replaced: a probe may depend on it.
 */
export function loadStackKeys(duckdbPath: string, configured: { internalHealthApiKey?: string | undefined; adminToken?: string | undefined }): StackKeys {
  const adminToken = configured.adminToken || newKey();
  if (configured.internalHealthApiKey) return { internalKey: configured.internalHealthApiKey, internalKeySource: { kind: 'env' }, adminToken };
  const path = internalKeyPath(duckdbPath);
  let kept: string | undefined;
  try {
    kept = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the internal health key ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (kept !== undefined) {
    if (!KEY_SHAPE.test(kept)) throw new Error(`${path} does not hold an internal health key (16 or more of A-Z a-z 0-9 _ -): fix it, delete it for a new one, or set INTERNAL_HEALTH_API_KEY`);
    chmodSync(path, 0o600); // tightened if someone loosened it
    return { internalKey: kept, internalKeySource: { kind: 'file', path, created: false }, adminToken };
  }
  const internalKey = newKey();
  mkdirSync(dirname(path), { recursive: true });
  // 'wx': two starts racing on a new .data never keep different keys; the loser reads the winner's.
  try {
    writeFileSync(path, `${internalKey}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadStackKeys(duckdbPath, configured);
    throw new Error(`cannot write the internal health key ${path}: ${(error as Error).message}`, { cause: error });
  }
  chmodSync(path, 0o600); // exactly 0600, whatever the umask
  return { internalKey, internalKeySource: { kind: 'file', path, created: true }, adminToken };
}

function newKey(): string {
  return randomBytes(18).toString('base64url');
}
