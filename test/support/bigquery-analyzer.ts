import { startZetaSqlServer, type ZetaSqlServer } from './zetasql-server';

/**
 * Checks BigQuery SQL with the GoogleSQL (ZetaSQL) analyzer, BigQuery's own front end: names,
 * types and function signatures, against a catalog built from the project's DDL, with parameters
 * typed as the BigQuery adapter binds them. Test-only (test/unit/sql/bigquery-analyzer.test.ts).
 *
 * Language: PRODUCT_EXTERNAL (BigQuery's type names: FLOAT64, no INT32/UINT64/proto types) and
 * only the language features below — each one BigQuery documents and the project's SQL uses — so a
 * statement that needs a ZetaSQL feature BigQuery lacks is rejected. Keep sql/bigquery/README.md's
 * list in step.
 */
export const BIGQUERY_LANGUAGE_FEATURES = [
  'FEATURE_ANALYTIC_FUNCTIONS', // OVER (…): ROW_NUMBER, LEAD, running SUMs
  'FEATURE_V_1_3_QUALIFY', // QUALIFY ROW_NUMBER() OVER (…) = 1
  'FEATURE_V_1_1_WITH_ON_SUBQUERY', // WITH inside a subquery (MERGE … USING (WITH … SELECT …))
  'FEATURE_V_1_3_NULLS_FIRST_LAST_IN_ORDER_BY', // ORDER BY x DESC NULLS LAST
  'FEATURE_JSON_TYPE', // JSON columns
  'FEATURE_JSON_ARRAY_FUNCTIONS', // JSON_QUERY_ARRAY
  'FEATURE_JSON_VALUE_EXTRACTION_FUNCTIONS', // INT64(json), FLOAT64(json), …
  'FEATURE_JSON_LAX_VALUE_EXTRACTION_FUNCTIONS', // LAX_INT64(json)
  'FEATURE_NUMERIC_TYPE', // BigQuery has NUMERIC (our tables do not use it; built-ins return it)
  'FEATURE_BIGNUMERIC_TYPE',
  'FEATURE_CREATE_TABLE_PARTITION_BY', // PARTITION BY DATE(col)
  'FEATURE_CREATE_TABLE_CLUSTER_BY', // CLUSTER BY …
  'FEATURE_CREATE_TABLE_NOT_NULL', // col TYPE NOT NULL
  'FEATURE_CREATE_TABLE_FIELD_ANNOTATIONS', // column OPTIONS(description=…)
] as const;

/** The statements BigQuery runs for us: queries, DDL (CREATE TABLE, ALTER TABLE … ADD COLUMN / RENAME TO, DROP TABLE) and DML. */
const STATEMENT_KINDS = [
  'RESOLVED_QUERY_STMT',
  'RESOLVED_CREATE_TABLE_STMT',
  'RESOLVED_CREATE_TABLE_AS_SELECT_STMT', // CREATE TEMP TABLE … AS SELECT: a script's temporary table (the minute recompute)
  'RESOLVED_ALTER_TABLE_STMT',
  'RESOLVED_INSERT_STMT',
  'RESOLVED_UPDATE_STMT',
  'RESOLVED_DELETE_STMT',
  'RESOLVED_MERGE_STMT',
  'RESOLVED_DROP_STMT', // DROP TABLE: the last step of `obs migrate events-hourly`
];

const LANGUAGE_OPTIONS = {
  productMode: 'PRODUCT_EXTERNAL',
  nameResolutionMode: 'NAME_RESOLUTION_DEFAULT',
  enabledLanguageFeatures: [...BIGQUERY_LANGUAGE_FEATURES],
  supportedStatementKinds: STATEMENT_KINDS,
};

/**
 * A parameter type as the BigQuery client takes it in `types` (what the adapter passes): a type
 * name, `[element]` for an ARRAY, `{ field: type }` for a STRUCT.
 */
export type ProvidedType = string | readonly ProvidedType[] | { readonly [field: string]: ProvidedType };

interface TypeProto {
  typeKind: string;
  arrayType?: { elementType: TypeProto };
  structType?: { field: Array<{ fieldName: string; fieldType: TypeProto }> };
}

const TYPE_KINDS: Record<string, string> = {
  INT64: 'TYPE_INT64',
  FLOAT64: 'TYPE_DOUBLE',
  NUMERIC: 'TYPE_NUMERIC',
  BIGNUMERIC: 'TYPE_BIGNUMERIC',
  STRING: 'TYPE_STRING',
  BYTES: 'TYPE_BYTES',
  BOOL: 'TYPE_BOOL',
  TIMESTAMP: 'TYPE_TIMESTAMP',
  DATE: 'TYPE_DATE',
  JSON: 'TYPE_JSON',
};

export function typeProto(type: ProvidedType): TypeProto {
  if (Array.isArray(type)) {
    if (type.length !== 1) throw new Error(`an ARRAY type has one element type, not ${type.length}`);
    return { typeKind: 'TYPE_ARRAY', arrayType: { elementType: typeProto(type[0] as ProvidedType) } };
  }
  if (typeof type === 'object') {
    const fields = type as { readonly [field: string]: ProvidedType };
    return { typeKind: 'TYPE_STRUCT', structType: { field: Object.entries(fields).map(([fieldName, t]) => ({ fieldName, fieldType: typeProto(t) })) } };
  }
  const kind = TYPE_KINDS[type];
  if (kind === undefined) throw new Error(`no ZetaSQL type for the BigQuery parameter type ${String(type)}`);
  return { typeKind: kind };
}

/**
 * MAX_BY / MIN_BY: BigQuery has them (aliases of ANY_VALUE(x HAVING MAX/MIN y)); the ZetaSQL build
 * in the npm package does not, so they are declared here with BigQuery's signature:
 * MAX_BY(x ANY_1, y ANY_2) → ANY_1, an aggregate.
 */
const CUSTOM_FUNCTIONS = ['MAX_BY', 'MIN_BY'].map((name) => ({
  namePath: [name],
  group: 'BigQuery',
  mode: 'AGGREGATE',
  signature: [
    {
      argument: [
        { kind: 'ARG_TYPE_ANY_1', numOccurrences: 1, options: { cardinality: 'REQUIRED' } },
        { kind: 'ARG_TYPE_ANY_2', numOccurrences: 1, options: { cardinality: 'REQUIRED', mustSupportOrdering: true } },
      ],
      returnType: { kind: 'ARG_TYPE_ANY_1', numOccurrences: 1, options: { cardinality: 'REQUIRED' } },
      contextId: '0',
    },
  ],
}));

export interface TableColumns {
  /** As the SQL names it: `dataset.table` (one backquoted identifier in the rendered SQL). */
  readonly name: string;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: TypeProto }>;
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly message: string };

export interface BigQueryAnalyzer {
  /**
   * Resolves the tables of CREATE TABLE statements with the analyzer itself (the columns and types
   * the DDL declares) and makes them the catalog every later `analyse` resolves names in.
   */
  defineTables(ddl: readonly string[]): Promise<TableColumns[]>;
  /** Analyses one statement, or every statement of a script (`;`-separated) when `script`. */
  analyse(sql: string, parameters: Readonly<Record<string, ProvidedType>>, options?: { script?: boolean }): Promise<Verdict>;
  stop(): Promise<void>;
}

interface ResolvedColumn {
  name: string;
  type: TypeProto;
}
interface CreateTableAsSelectResponse {
  resolvedStatement?: { resolvedCreateStatementNode?: { resolvedCreateTableStmtBaseNode?: { resolvedCreateTableAsSelectStmtNode?: { parent?: { parent?: { namePath?: string[] }; columnDefinitionList?: ResolvedColumn[] } } } } };
}
interface CreateTableResponse {
  resolvedStatement?: { resolvedCreateStatementNode?: { resolvedCreateTableStmtBaseNode?: { resolvedCreateTableStmtNode?: { parent?: { parent?: { namePath?: string[] }; columnDefinitionList?: ResolvedColumn[] } } } } };
}

const message = (error: unknown) => ((error as { details?: string }).details ?? String(error)).trim();

export async function startBigQueryAnalyzer(): Promise<BigQueryAnalyzer> {
  const server: ZetaSqlServer = await startZetaSqlServer();
  let catalog: object = { name: 'bigquery', builtinFunctionOptions: { languageOptions: LANGUAGE_OPTIONS }, customFunction: CUSTOM_FUNCTIONS };
  const analyzerOptions = (parameters: Readonly<Record<string, ProvidedType>>) => ({
    languageOptions: LANGUAGE_OPTIONS,
    errorMessageMode: 'ERROR_MESSAGE_ONE_LINE',
    parameterMode: 'PARAMETER_NAMED',
    queryParameters: Object.entries(parameters).map(([name, type]) => ({ name, type: typeProto(type) })),
    defaultTimezone: 'UTC', // BigQuery's
  });

  return {
    async defineTables(ddl) {
      const tables: TableColumns[] = [];
      for (const sql of ddl) {
        const response = await server.call<CreateTableResponse>('analyze', { options: analyzerOptions({}), simpleCatalog: catalog, sqlStatement: sql });
        const node = response.resolvedStatement?.resolvedCreateStatementNode?.resolvedCreateTableStmtBaseNode?.resolvedCreateTableStmtNode?.parent;
        const name = node?.parent?.namePath?.join('.');
        if (!node || name === undefined) throw new Error(`not a CREATE TABLE statement: ${sql.slice(0, 80)}`);
        tables.push({ name, columns: (node.columnDefinitionList ?? []).map((c) => ({ name: c.name, type: c.type })) });
      }
      catalog = { ...catalog, table: tables.map((t) => ({ name: t.name, column: t.columns })) };
      return tables;
    },

    async analyse(sql, parameters, options = {}) {
      const request = { options: analyzerOptions(parameters), simpleCatalog: catalog };
      try {
        if (!options.script) {
          await server.call('analyze', { ...request, sqlStatement: sql });
          return { ok: true };
        }
        // A script: the analyzer resumes after each statement it resolved. A temporary table the
        // script creates (CREATE TEMP TABLE … AS SELECT) joins the catalog for the statements after
        // it, with the columns and types the analyzer resolved for it — as BigQuery would have it.
        const input = Buffer.from(sql);
        let position = 0;
        let scriptCatalog = catalog as { table?: unknown[] };
        while (input.subarray(position).toString().replace(/--[^\n]*/g, '').trim() !== '') {
          const response = await server.call<CreateTableAsSelectResponse & { resumeBytePosition?: number }>('analyze', { ...request, simpleCatalog: scriptCatalog, parseResumeLocation: { input: sql, bytePosition: position, allowResume: true } });
          if (response.resumeBytePosition === undefined || response.resumeBytePosition <= position) throw new Error(`the analyzer did not advance past byte ${position}`);
          position = response.resumeBytePosition;
          const created = response.resolvedStatement?.resolvedCreateStatementNode?.resolvedCreateTableStmtBaseNode?.resolvedCreateTableAsSelectStmtNode?.parent;
          const name = created?.parent?.namePath?.join('.');
          if (created && name !== undefined) {
            const table = { name, column: (created.columnDefinitionList ?? []).map((c) => ({ name: c.name, type: c.type })) };
            scriptCatalog = { ...scriptCatalog, table: [...(scriptCatalog.table ?? []), table] };
          }
        }
        return { ok: true };
      } catch (error) {
        return { ok: false, message: message(error) };
      }
    },

    stop: () => server.stop(),
  };
}
