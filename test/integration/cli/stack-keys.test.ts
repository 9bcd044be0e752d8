/**
 * The local stack's internal health key (issue 12, "Keys"): made up once and kept beside the
 * DuckDB file, the same on the next start, in stack.json too, both files readable by the owner only.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { startStack, type RunningStack } from '../../../cli/local/stack';
import { stackFilePath, type StackInfo } from '../../../cli/local/stack-file';
import { internalKeyPath } from '../../../cli/local/stack-keys';
import { loadConfig } from '../../../shared';

jest.setTimeout(90_000);

const mode = (path: string) => statSync(path).mode & 0o777;

async function start(duckdbPath: string, env: { internalHealthApiKey?: string } = {}): Promise<{ stack: RunningStack; lines: string[] }> {
  const lines: string[] = [];
  const stack = await startStack({
    config: { ...loadConfig({}), duckdbPath, port: 0, ...env },
    demo: false,
    useEmulator: false,
    schedulerIntervalMs: 0,
    runCommand: (args, io, app) => main(args, io, app),
    log: (line) => void lines.push(line),
    progress: () => undefined,
  });
  return { stack, lines };
}

describe('obs start keeps its internal health key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'obs-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('two starts on the same DuckDB file answer to the same key, kept in a 0600 file and in the 0600 stack.json, and /health/internal accepts it', async () => {
    const duckdbPath = join(dir, 'observability.duckdb');
    const keys: string[] = [];
    const tokens: string[] = [];
    for (let run = 0; run < 2; run++) {
      const { stack, lines } = await start(duckdbPath);
      try {
        const info = JSON.parse(readFileSync(stackFilePath(duckdbPath), 'utf8')) as StackInfo;
        expect(mode(stackFilePath(duckdbPath))).toBe(0o600);
        expect(mode(internalKeyPath(duckdbPath))).toBe(0o600);
        expect(internalKeyPath(duckdbPath)).toBe(join(dir, 'internal-health.key'));
        const key = info.internalHealthKey as string;
        expect(key).toMatch(/^[A-Za-z0-9_-]{16,}$/);
        expect(readFileSync(internalKeyPath(duckdbPath), 'utf8').trim()).toBe(key);
        // The banner says where the key is kept.
        expect(lines.join('\n')).toContain(`X-Internal-Key: ${key}, kept in ${internalKeyPath(duckdbPath)}`);

        const accepted = await fetch(`${stack.url}/health/internal`, { headers: { 'x-internal-key': key } });
        expect(accepted.status).not.toBe(401);
        expect(((await accepted.json()) as { components?: unknown[] }).components?.length).toBeGreaterThan(0);
        expect((await fetch(`${stack.url}/health/internal`, { headers: { 'x-internal-key': 'not-the-key-0000000' } })).status).toBe(401);
        keys.push(key);
        tokens.push(info.token);
      } finally {
        await stack.stop();
      }
    }
    expect(keys[1]).toBe(keys[0]);
    // The admin token stays one per start (stack-keys.ts says why).
    expect(tokens[1]).not.toBe(tokens[0]);
  });

  it('INTERNAL_HEALTH_API_KEY wins: no key file is written, the banner names the variable, stack.json holds the key in use', async () => {
    const duckdbPath = join(dir, 'observability.duckdb');
    const { stack, lines } = await start(duckdbPath, { internalHealthApiKey: 'configured-key-123456' });
    try {
      expect(() => statSync(internalKeyPath(duckdbPath))).toThrow(/ENOENT/);
      expect(lines.join('\n')).toContain('X-Internal-Key: $INTERNAL_HEALTH_API_KEY');
      expect(lines.join('\n')).not.toContain('configured-key-123456');
      expect((JSON.parse(readFileSync(stackFilePath(duckdbPath), 'utf8')) as StackInfo).internalHealthKey).toBe('configured-key-123456');
      expect((await fetch(`${stack.url}/health/internal`, { headers: { 'x-internal-key': 'configured-key-123456' } })).status).not.toBe(401);
    } finally {
      await stack.stop();
    }
  });
});
