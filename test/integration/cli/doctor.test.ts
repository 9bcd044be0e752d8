import { PubSub } from '@google-cloud/pubsub';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALERTS_JOB, recordJobRun, ROLLUP_JOB, SLO_JOB } from '../../../sql/job-state';
import type { CommandIo } from '../../../cli/command';
import { doctorCommand, type CheckResult } from '../../../cli/commands/doctor';
import { writeStackFile } from '../../../cli/local/stack-file';
import { defineQuery } from '../../../sql/dialect';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { describeWithEmulator } from '../../support/emulator-env';

const MIN = 60_000;
/** Every variable doctor reads: each test starts from none of them set. */
const VARIABLES = [
  'OBSERVABILITY_PROVIDER', 'PUBSUB_EMULATOR_HOST', 'FIRESTORE_EMULATOR_HOST', 'METRICS_TOPIC', 'OBS_WAREHOUSE', 'OBS_DUCKDB_PATH', 'OBS_BQ_DATASET',
  'OBS_ENVIRONMENT', 'NODE_ENV', 'INTERNAL_HEALTH_API_KEY', 'SLACK_ONCALL_WEBHOOK', 'SLACK_SAFETY_WEBHOOK', 'PAGERDUTY_INTEGRATION_KEY', 'SMTP_URL', 'OPS_EMAIL',
  'FINANCE_EMAIL', 'OBS_HEARTBEAT_URL', 'PORT',
];
const EMULATORS = { pubsub: process.env.PUBSUB_EMULATOR_HOST, firestore: process.env.FIRESTORE_EMULATOR_HOST };

/** Runs `obs doctor` (the command's run function) with exactly `env` among doctor's variables. */
async function doctor(env: Record<string, string>, args: string[] = ['--json']): Promise<{ code: number; results: CheckResult[]; out: string }> {
  const saved = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]));
  for (const v of VARIABLES) delete process.env[v];
  Object.assign(process.env, env);
  let out = '';
  const io: CommandIo = { out: (t) => void (out += t + '\n'), err: (t) => void (out += t + '\n') };
  try {
    const code = await doctorCommand.run(args, io);
    return { code, results: args.includes('--json') ? (JSON.parse(out) as CheckResult[]) : [], out };
  } finally {
    for (const v of VARIABLES) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
  }
}

const check = (results: CheckResult[], name: string) => {
  const found = results.find((r) => r.name === name);
  if (!found) throw new Error(`no ${name} check in ${JSON.stringify(results)}`);
  return found;
};

/** A closed port on 127.0.0.1: bound, noted, released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('obs doctor', () => {
  let dir: string;
  let now: number;
  /** A DuckDB file with the schema and every job run `agesMs` ago (default: 1 minute). */
  async function warehouseFile(name: string, ages: Partial<Record<string, number>> = {}, alter?: (w: DuckDbWarehouse) => Promise<void>): Promise<string> {
    const path = join(dir, name, 'observability.duckdb');
    const warehouse = await DuckDbWarehouse.open(path);
    try {
      await warehouse.createSchema();
      for (const job of [ROLLUP_JOB, SLO_JOB, ALERTS_JOB]) await recordJobRun(warehouse, job, now - (ages[job] ?? MIN), { test: true });
      await alter?.(warehouse);
    } finally {
      await warehouse.close();
    }
    return path;
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'obs-doctor-'));
    now = Date.now();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails on an invalid configuration with the configuration status (78, as every command), naming the variable, and skips what needs it', async () => {
    const { code, results } = await doctor({ OBSERVABILITY_PROVIDER: 'kafka' });
    expect(code).toBe(78);
    expect(check(results, 'config')).toEqual({ name: 'config', status: 'fail', detail: expect.stringContaining('OBSERVABILITY_PROVIDER="kafka" is not accepted') });
    expect(results.slice(1).every((r) => r.status === 'skip')).toBe(true);
  });

  it('fails when the warehouse cannot be reached (OBS_DUCKDB_PATH under a file), without creating anything', async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const { code, results } = await doctor({ OBS_DUCKDB_PATH: join(file, 'sub', 'observability.duckdb') });
    expect(code).toBe(1);
    expect(check(results, 'warehouse')).toMatchObject({ status: 'fail', detail: expect.stringContaining('is a file, not a folder') });
    expect(check(results, 'schema').status).toBe('skip');
  });

  it('fails when there is no DuckDB file yet, and does not create one', async () => {
    const path = join(dir, 'nothing-here', 'observability.duckdb');
    const { code, results } = await doctor({ OBS_DUCKDB_PATH: path });
    expect(code).toBe(1);
    expect(check(results, 'warehouse')).toMatchObject({ status: 'fail', detail: expect.stringContaining('no DuckDB file') });
    expect(existsSync(join(dir, 'nothing-here'))).toBe(false);
  });

  it('fails on missing tables and missing columns, naming them', async () => {
    const path = await warehouseFile('missing', {}, async (w) => {
      await w.execute(defineQuery('drop', 'DROP TABLE slo_status'));
      await w.execute(defineQuery('drop_column', 'ALTER TABLE alert_log DROP COLUMN channel'));
    });
    const { code, results } = await doctor({ OBS_DUCKDB_PATH: path });
    expect(code).toBe(1);
    expect(check(results, 'warehouse').status).toBe('ok');
    expect(check(results, 'schema')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/missing tables: slo_status .*missing columns: alert_log\.channel/) });
  });

  it('fails a job that last ran more than 15 minutes ago and warns about one late by more than 5', async () => {
    const path = await warehouseFile('stale', { [ROLLUP_JOB]: 20 * MIN, [SLO_JOB]: 7 * MIN });
    const { code, results } = await doctor({ OBS_DUCKDB_PATH: path });
    expect(code).toBe(1);
    expect(check(results, 'job:rollup')).toMatchObject({ status: 'fail', detail: expect.stringContaining('20.0 min ago') });
    expect(check(results, 'job:slo')).toMatchObject({ status: 'warn', detail: expect.stringContaining('7.0 min ago') });
    expect(check(results, 'job:alerts').status).toBe('ok');
  });

  it('fails Pub/Sub when PUBSUB_EMULATOR_HOST points at a closed port, within seconds', async () => {
    const path = await warehouseFile('pubsub-closed');
    const started = Date.now();
    const { code, results } = await doctor({ OBS_DUCKDB_PATH: path, OBSERVABILITY_PROVIDER: 'pubsub', PUBSUB_EMULATOR_HOST: `127.0.0.1:${await closedPort()}` });
    expect(code).toBe(1);
    expect(check(results, 'pubsub')).toMatchObject({ status: 'fail', detail: expect.stringContaining('unreachable') });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('warns in production when nobody can be paged and no heartbeat is set, exit status 1, and prints no secret', async () => {
    const path = await warehouseFile('production');
    const secret = 'https://hooks.slack.test/services/T000/B000/s3cr3tXYZ';
    const env = { OBS_DUCKDB_PATH: path, OBS_ENVIRONMENT: 'production', SLACK_ONCALL_WEBHOOK: secret, FIRESTORE_EMULATOR_HOST: `127.0.0.1:${await closedPort()}` };
    const { code, results, out } = await doctor(env);
    expect(code).toBe(1);
    expect(check(results, 'channels')).toMatchObject({ status: 'warn', detail: expect.stringContaining('nobody can be paged') });
    expect(check(results, 'heartbeat')).toMatchObject({ status: 'warn', detail: expect.stringContaining('OBS_HEARTBEAT_URL unset in production') });
    expect(out).not.toContain('s3cr3tXYZ');
  });

  it('is ok in production with PagerDuty and a heartbeat, printing only the heartbeat host; --ping sends one real ping', async () => {
    const pings: string[] = [];
    const server = createServer((req, res) => void (pings.push(req.url ?? ''), res.end('OK')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const heartbeat = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping/9b2f-secret-check-id`;
    try {
      const env = { OBS_DUCKDB_PATH: await warehouseFile('production-ok'), OBS_ENVIRONMENT: 'production', PAGERDUTY_INTEGRATION_KEY: 'pd-key-secret-123', OBS_HEARTBEAT_URL: heartbeat };
      const { results, out } = await doctor(env, ['--json', '--ping']);
      expect(check(results, 'channels').status).toBe('ok');
      expect(check(results, 'heartbeat')).toMatchObject({ status: 'ok', detail: expect.stringContaining('test ping answered HTTP 200') });
      expect(pings).toEqual(['/ping/9b2f-secret-check-id']);
      expect(out).not.toContain('9b2f-secret-check-id');
      expect(out).not.toContain('pd-key-secret-123');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('while obs start holds the DuckDB file', () => {
    let holder: ChildProcess;
    let stackApi: Server;
    const seen: Array<string | undefined> = [];
    beforeAll(async () => {
      stackApi = createServer((req, res) => {
        seen.push(req.headers.authorization);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ infrastructure: [
          { name: 'warehouse', status: 'ok', detail: 'duckdb answers', latencyMs: 1, lastChecked: now },
          { name: 'aggregator', status: 'ok', detail: 'aggregator last ran 0.5 min ago', latencyMs: 1, lastChecked: now },
          { name: 'alert_evaluator', status: 'error', detail: 'alert evaluator last ran 16.0 min ago (limit 15 min)', latencyMs: 1, lastChecked: now },
        ] }));
      });
      await new Promise<void>((resolve) => stackApi.listen(0, '127.0.0.1', resolve));
      // A live process other than this one stands for the stack's pid.
      holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    });
    afterAll(async () => {
      holder.kill();
      await new Promise<void>((resolve) => stackApi.close(() => resolve()));
    });

    it('says so, asks the stack through its API with the admin token, and reports its job freshness', async () => {
      const path = await warehouseFile('held');
      writeStackFile({ pid: holder.pid ?? 0, port: (stackApi.address() as AddressInfo).port, token: 'stack-token-1', duckdbPath: path, startedAt: new Date(now).toISOString() });
      const { code, results } = await doctor({ OBS_DUCKDB_PATH: path });
      expect(seen).toContain('Bearer stack-token-1');
      expect(check(results, 'warehouse')).toMatchObject({ status: 'ok', detail: expect.stringContaining(`held by obs start pid ${holder.pid}`) });
      expect(check(results, 'job:rollup').status).toBe('ok');
      expect(check(results, 'job:alerts')).toMatchObject({ status: 'fail', detail: expect.stringContaining('16.0 min ago') });
      expect(code).toBe(1);
    });
  });

  describeWithEmulator('PUBSUB_EMULATOR_HOST', 'against the real Pub/Sub emulator', (pubsubHost) => {
    const topic = `metrics-events-doctor-${Date.now()}`;
    beforeAll(async () => {
      const pubsub = new PubSub({ projectId: 'obs-test', apiEndpoint: pubsubHost });
      await pubsub.createTopic(topic);
      await pubsub.close();
    });

    function healthyEnv(path: string): Record<string, string> {
      return {
        OBS_DUCKDB_PATH: path,
        OBSERVABILITY_PROVIDER: 'pubsub',
        PUBSUB_EMULATOR_HOST: pubsubHost,
        GOOGLE_CLOUD_PROJECT: 'obs-test',
        METRICS_TOPIC: topic,
        ...(EMULATORS.firestore ? { FIRESTORE_EMULATOR_HOST: EMULATORS.firestore } : {}),
      };
    }

    it('is all ok with exit status 0 on a healthy setup, one line per check', async () => {
      const path = await warehouseFile('healthy');
      const { code, results } = await doctor(healthyEnv(path));
      const problems = results.filter((r) => r.status !== 'ok' && !(r.name === 'firestore' && !EMULATORS.firestore));
      expect(problems).toEqual([]);
      expect(code).toBe(0);
      expect(results.map((r) => r.name)).toEqual(['config', 'warehouse', 'schema', 'pubsub', 'firestore', 'job:rollup', 'job:slo', 'job:alerts', 'channels', 'heartbeat']);
      const text = await doctor(healthyEnv(path), []);
      expect(text.code).toBe(0);
      expect(text.out).toMatch(/^ok {4}config {2,}environment /m);
      expect(text.out).toMatch(/^ok {4}pubsub {2,}topic metrics-events-doctor-\d+ reachable/m);
    });

    it('--json gives an array of {name, status, detail} objects', async () => {
      const { results } = await doctor(healthyEnv(await warehouseFile('json')));
      expect(Array.isArray(results)).toBe(true);
      for (const r of results) {
        expect(Object.keys(r).sort()).toEqual(['detail', 'name', 'status']);
        expect(['ok', 'warn', 'fail', 'skip']).toContain(r.status);
        expect(typeof r.detail).toBe('string');
      }
    });

    it('fails when the topic does not exist on a reachable emulator', async () => {
      const { code, results } = await doctor({ ...healthyEnv(await warehouseFile('no-topic')), METRICS_TOPIC: `absent-${Date.now()}` });
      expect(code).toBe(1);
      expect(check(results, 'pubsub')).toMatchObject({ status: 'fail', detail: expect.stringContaining('does not exist') });
    });
  });
});
