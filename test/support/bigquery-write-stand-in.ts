import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { dirname, join } from 'node:path';
import * as protobuf from 'protobufjs';
import { DescriptorProto } from 'protobufjs/ext/descriptor';
import type { ColumnType, TableDef } from '../../sql/tables';

/**
 * A stand-in for the BigQuery Storage Write API on 127.0.0.1: a real gRPC server built from the
 * protos that ship with @google-cloud/bigquery-storage (build/protos), implementing
 * BigQueryWrite.AppendRows. It decodes each request's rows with the descriptor the writer sent
 * (ProtoSchema in the connection's first request), checks them the way BigQuery does — the
 * descriptor's fields against the table's columns, required fields present, JSON columns valid
 * JSON, timestamps in range — and stores the rows of requests without row errors, per table.
 * A script per test can fail a request instead (a gRPC status, before or after storing it, or an
 * in-band error), which is how tests reach the retry paths.
 */
export type DecodedRow = Record<string, unknown>;

export interface ReceivedAppend {
  /** projects/P/datasets/D/tables/T/streams/_default */
  readonly writeStream: string;
  readonly table: string;
  /** The descriptor this request's rows were decoded with (the connection's ProtoSchema). */
  readonly descriptor: Record<string, unknown>;
  readonly rows: readonly DecodedRow[];
  /** Bytes of the request's serialized rows (their proto encoding, as sent). */
  readonly bytes: number;
  /** 1-based count of appends received so far, this one included. */
  readonly n: number;
}

export type AppendAction =
  | { kind: 'store' }
  /** End the call with this status, storing nothing (or storing the rows first: the acknowledgement is lost). */
  | { kind: 'status'; code: grpc.status; details: string; storeFirst?: boolean }
  /** Answer with AppendRowsResponse.error, storing nothing. */
  | { kind: 'in-band-error'; code: grpc.status; message: string }
  /** Refuse these rows (indexes into the request) as BigQuery does a row it cannot store: row_errors, and none of the request appended. */
  | { kind: 'row-errors'; rows: readonly number[]; message: string };

export type AppendScript = (append: ReceivedAppend) => AppendAction | undefined;

export interface WriteStandIn {
  readonly port: number;
  /** Writer client options that reach this server. */
  readonly clientOptions: { apiEndpoint: string; port: number; sslCreds: grpc.ChannelCredentials; projectId: string };
  /** Every append received, in order (including refused and failed ones). */
  readonly appends: ReceivedAppend[];
  /** Rows stored per table name. */
  stored(table: string): DecodedRow[];
  script(script: AppendScript): void;
  close(): Promise<void>;
}

// build/src/index.js → build/protos, for the package and for google-gax (google/api, google/rpc).
const STORAGE_MAIN = require.resolve('@google-cloud/bigquery-storage');
const PROTOS = join(dirname(STORAGE_MAIN), '..', 'protos');
const GAX_PROTOS = join(dirname(require.resolve('google-gax', { paths: [dirname(STORAGE_MAIN)] })), '..', 'protos');

/** What a column's proto field must be (the Storage Write API's type mapping for proto2 rows). */
const PROTO_TYPE: Record<ColumnType, string> = {
  STRING: 'TYPE_STRING',
  JSON: 'TYPE_STRING',
  INT64: 'TYPE_INT64',
  TIMESTAMP: 'TYPE_INT64',
  FLOAT64: 'TYPE_DOUBLE',
  BOOL: 'TYPE_BOOL',
};
// BigQuery's TIMESTAMP range, in ms (the micros beyond 2^53 are not exact as numbers).
const MIN_TIMESTAMP_MS = -62_135_596_800_000; // 0001-01-01T00:00:00Z
const MAX_TIMESTAMP_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

interface AppendRowsRequest {
  writeStream?: string;
  protoRows?: { writerSchema?: { protoDescriptor?: Record<string, unknown> }; rows?: { serializedRows?: Buffer[] } };
}

class StatusError extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(details);
  }
}

export async function startWriteStandIn(tables: readonly TableDef[], projectId = 'obs-test'): Promise<WriteStandIn> {
  const definition = protoLoader.loadSync('google/cloud/bigquery/storage/v1/storage.proto', {
    includeDirs: [PROTOS, GAX_PROTOS],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    google: { cloud: { bigquery: { storage: { v1: { BigQueryWrite: grpc.ServiceClientConstructor } } } } };
  };
  const service = loaded.google.cloud.bigquery.storage.v1.BigQueryWrite.service;
  const byName = new Map(tables.map((t) => [t.name, t]));
  const appends: ReceivedAppend[] = [];
  const stored = new Map<string, DecodedRow[]>();
  let script: AppendScript = () => undefined;

  const appendRows = (call: grpc.ServerDuplexStream<AppendRowsRequest, unknown>) => {
    let writeStream: string | undefined;
    let descriptor: Record<string, unknown> | undefined;
    let type: protobuf.Type | undefined;
    let table: TableDef | undefined;
    let failed = false; // after a status the call is over: requests still in flight are not processed
    call.on('data', (request: AppendRowsRequest) => {
      if (failed) return;
      try {
        // The first request of a connection names the stream and carries the schema; later
        // ones may repeat them (the Node writer does).
        if (request.writeStream) writeStream = request.writeStream;
        const sent = request.protoRows?.writerSchema?.protoDescriptor;
        if (sent) {
          descriptor = sent;
          type = protobuf.Type.fromDescriptor(DescriptorProto.fromObject(sent));
        }
        if (!writeStream) throw new StatusError(grpc.status.INVALID_ARGUMENT, 'the first request of a connection must name write_stream');
        if (!descriptor || !type) throw new StatusError(grpc.status.INVALID_ARGUMENT, 'the first request of a connection must carry writer_schema');
        const match = /^projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)\/streams\/_default$/.exec(writeStream);
        if (!match) throw new StatusError(grpc.status.INVALID_ARGUMENT, `not a default stream: ${writeStream}`);
        table = byName.get(match[3]!);
        if (match[1] !== projectId || !table) throw new StatusError(grpc.status.NOT_FOUND, `Table ${match[1]}:${match[2]}.${match[3]} not found`);
        checkDescriptor(table, descriptor);
        const serialized = request.protoRows?.rows?.serializedRows ?? [];
        const rows: DecodedRow[] = [];
        const rowErrors: Array<{ index: number; code: string; message: string }> = [];
        serialized.forEach((bytes, index) => {
          try {
            const message = type!.decode(bytes);
            const row: DecodedRow = type!.toObject(message, { longs: Number });
            checkRow(table!, row);
            rows.push(row);
          } catch (error) {
            rowErrors.push({ index, code: 'FIELDS_ERROR', message: (error as Error).message });
          }
        });
        const bytes = serialized.reduce((sum, b) => sum + b.length, 0);
        const append: ReceivedAppend = { writeStream, table: table.name, descriptor, rows, bytes, n: appends.length + 1 };
        appends.push(append);
        if (rowErrors.length > 0) {
          // BigQuery appends none of a request with row errors.
          call.write({ error: { code: grpc.status.INVALID_ARGUMENT, message: 'Errors found while processing rows.' }, rowErrors, writeStream });
          return;
        }
        const action = script(append) ?? { kind: 'store' };
        const store = () => stored.set(table!.name, [...(stored.get(table!.name) ?? []), ...rows]);
        if (action.kind === 'status') {
          if (action.storeFirst) store();
          throw new StatusError(action.code, action.details);
        }
        if (action.kind === 'row-errors') {
          const scripted = action.rows.map((index) => ({ index, code: 'FIELDS_ERROR', message: action.message }));
          call.write({ error: { code: grpc.status.INVALID_ARGUMENT, message: 'Errors found while processing rows.' }, rowErrors: scripted, writeStream });
          return;
        }
        if (action.kind === 'in-band-error') {
          call.write({ error: { code: action.code, message: action.message }, writeStream });
          return;
        }
        store();
        call.write({ appendResult: {}, writeStream });
      } catch (error) {
        failed = true;
        if (error instanceof StatusError) call.emit('error', { code: error.code, details: error.details });
        else call.emit('error', { code: grpc.status.INTERNAL, details: `stand-in: ${(error as Error).message}` });
      }
    });
    call.on('end', () => call.end());
  };

  const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback({ code: grpc.status.UNIMPLEMENTED, details: 'not in the stand-in' });
  const server = new grpc.Server();
  server.addService(service, {
    appendRows,
    createWriteStream: unimplemented,
    getWriteStream: unimplemented,
    finalizeWriteStream: unimplemented,
    batchCommitWriteStreams: unimplemented,
    flushRows: unimplemented,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );

  return {
    port,
    clientOptions: { apiEndpoint: '127.0.0.1', port, sslCreds: grpc.credentials.createInsecure(), projectId },
    appends,
    stored: (name) => stored.get(name) ?? [],
    script: (next) => {
      script = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 2_000).unref();
      }),
  };
}

/** Like BigQuery: every field of the writer's descriptor must be a column, of a matching type. */
function checkDescriptor(table: TableDef, descriptor: Record<string, unknown>): void {
  const fields = (descriptor.field ?? []) as Array<{ name?: string; type?: string; label?: string }>;
  for (const field of fields) {
    const column = table.columns.find((c) => c.name === field.name);
    if (!column) throw new StatusError(grpc.status.INVALID_ARGUMENT, `Input schema has more fields than BigQuery schema, extra fields: '${String(field.name)}'`);
    if (field.type !== PROTO_TYPE[column.type]) {
      throw new StatusError(grpc.status.INVALID_ARGUMENT, `The proto field ${column.name} has type ${String(field.type)}, which cannot be written to a ${column.type} column`);
    }
  }
}

/** Row-level checks BigQuery makes: required columns present, JSON parses, timestamps in range. */
function checkRow(table: TableDef, row: DecodedRow): void {
  for (const column of table.columns) {
    const value = row[column.name];
    if (value === undefined || value === null) {
      if (column.required) throw new Error(`Field ${column.name} is REQUIRED but missing`);
      continue;
    }
    if (column.type === 'JSON') {
      try {
        if (typeof value !== 'string') throw new Error('not text');
        JSON.parse(value);
      } catch {
        throw new Error(`Invalid JSON in field ${column.name}`);
      }
    }
    if (column.type === 'TIMESTAMP' && (typeof value !== 'number' || value / 1000 < MIN_TIMESTAMP_MS || value / 1000 > MAX_TIMESTAMP_MS)) {
      throw new Error(`Timestamp field ${column.name} out of range: ${JSON.stringify(value)}`);
    }
  }
}
