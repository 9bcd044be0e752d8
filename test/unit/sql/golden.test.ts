import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { allQueries, goldenFiles } from '../../../sql/golden';
import { TABLES, type TableName } from '../../../sql/tables';

const goldenDir = join(__dirname, '..', '..', '..', 'sql', 'golden');
const files = goldenFiles();

function listGolden(dir = goldenDir, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listGolden(join(dir, e.name), `${prefix}${e.name}/`) : e.name.endsWith('.sql') ? [`${prefix}${e.name}`] : [],
  );
}

if (process.env.UPDATE_GOLDEN === '1') {
  for (const sub of ['ddl', 'queries', 'duckdb']) rmSync(join(goldenDir, sub), { recursive: true, force: true });
  for (const [path, content] of files) {
    mkdirSync(dirname(join(goldenDir, path)), { recursive: true });
    writeFileSync(join(goldenDir, path), content);
  }
}

describe('BigQuery and DuckDB golden files (sql/golden)', () => {
  it('has one golden file per table and query, and no stale ones', () => {
    expect(listGolden().sort()).toEqual([...files.keys()].sort());
  });

  it.each([...files.keys()])('%s matches its rendering byte for byte', (path) => {
    expect(readFileSync(join(goldenDir, path), 'utf8')).toBe(files.get(path));
  });

  it('query names are unique', () => {
    const names = allQueries().map((q) => q.name);
    expect(new Set(names).size).toBe(names.length);
  });

  const partitioned = (Object.keys(TABLES) as TableName[]).filter((t) => 'partitionBy' in TABLES[t]);
  it.each(allQueries().map((q) => [q.name, q.text] as const))('query %s filters every partitioned table it reads on the partition column', (_name, text) => {
    for (const table of partitioned) {
      if (!text.includes(`{{${table}}}`)) continue;
      const column = (TABLES[table] as { partitionBy: string }).partitionBy;
      // The partition column must be compared (>=, <, =, BETWEEN, IN) somewhere in the query.
      expect(text).toMatch(new RegExp(`\\b${column}\\s*(>=|<=|>|<|=|BETWEEN|IN)`, 'i'));
    }
  });
});
