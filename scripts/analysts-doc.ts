import { goldenFiles } from '../sql/golden';
import { PUBLIC_TABLES, TABLES, type TableDef } from '../sql/tables';

/**
 * The generated parts of docs/ANALYSTS.md, kept in step with the code: the column tables of the
 * public tables (from sql/tables.ts) and the BigQuery text of each example query (its golden file,
 * sql/golden/queries/<name>.sql, without the generated-file header). Each part sits between
 *   <!-- BEGIN GENERATED: <what> -->  and  <!-- END GENERATED -->
 * where <what> is `tables` or `query <name>`; everything else in the document is written by hand.
 * `npx tsx scripts/gen-analysts-doc.ts` rewrites the parts; test/unit/sql/analysts-doc.test.ts
 * fails when the document is out of step.
 */
const BLOCK = /(<!-- BEGIN GENERATED: ([^>]*?) -->\n)[\s\S]*?(<!-- END GENERATED -->)/g;

/** The document with every generated part regenerated. Throws on a part it does not know or cannot find the end of. */
export function renderAnalystsDoc(doc: string): string {
  let parts = 0;
  const out = doc.replace(BLOCK, (_all, begin: string, what: string, end: string) => {
    parts++;
    return `${begin}${generatedPart(what)}${end}`;
  });
  const begins = doc.split('<!-- BEGIN GENERATED:').length - 1;
  if (begins !== parts) throw new Error(`docs/ANALYSTS.md: ${begins - parts} generated part(s) without a well-formed BEGIN/END pair`);
  return out;
}

function generatedPart(what: string): string {
  if (what === 'tables') return PUBLIC_TABLES.map((name) => tableSection(TABLES[name])).join('\n');
  const query = /^query ([a-z0-9_]+)$/.exec(what);
  if (query) return '```sql\n' + goldenQueryText(query[1] as string) + '```\n';
  throw new Error(`docs/ANALYSTS.md: unknown generated part "${what}"`);
}

/** The BigQuery text of a query as its golden file holds it, minus the `-- Code generated` header line. */
export function goldenQueryText(name: string): string {
  const file = goldenFiles().get(`queries/${name}.sql`);
  if (file === undefined) throw new Error(`docs/ANALYSTS.md: no query named ${name} in sql/queries`);
  return file.slice(file.indexOf('\n') + 1);
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function tableSection(table: TableDef): string {
  const facts = [];
  if (table.partitionBy) facts.push(`Partitioned by ${table.partitionGranularity === 'HOUR' ? 'hour' : 'day'} on \`${table.partitionBy}\` (filter required).`);
  facts.push(`Key: ${table.key.map((k) => `\`${k}\``).join(', ')}.`);
  if (table.clusterBy?.length) facts.push(`Clustered by ${table.clusterBy.map((c) => `\`${c}\``).join(', ')}.`);
  const rows = table.columns.map((c) => `| \`${c.name}\` | ${c.type}${c.required ? ' NOT NULL' : ''} | ${cell(c.description)} |`);
  return [`### \`${table.name}\``, '', table.description, facts.join(' '), '', '| column | type | meaning |', '|---|---|---|', ...rows, ''].join('\n');
}
