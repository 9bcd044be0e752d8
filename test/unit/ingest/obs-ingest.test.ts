import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { deadLetters, message, NOW, spend, storedIds } from './fixtures';

describe('obs ingest --file', () => {
  let dir: string;
  let dbPath: string;
  const saved = { ...process.env };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'obs-ingest-'));
    dbPath = join(dir, 'obs.duckdb');
    process.env.OBS_WAREHOUSE = 'duckdb';
    process.env.OBS_DUCKDB_PATH = dbPath;
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  const at = new Date(NOW).toISOString();
  const lines = [
    JSON.stringify(spend('e1')),
    '',
    JSON.stringify(spend('e2', { value: -1 })),
    '{"id": "broken',
    message([spend('e3'), spend('e4')], { service: 'chat', environment: 'prod' }),
    JSON.stringify(spend('e1')),
  ];

  async function open<T>(work: (wh: DuckDbWarehouse) => Promise<T>): Promise<T> {
    const wh = await DuckDbWarehouse.open(dbPath);
    try {
      return await work(wh);
    } finally {
      await wh.close();
    }
  }

  it('loads events and whole messages, dead-letters bad lines with their line number, and says what it did', async () => {
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, lines.join('\n') + '\n');
    const io = capture();
    expect(await main(['ingest', '--file', file, '--service', 'backfill', '--environment', 'staging', '--at', at, '--json'], io)).toBe(0);
    const result = JSON.parse(io.stdout);
    expect(result).toMatchObject({ lines: 6, blankLines: 1, messages: 5, stored: 3, duplicates: 1, deadLettered: 2, badLines: [3, 4], failedLines: [] });

    await open(async (wh) => {
      expect(await storedIds(wh)).toEqual(['e1', 'e3', 'e4']);
      const dead = await deadLetters(wh);
      expect(dead.map((d) => [d.message_id?.replace(/@[0-9a-f]{12}:/, '@…:'), d.reason_codes])).toEqual([
        ['events.ndjson@…:3', 'invalid_value'],
        ['events.ndjson@…:4', 'invalid_json'],
      ]);
      expect(dead[1]!.raw_payload).toBe('{"id": "broken');
      expect(dead[0]!.service).toBe('backfill');
    });
  });

  it('adds nothing when the same file is imported again', async () => {
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, lines.join('\n'));
    expect(await main(['ingest', '--file', file, '--at', at], capture())).toBe(0);
    const io = capture();
    expect(await main(['ingest', '--file', file, '--at', at], io)).toBe(0);
    expect(io.stdout).toContain('stored 0 event(s), 4 duplicate(s) skipped, 2 dead letter(s)');
    expect(io.stdout).toContain('lines with dead letters: 3, 4');
    await open(async (wh) => expect(await deadLetters(wh)).toHaveLength(2));
  });

  it('stores every valid line of a file with poison lines in it, and dead-letters each poison line with its reason', async () => {
    const deepLine = JSON.stringify(spend('deep')).replace('"chat"', '['.repeat(6_000) + ']'.repeat(6_000));
    const poisoned = [
      JSON.stringify(spend('p1')),
      deepLine,
      JSON.stringify(spend('p2')),
      '['.repeat(100_000) + ']'.repeat(100_000),
      JSON.stringify(spend('lone', { tags: { feature: 'a\ud800b' } })), // JSON text escapes the lone surrogate: \ud800
      JSON.stringify(spend('p3', { tags: { feature: 'gift\u202e' } })),
      JSON.stringify(spend('p4')),
    ];
    const file = join(dir, 'poison.ndjson');
    writeFileSync(file, poisoned.join('\n') + '\n');
    const io = capture();
    expect(await main(['ingest', '--file', file, '--at', at, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ lines: 7, stored: 3, deadLettered: 4, badLines: [2, 4, 5, 6], failedLines: [] });
    await open(async (wh) => {
      expect(await storedIds(wh)).toEqual(['p1', 'p2', 'p4']);
      expect((await deadLetters(wh)).map((d) => [d.message_id?.replace(/@[0-9a-f]{12}:/, '@…:'), d.reason_codes])).toEqual([
        ['poison.ndjson@…:2', 'nesting_too_deep'],
        ['poison.ndjson@…:4', 'nesting_too_deep'],
        ['poison.ndjson@…:5', 'invalid_unicode'],
        ['poison.ndjson@…:6', 'unsafe_characters'],
      ]);
    });
  });

  it.each([
    [['ingest'], 64, '--file is required'],
    [['ingest', '--file', '/no/such/file.ndjson'], 66, 'no such file'],
    [['ingest', '--file', 'x', '--at', 'yesterday'], 64, 'not an ISO-8601 time'],
    [['ingest', '--file', __dirname], 66, 'is a folder'],
    [['ingest', '--file', join(__dirname, '../../../node_modules/@duckdb/node-bindings-linux-x64/duckdb.node')], 65, 'looks binary'],
  ])('obs %p exits %i and says why', async (args, code, text) => {
    const io = capture();
    expect(await main(args, io)).toBe(code);
    expect(io.stderr).toContain(text);
  });
});

describe('obs ingest refuses input that is not NDJSON before storing anything (issue 12)', () => {
  const { mkdtempSync: mk, writeFileSync: write, mkdirSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
  const { sniffNdjson } = jest.requireActual<typeof import('../../../ingest/ndjson-sniff')>('../../../ingest/ndjson-sniff');
  const dir = mk(join(tmpdir(), 'obs-sniff-'));
  it.each<[string, () => string, string | undefined]>([
    ['a binary file (NUL bytes)', () => (write(join(dir, 'a.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 10, 0, 0])), join(dir, 'a.bin')), 'looks binary'],
    ['bytes that are not UTF-8', () => (write(join(dir, 'b.txt'), Buffer.from([0xff, 0xfe, 0x41, 0x0a])), join(dir, 'b.txt')), 'not UTF-8'],
    ['mostly non-JSON lines', () => (write(join(dir, 'c.csv'), 'a,b\n1,2\n3,4\n'), join(dir, 'c.csv')), 'does not look like NDJSON'],
    ['a folder', () => (mkdirSync(join(dir, 'd'), { recursive: true }), join(dir, 'd')), 'is a folder'],
    ['NDJSON with one bad line among good ones', () => (write(join(dir, 'e.ndjson'), '{"id":"1"}\n{"id": "broken\n{"id":"2"}\n'), join(dir, 'e.ndjson')), undefined],
  ])('%s', (_what, make, message) => {
    const result = sniffNdjson(make());
    if (message === undefined) expect(result).toEqual({ ok: true });
    else expect(result).toMatchObject({ ok: false, message: expect.stringContaining(message) });
  });
});
