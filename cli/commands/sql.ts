import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { appOf, CommandError, EXIT, exitCodeOf, formatHelp, type Command } from '../command';
import { parseParams, SqlInputError } from '../sql/analyst-sql';
import { formatRows } from '../sql/sql-format';
import { runAnalystSql } from '../sql/sql-runner';

const USAGE = 'obs sql "SELECT …" | obs sql --file query.sql  [--param name=value …] [--csv | --json]';

/**
 * `obs sql`: the analysts' BigQuery SQL (docs/ANALYSTS.md) on the local DuckDB warehouse,
 * read-only; inside `obs start` when it holds the file (cli/local/remote-cli.ts forwards it).
 */
export const sqlCommand: Command = {
  name: 'sql',
  usage: USAGE,
  summary: 'Run a read-only BigQuery-dialect query (as in docs/ANALYSTS.md) on the local warehouse; table, CSV or JSON',
  help: () =>
    formatHelp({
      usage: USAGE,
      description:
        'Runs one query written for BigQuery (docs/ANALYSTS.md: `observability.table` names, @name parameters, UNIX_MILLIS,\n' +
        'TIMESTAMP_MILLIS, JSON_VALUE, QUALIFY, …) on the local DuckDB warehouse, through the project\'s dialect layer\n' +
        '(sql/dialect.ts). Read-only: only SELECT or WITH is accepted, and the file is opened read-only (inside `obs start`\n' +
        'when it holds the file). Local only: with OBS_WAREHOUSE=bigquery use `bq query`.',
      options: [
        { flag: '--file PATH', text: 'read the query from a file instead of the argument' },
        { flag: '--param name=value', text: 'a value for @name; repeat for several. Numbers as numbers; for *_ms parameters an ISO time is accepted' },
        { flag: '--csv', text: 'CSV (RFC 4180) with a header line' },
        { flag: '--json', text: 'a JSON array of row objects' },
      ],
      notes: 'Output: an aligned table by default. Times come back as epoch milliseconds where the query selects UNIX_MILLIS(…).',
      examples: [
        `npx obs sql "SELECT reason_codes, COUNT(*) AS n FROM dead_letters GROUP BY reason_codes ORDER BY n DESC"`,
        'npx obs sql --file sql/golden/queries/analysts_error_budget_remaining.sql --param at_ms=2026-11-26T12:00:00Z --csv',
      ],
    }),
  async run(args, io, context) {
    let values: { file?: string; param?: string[]; csv?: boolean; json?: boolean };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({ args, allowPositionals: true, options: { file: { type: 'string' }, param: { type: 'string', multiple: true }, csv: { type: 'boolean' }, json: { type: 'boolean' } } }));
      if ((values.file === undefined) === (positionals.length === 0)) throw new Error(values.file ? 'give the query as an argument or with --file, not both' : 'a query is required: obs sql "SELECT …" or obs sql --file query.sql');
      if (positionals.length > 1) throw new Error('give the query as one argument (quote it)');
      if (values.csv && values.json) throw new Error('--csv or --json, not both');
    } catch (error) {
      io.err(`obs sql: ${(error as Error).message}\nusage: ${USAGE}`);
      return EXIT.USAGE;
    }
    let sql: string;
    if (values.file !== undefined) {
      try {
        sql = readFileSync(values.file, 'utf8');
      } catch (error) {
        io.err(`obs sql: cannot read ${values.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        return EXIT.NO_INPUT;
      }
      // Golden files start with a generated-code comment line; comments are fine anywhere.
    } else sql = positionals[0] as string;
    try {
      const params = parseParams(values.param ?? [], sql);
      const rows = await runAnalystSql(appOf(context), sql, params);
      io.out(formatRows(rows, values.json ? 'json' : values.csv ? 'csv' : 'table'));
      return EXIT.OK;
    } catch (error) {
      if (error instanceof SqlInputError) {
        io.err(`obs sql: ${error.message}`);
        return EXIT.USAGE;
      }
      if (exitCodeOf(error) !== EXIT.FAILED) throw error; // configuration, unavailable, no input: their own status
      throw new CommandError(error instanceof Error ? error.message : String(error), EXIT.FAILED, { cause: error });
    }
  },
};
