import { adapt, protos } from '@google-cloud/bigquery-storage';
import type { ColumnType, TableDef } from '../../tables';
import type { SqlValue } from '../../warehouse';
import type { StreamingRow } from '../bigquery-values';

type IDescriptorProto = protos.google.protobuf.IDescriptorProto;

/**
 * A row as the managed writer's JSONWriter encodes it against the descriptor below: TIMESTAMP as
 * INT64 microseconds since the epoch, JSON as its text (both what the Storage Write API documents
 * for a proto2 row), STRING, FLOAT64, INT64 and BOOL as themselves; NULL columns left out.
 */
export type StorageRow = Record<string, string | number | boolean>;

/** BigQuery's REST type names, as adapt.convertBigQuerySchemaToStorageTableSchema reads them. */
const REST_TYPE: Record<ColumnType, string> = {
  STRING: 'STRING',
  INT64: 'INT64',
  FLOAT64: 'FLOAT64',
  BOOL: 'BOOL',
  TIMESTAMP: 'TIMESTAMP',
  JSON: 'JSON',
};

/**
 * The proto2 descriptor the writer sends with its rows, built from the table's definition in
 * sql/tables.ts (the same definition the golden DDL is rendered from) with the package's own
 * adapter, so no tables.get request is needed before the first append. REQUIRED columns become
 * `required` fields: a row without one fails in the encoder, before it is sent. The table must
 * have every column (createSchema's migrations add the ones added since it was created); an older
 * table without one refuses the append with INVALID_ARGUMENT, which the writer reports.
 */
export function storageDescriptor(table: TableDef): IDescriptorProto {
  const schema = adapt.convertBigQuerySchemaToStorageTableSchema({
    fields: table.columns.map((c) => ({ name: c.name, type: REST_TYPE[c.type], mode: c.required ? 'REQUIRED' : 'NULLABLE' })),
  });
  return adapt.convertStorageSchemaToProto2Descriptor(schema, 'root');
}

/**
 * The Storage Write API row of a streaming row: the same columns and values the insertAll path
 * sends (bigquery-values.ts builds both), with the RFC 3339 timestamps turned into microseconds.
 * A column the table does not have is a bug here, not bad data: it throws.
 */
export function storageRow(table: TableDef, row: StreamingRow): StorageRow {
  const out: StorageRow = {};
  for (const [name, value] of Object.entries(row.json)) {
    if (value === null || value === undefined) continue;
    const column = table.columns.find((c) => c.name === name);
    if (!column) throw new Error(`${table.name} has no column ${name}`);
    out[name] = column.type === 'TIMESTAMP' ? timestampMicros(value, table.name, name) : value;
  }
  return out;
}

function timestampMicros(value: SqlValue, table: string, column: string): number {
  const ms = typeof value === 'number' ? value : Date.parse(String(value));
  if (!Number.isFinite(ms)) throw new Error(`${table}.${column}: ${JSON.stringify(value)} is not a timestamp`);
  return ms * 1000;
}
