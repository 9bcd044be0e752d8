import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { internalKeyPath, loadStackKeys } from '../../../cli/local/stack-keys';

describe('the local stack keys (cli/local/stack-keys.ts)', () => {
  let dir: string;
  let duckdbPath: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'obs-keys-unit-'));
    duckdbPath = join(dir, 'data', 'observability.duckdb');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the internal key up once (creating the data folder), then reads the same one back', () => {
    const first = loadStackKeys(duckdbPath, {});
    expect(first.internalKeySource).toEqual({ kind: 'file', path: join(dir, 'data', 'internal-health.key'), created: true });
    const second = loadStackKeys(duckdbPath, {});
    expect(second.internalKey).toBe(first.internalKey);
    expect(second.internalKeySource).toMatchObject({ created: false });
    expect(second.adminToken).not.toBe(first.adminToken);
  });

  it('takes the admin token from OBS_LOCAL_ADMIN_TOKEN when given', () => {
    expect(loadStackKeys(duckdbPath, { adminToken: 'fixed-token' }).adminToken).toBe('fixed-token');
  });

  it('tightens a key file someone made readable by others back to 0600', () => {
    loadStackKeys(duckdbPath, {});
    chmodSync(internalKeyPath(duckdbPath), 0o644);
    loadStackKeys(duckdbPath, {});
    expect(statSync(internalKeyPath(duckdbPath)).mode & 0o777).toBe(0o600);
  });

  it('refuses a key file that holds no key, naming the file, instead of replacing a key a probe may use', () => {
    loadStackKeys(duckdbPath, {});
    writeFileSync(internalKeyPath(duckdbPath), 'short\n');
    expect(() => loadStackKeys(duckdbPath, {})).toThrow(`${internalKeyPath(duckdbPath)} does not hold an internal health key`);
  });
});
