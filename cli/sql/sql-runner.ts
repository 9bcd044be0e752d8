import { existsSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import type { LocalApp } from '../../app/local';
import { defineQuery } from '../../sql/dialect';
import { duckDbResources } from '../../sql/open-warehouse';
import { normaliseRow } from '../../sql/duckdb/duckdb-warehouse';
import type { Params, Row } from '../../sql/warehouse';
import { CommandError, EXIT } from '../command';
import { checkParsed, checkReadOnly, PARSE_CHECK_SQL, renderForDuckDb, TEMP_COMPAT_MACROS, toDialectText } from './analyst-sql';

/**
 * Runs one analyst query read-only on the local DuckDB warehouse. Three guards: the text must be
 * one SELECT/WITH (analyst-sql.ts); DuckDB's parser must agree (json_serialize_sql); and, when this
 * process opens the file itself, it opens it READ_ONLY, so DuckDB refuses any write. Inside
 * `obs start` (which holds the file and lends its warehouse) the first two apply.
 */
export async function runAnalystSql(app: LocalApp, sql: string, params: Params): Promise<Row[]> {
  checkReadOnly(sql);
  if (app.config.warehouse !== 'duckdb') {
    throw new CommandError('obs sql runs on the local DuckDB warehouse, and OBS_WAREHOUSE is bigquery: run the query with `bq query --use_legacy_sql=false` (docs/ANALYSTS.md)', EXIT.CONFIG);
  }
  const rendered = renderForDuckDb(sql);
  if (app.lendsWarehouse) {
    return app.withWarehouse(async (warehouse) => {
      const [check] = await warehouse.query<{ parsed: string }>(defineQuery('obs_sql_parse_check', PARSE_CHECK_SQL), { sql: rendered });
      checkParsed(String(check?.parsed ?? ""));
      return warehouse.query(defineQuery('obs_sql', toDialectText(sql)), params);
    });
  }
  const path = app.config.duckdbPath;
  if (!existsSync(path)) throw new CommandError(`no warehouse at ${path} yet: run \`npx obs start\` or \`npx obs ingest --file …\` first (or set OBS_DUCKDB_PATH)`, EXIT.NO_INPUT);
  let instance: DuckDBInstance;
  try {
    const { memoryLimit, threads } = duckDbResources();
    instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY', ...(memoryLimit ? { memory_limit: memoryLimit } : {}), ...(threads ? { threads: String(threads) } : {}) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = /lock/i.test(message) ? ' (another process writes to it; if it is obs start, check .data/stack.json is readable)' : '';
    throw new CommandError(`cannot open ${path} read-only: ${message}${hint}`, EXIT.UNAVAILABLE, { cause: error });
  }
  const connection = await instance.connect();
  try {
    for (const macro of TEMP_COMPAT_MACROS) await connection.run(macro);
    const check = await connection.runAndReadAll(PARSE_CHECK_SQL, { sql: rendered });
    const parsed = check.getRowObjectsJS()[0]?.parsed;
    checkParsed(typeof parsed === 'string' ? parsed : '');
    const reader = await connection.runAndReadAll(rendered, params);
    return reader.getRowObjectsJS().map(normaliseRow);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
