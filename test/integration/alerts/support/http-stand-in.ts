import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer of a stand-in server. */
export interface ScriptedResponse {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  readonly body: unknown;
  /** What the stand-in found wrong with the payload (empty: it is valid). */
  readonly problems: readonly string[];
  readonly status: number;
}

/**
 * A local HTTP server on 127.0.0.1 standing in for Slack or PagerDuty. It checks every request
 * with `validate`, records it, and answers from a script (then with the default answer), so a
 * test can make the real service's 200/202, 400, 429 + Retry-After and 500 happen on demand.
 */
export class HttpStandIn {
  readonly requests: RecordedRequest[] = [];
  private readonly script: ScriptedResponse[] = [];
  private server!: Server;
  url = '';

  constructor(
    private readonly path: string,
    private readonly validate: (body: unknown) => string[],
    private readonly defaultResponse: ScriptedResponse,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        const problems: string[] = [];
        if (req.method !== 'POST') problems.push(`method ${req.method}, expected POST`);
        if (req.url !== this.path) problems.push(`path ${req.url}, expected ${this.path}`);
        if (!String(req.headers['content-type']).startsWith('application/json')) problems.push(`content-type ${req.headers['content-type']}`);
        try {
          body = JSON.parse(raw);
          problems.push(...this.validate(body));
        } catch {
          problems.push('body is not JSON');
        }
        const answer = problems.length > 0 ? { status: 400, body: `invalid: ${problems.join('; ')}` } : (this.script.shift() ?? this.defaultResponse);
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body, problems, status: answer.status });
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.path}`;
    return this;
  }

  /** The next answers, in order; after them the default answer. */
  answer(...responses: ScriptedResponse[]): this {
    this.script.push(...responses);
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
  }

  /** Every raw request body, joined: for "did any message say X" checks. */
  raws(): string {
    return this.requests.map((r) => r.raw).join('\n');
  }

  /** Every request the stand-in found invalid (a test asserts this is empty). */
  invalid(): RecordedRequest[] {
    return this.requests.filter((r) => r.problems.length > 0);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
