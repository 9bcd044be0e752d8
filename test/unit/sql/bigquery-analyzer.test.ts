import { allQueries } from '../../../sql/golden';
import { TABLES } from '../../../sql/tables';
import { describeWhenAvailable } from '../../support/ci-gate';
import { startBigQueryAnalyzer, type BigQueryAnalyzer, type Verdict } from '../../support/bigquery-analyzer';
import { allBigQueryStatements, ddlStatements, informationSchemaCatalogStatements, docSqlBlocks, eventsHourlyMigrationStatements, isBigQueryBlock, migrationCatalogStatements, queryStatements, type BigQueryStatement } from '../../support/bigquery-statements';
import { zetasqlPrerequisite } from '../../support/zetasql-server';

/**
 * Every statement the project can send to BigQuery, checked by BigQuery's own SQL front end (the
 * GoogleSQL/ZetaSQL analyzer, run locally): names, types and function signatures against the
 * tables our DDL creates, with parameters typed as the adapter binds them. DuckDB runs the same
 * SQL in the other tests and accepts things BigQuery refuses (a NULL STRING in TIMESTAMP_MILLIS).
 * See sql/bigquery/README.md, "How the SQL is checked". Run just this: npx jest bigquery-analyzer
 */
/** The analyzer's verdict on each statement; one with a parameter the adapter cannot type is rejected without asking. */
async function analyseAll(analyzer: BigQueryAnalyzer, statements: readonly BigQueryStatement[]): Promise<Map<BigQueryStatement, Verdict>> {
  const verdicts = new Map<BigQueryStatement, Verdict>();
  for (const statement of statements) {
    const verdict: Verdict =
      statement.untyped.length > 0
        ? { ok: false, message: `parameter(s) ${statement.untyped.map((p) => `@${p}`).join(', ')} have no BigQuery type (sql/bigquery/bigquery-parameters.ts): the adapter would refuse the query` }
        : await analyzer.analyse(statement.sql, statement.parameters, { script: statement.script === true });
    verdicts.set(statement, verdict);
  }
  return verdicts;
}

/** One line per rejected statement: where it comes from and the analyzer's message. */
const rejections = (verdicts: Map<BigQueryStatement, Verdict>) => [...verdicts].flatMap(([s, v]) => (v.ok ? [] : [`${s.id}: ${v.message}`]));

describeWhenAvailable('BigQuery SQL, checked by the GoogleSQL analyzer against our DDL', zetasqlPrerequisite(), () => {
  let analyzer: BigQueryAnalyzer;
  const statements = allBigQueryStatements();
  let verdicts = new Map<BigQueryStatement, Verdict>();

  beforeAll(async () => {
    analyzer = await startBigQueryAnalyzer();
    await analyzer.defineTables([...ddlStatements(), ...migrationCatalogStatements(), ...informationSchemaCatalogStatements()].map((s) => s.sql));
    verdicts = await analyseAll(analyzer, statements);
  }, 180_000);
  afterAll(() => analyzer?.stop());

  it('accepts every statement: the DDL, every named query, every MERGE of upsert, and the BigQuery SQL in the docs', () => {
    expect(rejections(verdicts)).toEqual([]);
  });

  it('analyses every named query, every table’s CREATE TABLE and MERGE, and the docs’ BigQuery blocks — none skipped', () => {
    const count = (kind: BigQueryStatement['kind']) => [...verdicts.keys()].filter((s) => s.kind === kind).length;
    const queries = allQueries().length;
    const tables = Object.keys(TABLES).length;
    expect(verdicts.size).toBe(statements.length);
    expect(count('query')).toBeGreaterThanOrEqual(queries);
    expect(count('query')).toBeGreaterThan(50);
    expect(count('ddl')).toBeGreaterThanOrEqual(tables);
    expect(count('merge')).toBe(2 * tables);
    expect(count('doc')).toBeGreaterThanOrEqual(10);
    // The number the issue asks for, in the test output.
    console.log(`BigQuery analyzer: ${verdicts.size} statements analysed (${queries} named queries, ${count('ddl')} DDL, ${count('merge')} MERGE, ${count('doc')} doc blocks)`);
  });

  it('analyses every statement of obs migrate events-hourly (the move of an existing metric_events to hour partitions): create, copy, tail, verify, swap, drop', () => {
    const migration = eventsHourlyMigrationStatements();
    const kinds = new Set(migration.map((s) => /\((\w+)\)$/.exec(s.id)?.[1]));
    expect([...kinds]).toEqual(['create', 'copy', 'tail', 'verify', 'swap', 'drop']);
    const byId = new Map([...verdicts].map(([s, v]) => [s.id, v]));
    for (const s of migration) expect([s.id, byId.get(s.id)]).toEqual([s.id, { ok: true }]);
    expect(migration[0]?.sql).toContain('PARTITION BY TIMESTAMP_TRUNC(event_ts, HOUR)');
  });

  it('treats a ```sql block of the docs as BigQuery unless it is a DuckDB example that says so', () => {
    const notBigQuery = docSqlBlocks().filter((b) => !isBigQueryBlock(b));
    for (const block of notBigQuery) expect(`${block.id}: ${block.before}`).toMatch(/DuckDB/);
  });

  it('reports a broken statement among good ones by its id and the analyzer’s message, and an untyped parameter without asking', async () => {
    const [good] = queryStatements();
    if (good === undefined) throw new Error('no named queries');
    const fixture: BigQueryStatement[] = [
      good,
      { kind: 'query', id: 'fixture/untyped_null', sql: 'SELECT TIMESTAMP_MILLIS(@delivered_at_ms) AS t', parameters: { delivered_at_ms: 'STRING' }, untyped: [] },
      { kind: 'query', id: 'fixture/unknown_parameter', sql: 'SELECT @mystery AS m', parameters: {}, untyped: ['mystery'] },
      { kind: 'doc', id: 'fixture/doc.md:1', sql: 'SELECT 1 AS one;\nSELECT no_such_column FROM `observability.job_state`;', parameters: {}, untyped: [], script: true },
    ];
    expect(rejections(await analyseAll(analyzer, fixture))).toEqual([
      'fixture/untyped_null: No matching signature for function TIMESTAMP_MILLIS for argument types: STRING. Supported signature: TIMESTAMP_MILLIS(INT64) [at 1:8]',
      'fixture/unknown_parameter: parameter(s) @mystery have no BigQuery type (sql/bigquery/bigquery-parameters.ts): the adapter would refuse the query',
      'fixture/doc.md:1: Unrecognized name: no_such_column [at 2:8]',
    ]);
  });

  // The check must be able to fail: statements BigQuery refuses, with the analyzer's reason.
  it.each([
    [
      'a NULL parameter sent untyped (as STRING) into TIMESTAMP_MILLIS — the bug of issue #13',
      'UPDATE `observability.alert_notifications` SET delivered_at = TIMESTAMP_MILLIS(@delivered_at_ms) WHERE notification_id = @id',
      { delivered_at_ms: 'STRING', id: 'STRING' },
      /No matching signature for function TIMESTAMP_MILLIS for argument types: STRING/,
    ],
    ['a column the table does not have', 'SELECT no_such_column FROM `observability.metric_events` WHERE event_ts >= TIMESTAMP_MILLIS(0)', {}, /Unrecognized name: no_such_column/],
    ['a table the DDL does not create', 'SELECT 1 FROM `observability.no_such_table`', {}, /Table not found/],
    ['a DuckDB function BigQuery does not have', 'SELECT epoch_ms(event_ts) FROM `observability.metric_events` WHERE event_ts >= TIMESTAMP_MILLIS(0)', {}, /Function not found: epoch_ms/],
    ['a type BigQuery does not have (UINT64: ZetaSQL internal mode only)', 'SELECT CAST(1 AS UINT64)', {}, /Type not found: UINT64/],
    ['comparing a STRING column with an INT64 parameter', 'SELECT 1 FROM `observability.job_state` WHERE job = @job', { job: 'INT64' }, /No matching signature for operator =/],
    ['a MERGE inserting a JSON column from a STRING without PARSE_JSON', 'MERGE `observability.job_state` AS t USING (SELECT \'a\' AS job, \'{}\' AS r) AS s ON t.job = s.job WHEN NOT MATCHED THEN INSERT (job, last_result) VALUES (s.job, s.r)', {}, /Value has type STRING which cannot be inserted into column last_result, which has type JSON/],
  ] as const)('rejects %s', async (_name, sql, parameters, expected) => {
    const verdict = await analyzer.analyse(sql, parameters);
    expect(verdict.ok).toBe(false);
    expect((verdict as { message: string }).message).toMatch(expected);
  });

  it('analyses a script’s MERGEs against the temporary table it creates, with the columns BigQuery would give it', async () => {
    const script = queryStatements().find((s) => s.id === 'query/rollup_merge_minute_windows');
    if (script === undefined) throw new Error('no rollup_merge_minute_windows');
    expect(script.script).toBe(true);
    expect(await analyzer.analyse(script.sql, script.parameters, { script: true })).toEqual({ ok: true });
    // service is a column of metric_events the temporary table does not copy: a MERGE reading it is rejected.
    const broken = script.sql.replace('ANY_VALUE(tags) AS tags', 'ANY_VALUE(service) AS tags');
    expect(broken).not.toBe(script.sql);
    const verdict = await analyzer.analyse(broken, script.parameters, { script: true });
    expect(verdict).toEqual({ ok: false, message: expect.stringMatching(/Unrecognized name: service/) });
    // Without the CREATE, the table is unknown to the MERGEs.
    const withoutCreate = script.sql.slice(script.sql.indexOf('MERGE INTO'));
    expect(await analyzer.analyse(withoutCreate, script.parameters, { script: true })).toEqual({ ok: false, message: expect.stringMatching(/Table not found: span_events/) });
  });

  it('knows MAX_BY and MIN_BY (BigQuery has them; the analyzer build lacks them, so the catalog declares them) with their types', async () => {
    const sql = 'SELECT MAX_BY(value, event_ts) + 1 AS v, MIN_BY(name, event_ts) AS n FROM `observability.metric_events` WHERE event_ts >= TIMESTAMP_MILLIS(0)';
    expect(await analyzer.analyse(sql, {})).toEqual({ ok: true });
    const typed = await analyzer.analyse('SELECT MAX_BY(name, event_ts) + 1 FROM `observability.metric_events` WHERE event_ts >= TIMESTAMP_MILLIS(0)', {});
    expect(typed).toMatchObject({ ok: false, message: expect.stringMatching(/No matching signature for operator \+ for argument types: STRING, INT64/) });
  });
});
