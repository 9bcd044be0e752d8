import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAnalystsDoc } from '../../../scripts/analysts-doc';
import { QUERIES as ANALYSTS_QUERIES } from '../../../sql/queries/analysts';
import { PUBLIC_TABLES, TABLES } from '../../../sql/tables';

const root = join(__dirname, '..', '..', '..');
const docPath = join(root, 'docs', 'ANALYSTS.md');
const goldenDir = join(root, 'sql', 'golden', 'queries');
const doc = readFileSync(docPath, 'utf8');

/** The text of the doc from a table's heading to the next heading. */
function tableSection(table: string): string {
  const start = doc.indexOf(`### \`${table}\`\n`);
  if (start < 0) return '';
  const next = doc.indexOf('\n#', start + 1);
  return doc.slice(start, next < 0 ? undefined : next);
}

describe('docs/ANALYSTS.md', () => {
  it('is what scripts/gen-analysts-doc.ts generates from the code (regenerate: npx tsx scripts/gen-analysts-doc.ts, or UPDATE_GOLDEN=1)', () => {
    const generated = renderAnalystsDoc(doc);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(docPath, generated);
    expect(doc).toBe(generated);
  });

  it.each(PUBLIC_TABLES.flatMap((t) => TABLES[t].columns.map((c) => [t, c.name, c.description] as const)))(
    'documents %s.%s with its type and meaning',
    (table, column, description) => {
      expect(tableSection(table)).toContain(`| \`${column}\` |`);
      expect(tableSection(table)).toContain(description.replace(/\|/g, '\\|'));
    },
  );

  const goldenAnalystsFiles = readdirSync(goldenDir).filter((f) => f.startsWith('analysts_'));

  it('shows every analysts query of sql/queries/analysts.ts, and only those have analysts_ golden files', () => {
    expect(goldenAnalystsFiles.sort()).toEqual(ANALYSTS_QUERIES.map((q) => `${q.name}.sql`).sort());
  });

  it.each(goldenAnalystsFiles)('contains the BigQuery text of %s verbatim', (file) => {
    const golden = readFileSync(join(goldenDir, file), 'utf8');
    const sql = golden.slice(golden.indexOf('\n') + 1); // without the "Code generated" header
    expect(sql.length).toBeGreaterThan(100);
    expect(doc).toContain('```sql\n' + sql + '```');
  });

  it('states the two rules: the partition filter (with every public table’s partition column) and deduplication by event_id', () => {
    expect(doc).toContain('require_partition_filter');
    const lines = doc.split('\n');
    for (const table of PUBLIC_TABLES) {
      const column = (TABLES[table] as { partitionBy?: string }).partitionBy;
      expect(column).toBeDefined();
      expect(lines.some((l) => /^\| .* \| `\w+` \|$/.test(l) && l.includes(`\`${table}\``) && l.endsWith(`| \`${column}\` |`))).toBe(true);
    }
    expect(doc).toContain('QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY ingest_ts) = 1');
  });
});
