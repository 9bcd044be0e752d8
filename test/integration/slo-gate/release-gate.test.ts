import type { Server } from 'node:http';
import { runRollupJob } from '../../../aggregator/rollup-job';
import { createLocalApp } from '../../../app/local';
import { createHttpRoutes } from '../../../cli/local/http-app';
import { createHttpServer, listen } from '../../../cli/local/http-server';
import { main } from '../../../cli/obs';
import { localTokenVerifier } from '../../../http/admin-auth';
import { loadConfig } from '../../../shared';
import { silentLogger } from '../../../shared/logger';
import { FakeClock } from '../../../shared/clock';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { event, HOUR, openMemoryWarehouse, select } from '../../unit/aggregator/support';

/**
 * The release gate end to end on DuckDB: GET /api/slo/gate on the local stack's real routes and
 * HTTP server, and `obs slo gate` on the same warehouse. Wallet's one SLO (wallet-spend-success,
 * 99.95%) is given 10 failed spends of 200 (5% bad: the budget is spent 100 times over); chat has
 * no events (no data: not judged).
 */
const ADMIN = 'gate-admin-token-4f1';
const GATE_TOKEN = 'gate-token-for-ci-0123456789abcdef';
const SIGNED_IN_USER = 'id-token-of-a-user-without-the-admin-claim';
const NOW = Date.UTC(2026, 10, 20, 12);
const config = { ...loadConfig({ OBS_GATE_TOKEN: GATE_TOKEN }), environment: 'test' };

async function seeded(): Promise<DuckDbWarehouse> {
  const wh = await openMemoryWarehouse();
  const start = NOW - 2 * HOUR;
  await wh.insertEvents([
    ...Array.from({ length: 190 }, (_, i) => event('product.wallet.spend.success', 'count', 1, start + i * 10_000, { feature: 'chat' })),
    ...Array.from({ length: 10 }, (_, i) => event('product.wallet.spend.failed', 'count', 1, start + i * 60_000, { feature: 'chat', reason: 'insufficient_funds' })),
  ]);
  await runRollupJob(wh, { nowMs: NOW });
  return wh;
}

describe('release gate: GET /api/slo/gate', () => {
  let wh: DuckDbWarehouse;
  let server: Server;
  let base = '';

  beforeAll(async () => {
    wh = await seeded();
    // Beyond the local admin token, a signed-in user without the admin claim (as a Firebase ID token of a non-admin would verify).
    const signedIn = (token: string) => (token === SIGNED_IN_USER ? Promise.resolve({ uid: 'user-without-claim', admin: false }) : Promise.reject(new Error('token not recognised')));
    server = createHttpServer(createHttpRoutes({ verify: localTokenVerifier(ADMIN, signedIn), clock: () => NOW, sources: { warehouse: wh, config, probes: [] } }));
    base = `http://127.0.0.1:${await listen(server, 0)}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await wh.close();
  });

  const get = async (query: string, token?: string) => {
    const response = await fetch(`${base}/api/slo/gate?${query}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as Record<string, unknown> };
  };

  it('refuses a caller without a token (401) or with a wrong one, and never echoes a token', async () => {
    const none = await get('module=wallet');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await get('module=wallet', 'not-the-gate-token-0000000000');
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('not-the-gate-token');
  });

  it('refuses a signed-in user without the admin claim (403), naming what is required', async () => {
    const user = await get('module=wallet', SIGNED_IN_USER);
    expect(user.status).toBe(403);
    expect(user.body).toEqual({ error: 'admin claim or the gate token required' });
    expect(user.headers.get('www-authenticate')).toBeNull();
    expect(user.text).not.toContain(SIGNED_IN_USER);
  });

  it('denies a wallet deploy to the gate token while wallet-spend-success has spent its budget', async () => {
    const r = await get('module=wallet', GATE_TOKEN);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({ module: 'wallet', decision: 'deny', emergency: false, override: false });
    const slos = r.body.slos as Array<{ id: string; budgetRemaining: number; status: string }>;
    expect(slos.map((s) => [s.id, s.status])).toEqual([['wallet-spend-success', 'exhausted']]);
    // 10 bad of 200 against an allowed 0.05% × 200 = 0.1: remaining 1 − 10/0.1 = −99.
    expect(slos[0]!.budgetRemaining).toBeCloseTo(-99, 6);
    expect(r.body.reasons).toEqual(['wallet-spend-success: error budget exhausted (-9900% left)']);
    expect(r.text).not.toContain(GATE_TOKEN);
  });

  it('answers an admin the same way, and allows chat, whose SLO has no data (named, not judged)', async () => {
    expect((await get('module=wallet', ADMIN)).body.decision).toBe('deny');
    const chat = await get('module=chat', ADMIN);
    expect(chat.body).toMatchObject({ module: 'chat', decision: 'allow', slos: [{ id: 'chat-delivery', budgetRemaining: null, status: 'no_data' }] });
    expect(chat.body.reasons).toEqual(['chat-delivery: no data in its window; not judged']);
  });

  it('allows an emergency fix as an override and records it in alert_log with its reason and caller', async () => {
    const r = await get(`module=wallet&emergency=true&reason=${encodeURIComponent('hotfix INC-42: spends failing')}`, GATE_TOKEN);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ module: 'wallet', decision: 'allow', emergency: true, override: true, emergencyReason: 'hotfix INC-42: spends failing' });
    expect(r.body.reasons).toContain('emergency override: hotfix INC-42: spends failing');
    const rows = await select(wh, "SELECT rule_id, fingerprint, CAST(detail AS VARCHAR) AS detail FROM alert_log WHERE entry_type = 'gate_emergency'");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ rule_id: 'slo-gate', fingerprint: 'slo-gate|wallet' });
    expect(JSON.parse(String(rows[0]!.detail))).toEqual({ module: 'wallet', reason: 'hotfix INC-42: spends failing', by: 'gate-token', decision: 'allow', override: true, exhaustedSlos: ['wallet-spend-success'] });
  });

  it('names the problem with a 400: an unknown module (listing the valid ones), an emergency without a reason', async () => {
    const unknown = await get('module=walet', GATE_TOKEN);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/unknown module "walet": one of wallet, chat, calls/);
    const noReason = await get('module=wallet&emergency=true', GATE_TOKEN);
    expect(noReason.status).toBe(400);
    expect(noReason.body.error).toMatch(/emergency needs a reason/);
    expect((await get('', GATE_TOKEN)).body.error).toMatch(/module is required/);
  });

  it('takes GET only', async () => {
    const response = await fetch(`${base}/api/slo/gate?module=wallet`, { method: 'POST', headers: { authorization: `Bearer ${GATE_TOKEN}` } });
    expect(response.status).toBe(405);
  });
});

describe('release gate: obs slo gate', () => {
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    wh = await seeded();
  });
  afterAll(async () => {
    await wh.close();
  });

  async function obs(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const app = createLocalApp({ config, warehouse: wh, clock: new FakeClock(NOW), logger: silentLogger });
    const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, app);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('exits 3 on deny and says why', async () => {
    const r = await obs('slo', 'gate', '--module', 'wallet');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^DENY deploy of wallet/);
    expect(r.out).toContain('wallet-spend-success: error budget exhausted');
  });

  it('exits 0 on allow, with the JSON body of the HTTP route', async () => {
    const r = await obs('slo', 'gate', '--module', 'chat', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ module: 'chat', decision: 'allow', emergency: false, slos: [{ id: 'chat-delivery', status: 'no_data' }] });
  });

  it('exits 0 on an emergency override and records it', async () => {
    const r = await obs('slo', 'gate', '--module', 'wallet', '--emergency', '--reason', 'rollback of 1.2.3', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ decision: 'allow', override: true });
    const rows = await select(wh, "SELECT CAST(detail AS VARCHAR) AS detail FROM alert_log WHERE entry_type = 'gate_emergency'");
    expect(rows.map((row) => (JSON.parse(String(row.detail)) as { reason: string }).reason)).toContain('rollback of 1.2.3');
  });

  it('exits 64 on bad usage: no module, an unknown one (naming the valid ones), --emergency without --reason', async () => {
    const none = await obs('slo', 'gate');
    expect(none.code).toBe(64);
    expect(none.err).toContain('--module is required');
    const unknown = await obs('slo', 'gate', '--module', 'nope');
    expect(unknown.code).toBe(64);
    expect(unknown.err).toMatch(/unknown module "nope": one of wallet, chat/);
    const bare = await obs('slo', 'gate', '--module', 'wallet', '--emergency');
    expect(bare.code).toBe(64);
    expect(bare.err).toContain('--emergency needs --reason');
  });
});
