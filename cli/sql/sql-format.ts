import type { Row, SqlValue } from '../../sql/warehouse';

/** `obs sql`'s output formats. */
export type SqlFormat = 'table' | 'csv' | 'json';

const text = (v: SqlValue): string => (v === null ? 'NULL' : typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(12))) : String(v));

/** Aligned columns, a header, and the row count; numbers right-aligned. */
export function formatTable(rows: readonly Row[]): string {
  if (rows.length === 0) return '(0 rows)';
  const columns = Object.keys(rows[0] as Row);
  const cells = rows.map((r) => columns.map((c) => text(r[c] ?? null)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] as string).length)));
  const numeric = columns.map((c) => rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  const line = (row: readonly string[]) => row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number))).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), `(${rows.length} row${rows.length === 1 ? '' : 's'})`].join('\n');
}

/** RFC 4180: a header line, fields quoted when they hold a comma, quote or line break; NULL as an empty field. */
export function formatCsv(rows: readonly Row[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0] as Row);
  const field = (v: SqlValue) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.map((c) => field(c)).join(','), ...rows.map((r) => columns.map((c) => field(r[c] ?? null)).join(','))].join('\n');
}

export function formatRows(rows: readonly Row[], format: SqlFormat): string {
  if (format === 'json') return JSON.stringify(rows, null, 2);
  return format === 'csv' ? formatCsv(rows) : formatTable(rows);
}
