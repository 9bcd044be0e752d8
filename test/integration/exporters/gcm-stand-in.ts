import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';
import { fromProto3JSON } from 'proto3-json-serializer';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protosJson = require('@google-cloud/monitoring/build/protos/protos.json') as protobuf.INamespace;

const root = protobuf.Root.fromJSON(protosJson);
const CreateTimeSeriesRequest = root.lookupType('google.monitoring.v3.CreateTimeSeriesRequest');
const MetricDescriptor = root.lookupType('google.api.MetricDescriptor');

export interface DecodedSeries {
  metric: { type: string; labels?: Record<string, string> };
  resource: { type: string; labels?: Record<string, string> };
  metricKind: string;
  valueType: string;
  points: Array<{ interval: { startTime?: { seconds: number }; endTime: { seconds: number } }; value: { doubleValue?: number } }>;
}

export interface TimeSeriesRequest {
  readonly series: DecodedSeries[];
  readonly problems: string[];
  readonly status: number;
}

/**
 * A local stand-in for Cloud Monitoring's REST surface (what @google-cloud/monitoring sends in
 * fallback mode): `POST /v3/projects/P/metricDescriptors` and `POST /v3/projects/P/timeSeries`.
 * Bodies are decoded with the client's own protos (protos.json) through proto3-json-serializer,
 * as google-gax's REST fallback encodes them, then checked against the API's rules: ≤ 200 series,
 * one point per series, no series twice in a request, custom.googleapis.com types whose
 * descriptor was created first, no DELTA, an interval fitting the kind. Answers follow a script.
 */
export class GcmStandIn {
  readonly descriptors = new Map<string, Record<string, unknown>>();
  readonly descriptorRequests: string[] = [];
  readonly timeSeries: TimeSeriesRequest[] = [];
  private readonly script: Array<{ status: number; message: string; grpcStatus: string }> = [];
  private server!: Server;
  port = 0;

  constructor(private readonly projectId: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0];
        const reply = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        const error = (status: number, message: string, grpcStatus: string) => reply(status, { error: { code: status, message, status: grpcStatus } });
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          return error(400, 'body is not JSON', 'INVALID_ARGUMENT');
        }
        if (req.method === 'POST' && path === `/v3/projects/${this.projectId}/metricDescriptors`) {
          const decoded = MetricDescriptor.toObject(fromProto3JSON(MetricDescriptor, json as never) as protobuf.Message, { enums: String }) as Record<string, unknown>;
          this.descriptorRequests.push(String(decoded.type));
          if (this.descriptors.has(String(decoded.type))) return error(409, 'already exists', 'ALREADY_EXISTS');
          this.descriptors.set(String(decoded.type), decoded);
          return reply(200, json);
        }
        if (req.method === 'POST' && path === `/v3/projects/${this.projectId}/timeSeries`) {
          const problems: string[] = [];
          let series: DecodedSeries[] = [];
          try {
            const decoded = CreateTimeSeriesRequest.toObject(fromProto3JSON(CreateTimeSeriesRequest, json as never) as protobuf.Message, { enums: String, longs: Number }) as { timeSeries?: DecodedSeries[] };
            series = decoded.timeSeries ?? [];
          } catch (e) {
            problems.push(`not a CreateTimeSeriesRequest: ${(e as Error).message}`);
          }
          problems.push(...this.check(series));
          const scripted = problems.length === 0 ? this.script.shift() : undefined;
          const status = problems.length > 0 ? 400 : (scripted?.status ?? 200);
          this.timeSeries.push({ series, problems, status });
          if (problems.length > 0) return error(400, problems.join('; '), 'INVALID_ARGUMENT');
          if (scripted) return error(scripted.status, scripted.message, scripted.grpcStatus);
          return reply(200, {});
        }
        return error(404, `no route ${req.method} ${path}`, 'NOT_FOUND');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  private check(series: DecodedSeries[]): string[] {
    const problems: string[] = [];
    if (series.length === 0) problems.push('no time series');
    if (series.length > 200) problems.push(`${series.length} time series in one request (at most 200)`);
    const seen = new Set<string>();
    for (const s of series) {
      const id = `${s.metric.type}${JSON.stringify(s.metric.labels ?? {})}`;
      if (seen.has(id)) problems.push(`${id} twice in one request`);
      seen.add(id);
      if (!s.metric.type.startsWith('custom.googleapis.com/')) problems.push(`${s.metric.type} is not a custom metric`);
      const descriptor = this.descriptors.get(s.metric.type) as { labels?: Array<{ key: string }> } | undefined;
      if (!descriptor) problems.push(`${s.metric.type} has no descriptor`);
      const known = new Set((descriptor?.labels ?? []).map((l) => l.key));
      const unknown = Object.keys(s.metric.labels ?? {}).filter((k) => !known.has(k));
      if (descriptor && unknown.length > 0) problems.push(`Unrecognized metric labels [${unknown.join(', ')}] for ${s.metric.type}`);
      if (s.points.length !== 1) problems.push(`${s.metric.type}: ${s.points.length} points (exactly one per request)`);
      if (s.metricKind !== 'GAUGE' && s.metricKind !== 'CUMULATIVE') problems.push(`${s.metric.type}: kind ${s.metricKind} (custom metrics: GAUGE or CUMULATIVE)`);
      if (s.resource.type !== 'global' || s.resource.labels?.project_id !== this.projectId) problems.push(`${s.metric.type}: resource ${JSON.stringify(s.resource)}`);
      for (const p of s.points) {
        const start = p.interval.startTime?.seconds;
        const end = p.interval.endTime.seconds;
        if (s.metricKind === 'CUMULATIVE' && !(start !== undefined && start < end)) problems.push(`${s.metric.type}: a cumulative point needs start < end`);
        if (s.metricKind === 'GAUGE' && start !== undefined && start !== end) problems.push(`${s.metric.type}: a gauge point's start must equal its end`);
        if (typeof p.value.doubleValue !== 'number') problems.push(`${s.metric.type}: no doubleValue`);
      }
    }
    return problems;
  }

  answer(...answers: Array<{ status: number; message: string; grpcStatus: string }>): this {
    this.script.push(...answers);
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
