import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';

/** The BigQuery text of a query exactly as docs/ANALYSTS.md shows it (between its generated markers). */
function analystsDocQuery(name: string): string {
  const doc = readFileSync(join(__dirname, '../../../docs/ANALYSTS.md'), 'utf8');
  const block = doc.split(`<!-- BEGIN GENERATED: query ${name} -->`)[1]?.split('<!-- END GENERATED -->')[0] ?? '';
  return block.replace(/^\s*```sql\n/, '').replace(/```\s*$/, '');
}

describe('obs sql: BigQuery-dialect queries on the local DuckDB warehouse, read-only', () => {
  const saved = { ...process.env };
  let dir: string;
  const at = Date.parse('2026-11-26T12:00:00Z');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obs-sql-'));
    process.env.OBS_WAREHOUSE = 'duckdb';
    process.env.OBS_DUCKDB_PATH = join(dir, 'obs.duckdb');
    const wh = await DuckDbWarehouse.open(join(dir, 'obs.duckdb'));
    await wh.createSchema();
    await wh.insertDeadLetters([
      { dead_letter_id: 'f@1:2#0', received_at_ms: at - 60_000, scope: 'message', message_id: 'f@1:2', event_index: null, event_id: null, reason_codes: 'invalid_json', reasons: '[{"code":"invalid_json","field":"message","message":"bad"}]', raw_payload: 'x', service: 'import' },
      { dead_letter_id: 'f@1:3#0', received_at_ms: at - 30_000, scope: 'message', message_id: 'f@1:3', event_index: null, event_id: null, reason_codes: 'invalid_json', reasons: '[]', raw_payload: 'y', service: 'import' },
    ]);
    await wh.close();
  });
  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a docs/ANALYSTS.md query as written (dead letters by reason), with --param, as a table', async () => {
    const io = capture();
    const code = await main(['sql', analystsDocQuery('analysts_dead_letters_by_reason'), '--param', `from_ms=${at - 3_600_000}`, '--param', 'to_ms=2026-11-26T12:00:00Z'], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    expect(io.stdout).toMatch(/reason_codes\s+scope\s+service\s+dead_letter_count/);
    expect(io.stdout).toMatch(/invalid_json\s+message\s+import\s+2/);
    expect(io.stdout).toContain('(1 row)');
  });

  it('reads the query from --file and prints CSV or JSON', async () => {
    const file = join(dir, 'q.sql');
    writeFileSync(file, "-- a comment\nSELECT dead_letter_id, UNIX_MILLIS(received_at) AS received_at_ms FROM `observability.dead_letters` ORDER BY dead_letter_id");
    const csv = capture();
    expect(await main(['sql', '--file', file, '--csv'], csv)).toBe(0);
    expect(csv.stdout).toBe(`dead_letter_id,received_at_ms\nf@1:2#0,${at - 60_000}\nf@1:3#0,${at - 30_000}\n`);
    const json = capture();
    expect(await main(['sql', '--file', file, '--json'], json)).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ dead_letter_id: 'f@1:2#0', received_at_ms: at - 60_000 }, { dead_letter_id: 'f@1:3#0', received_at_ms: at - 30_000 }]);
  });

  it.each([
    ['DELETE FROM dead_letters'],
    ['SELECT 1; DELETE FROM dead_letters'],
    ['/* hidden */ INSERT INTO dead_letters SELECT * FROM dead_letters'],
  ])('refuses a write (%s) with exit 64 and leaves the data as it was', async (sql) => {
    const io = capture();
    expect(await main(['sql', sql], io)).toBe(64);
    expect(io.stderr).toMatch(/queries only|one statement/);
    const count = capture();
    expect(await main(['sql', 'SELECT COUNT(*) AS n FROM dead_letters', '--json'], count)).toBe(0);
    expect(JSON.parse(count.stdout)).toEqual([{ n: 2 }]);
  });

  it('names a missing parameter (exit 64)', async () => {
    const io = capture();
    expect(await main(['sql', 'SELECT * FROM dead_letters WHERE received_at >= TIMESTAMP_MILLIS(@from_ms)'], io)).toBe(64);
    expect(io.stderr).toContain('--param from_ms=');
  });
});
