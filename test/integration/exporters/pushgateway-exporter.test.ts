import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runExportJob } from '../../../exporters/export-job';
import { createPushgatewayExporter } from '../../../exporters/prometheus-exporter';
import { readMinutes } from '../../../exporters/read-minutes';
import { FakeClock } from '../../../shared/clock';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { MINUTE, openMemoryWarehouse } from '../../unit/aggregator/support';
import { seedMinutes, T0 } from '../../unit/exporters/support';

/** A Pushgateway stand-in: records each PUT (path, authorization, body) and answers from a script (then 200). */
class PushRecorder {
  readonly pushes: Array<{ method: string; path: string; authorization: string | undefined; body: string }> = [];
  readonly script: number[] = [];
  private server!: Server;
  url = '';
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.pushes.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body });
        res.writeHead(this.script.shift() ?? 200);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('the Pushgateway exporter (PUT of the hour\'s snapshot after each closed minute)', () => {
  let wh: DuckDbWarehouse;
  let pgw: PushRecorder;
  beforeEach(async () => {
    wh = await openMemoryWarehouse();
    pgw = await new PushRecorder().start();
  });
  afterEach(async () => {
    await wh.close();
    await pgw.close();
  });
  const exporter = (clock: FakeClock, url = pgw.url) => createPushgatewayExporter({ url, clock, history: (from, to) => readMinutes(wh, from, to) });
  const counter = (body: string) => Number(/^product_wallet_spend_success_total\{feature="chat"\} (\S+)$/m.exec(body)?.[1]);

  it('pushes once per minute with PUT to /metrics/job/obs_pipeline, the counter growing by each minute', async () => {
    const now = T0 + 5 * MINUTE;
    await seedMinutes(wh, 3, now);
    const clock = new FakeClock(now);
    await runExportJob(wh, [exporter(clock)], { nowMs: now, clock, startAtMs: T0 });
    expect(pgw.pushes.map((p) => [p.method, p.path])).toEqual([0, 1, 2].map(() => ['PUT', '/metrics/job/obs_pipeline']));
    expect(pgw.pushes.map((p) => counter(p.body))).toEqual([3, 6, 9]);
  });

  it('a restarted exporter pushes what an uninterrupted one would (the snapshot rebuilt from the rollups), and a retried push the same values', async () => {
    const now = T0 + 6 * MINUTE;
    await seedMinutes(wh, 4, now);
    const clock = new FakeClock(now);
    // Uninterrupted: four minutes in one run.
    await runExportJob(wh, [exporter(clock)], { nowMs: now, clock, startAtMs: T0 });
    const uninterrupted = pgw.pushes.map((p) => p.body);
    pgw.pushes.length = 0;

    const restarted = await openMemoryWarehouse();
    await seedMinutes(restarted, 4, now);
    const exporterOn = () => createPushgatewayExporter({ url: pgw.url, clock, history: (from, to) => readMinutes(restarted, from, to) });
    await runExportJob(restarted, [exporterOn()], { nowMs: now, clock, startAtMs: T0, maxMinutesPerRun: 2 });
    pgw.script.push(503); // the next push fails once and is retried
    await runExportJob(restarted, [exporterOn()], { nowMs: now, clock });
    await restarted.close();
    expect(pgw.pushes.map((p) => counter(p.body))).toEqual([3, 6, 9, 9, 12]);
    const distinct = pgw.pushes.map((p) => p.body).filter((b, i, all) => all.indexOf(b) === i);
    expect(distinct).toEqual(uninterrupted);
  });

  it('sends basic-auth credentials of the URL as a header, never in the URL, and dead-letters a 400 with the Pushgateway\'s answer', async () => {
    const now = T0 + 3 * MINUTE;
    await seedMinutes(wh, 1, now);
    pgw.script.push(400);
    const clock = new FakeClock(now);
    const withCreds = pgw.url.replace('http://', 'http://ops:s3cret-pw@');
    const result = await runExportJob(wh, [exporter(clock, withCreds)], { nowMs: now, clock, startAtMs: T0 });
    expect(pgw.pushes[0]!.authorization).toBe(`Basic ${Buffer.from('ops:s3cret-pw').toString('base64')}`);
    expect(pgw.pushes[0]!.path).toBe('/metrics/job/obs_pipeline');
    expect(result.exporters[0]).toMatchObject({ minutes: 1, deadLettered: 1 });
  });
});
