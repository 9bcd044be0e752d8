import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in HTTP service on 127.0.0.1 whose answering can be switched: `hang` never answers
 * (a PagerDuty that accepted the connection and went silent), `answer` answers after `holdMs`.
 * It writes what happens to a timeline shared with other stand-ins — `<name> received <key>`,
 * `<name> answered <key>`, `<name> abandoned <key>` (the client gave up) — so a test asserts the
 * order of events rather than their timing. It counts requests in flight and their maximum, and
 * per key (PagerDuty's dedup_key) the requests it received and answered.
 */
export class GatedStandIn {
  mode: 'hang' | 'answer' = 'answer';
  holdMs = 0;
  inFlight = 0;
  maxInFlight = 0;
  readonly received = new Map<string, number>();
  readonly answered = new Map<string, number>();
  readonly bodies: string[] = [];
  readonly problems: string[] = [];
  private server!: Server;
  private readonly waiters: Array<() => void> = [];
  url = '';

  constructor(
    private readonly name: string,
    private readonly path: string,
    private readonly timeline: string[],
    private readonly keyOf: (body: unknown) => string,
    private readonly answer: { readonly status: number; readonly body: string },
    private readonly validate: (body: unknown) => string[] = () => [],
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const body = JSON.parse(raw) as unknown;
        this.problems.push(...this.validate(body));
        const key = this.keyOf(body);
        this.bodies.push(raw);
        this.received.set(key, (this.received.get(key) ?? 0) + 1);
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        this.note(`${this.name} received ${key}`);
        let done = false;
        const end = (what: 'answered' | 'abandoned') => {
          if (done) return;
          done = true;
          this.inFlight--;
          if (what === 'answered') this.answered.set(key, (this.answered.get(key) ?? 0) + 1);
          this.note(`${this.name} ${what} ${key}`);
        };
        res.on('close', () => end(res.writableFinished ? 'answered' : 'abandoned'));
        if (this.mode === 'hang') return;
        setTimeout(() => {
          res.writeHead(this.answer.status, { 'content-type': 'application/json' });
          res.end(this.answer.body, () => end('answered'));
        }, this.holdMs);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.path}`;
    return this;
  }

  /** Resolves once `condition` holds (checked after every event of this stand-in). */
  until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => (condition() ? resolve() : this.waiters.push(check));
      this.waiters.push(check);
    });
  }

  private note(event: string): void {
    this.timeline.push(event);
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
