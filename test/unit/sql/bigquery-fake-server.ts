import { BigQuery } from '@google-cloud/bigquery';
import { createServer, type Server } from 'node:http';

/**
 * A stand-in for the BigQuery REST API on 127.0.0.1: it records every request the real client
 * sends and answers from a per-test script. There is no BigQuery emulator; what we can check is
 * that the adapter sends the right REST requests (tabledata.insertAll, jobs.query, datasets, …).
 */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. /bigquery/v2/projects/p/datasets/d/tables/t/insertAll. */
  path: string;
  /** The JSON body, parsed; tests cast it to the REST shape they check. */
  body: unknown;
}

export interface FakeResponse {
  status?: number;
  body: unknown;
}

export type Responder = (request: RecordedRequest) => FakeResponse | undefined;

export interface FakeBigQuery {
  readonly client: BigQuery;
  readonly requests: RecordedRequest[];
  /** Answers tried first to last; the first that returns a response wins, else the defaults. */
  respond(responder: Responder): void;
  close(): Promise<void>;
}

export const PROJECT = 'obs-test';

/** Defaults: an existing dataset with no tables, empty successful inserts and queries. */
function defaults(request: RecordedRequest): FakeResponse {
  const { method, path } = request;
  if (path.endsWith('/insertAll')) return { body: { kind: 'bigquery#tableDataInsertAllResponse' } };
  if (method === 'POST' && path.endsWith('/queries')) {
    return { body: { kind: 'bigquery#queryResponse', jobComplete: true, jobReference: { projectId: PROJECT, jobId: 'job-1' }, totalRows: '0', rows: [], schema: { fields: [] } } };
  }
  if (method === 'GET' && /\/datasets\/[^/]+\/tables$/.test(path)) return { body: { kind: 'bigquery#tableList', tables: [] } };
  if (method === 'GET' && /\/datasets\/[^/]+$/.test(path)) return { body: { kind: 'bigquery#dataset', id: 'x' } };
  if (method === 'POST' && path.endsWith('/datasets')) return { body: request.body };
  return { status: 404, body: { error: { code: 404, message: `fake: no route for ${method} ${path}`, errors: [{ reason: 'notFound' }] } } };
}

export async function startFakeBigQuery(): Promise<FakeBigQuery> {
  const requests: RecordedRequest[] = [];
  const responders: Responder[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const request: RecordedRequest = { method: req.method ?? 'GET', path: (req.url ?? '').split('?')[0] ?? '', body: text ? JSON.parse(text) : undefined };
      requests.push(request);
      const answer = responders.map((r) => r(request)).find((a) => a !== undefined) ?? defaults(request);
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const client = new BigQuery({
    projectId: PROJECT,
    apiEndpoint: `http://127.0.0.1:${port}`,
    // No credentials on a test machine: a stub auth client that adds no headers.
    authClient: { getRequestHeaders: () => Promise.resolve({}) } as never,
    autoRetry: false,
  });
  return {
    client,
    requests,
    respond: (responder) => void responders.push(responder),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
