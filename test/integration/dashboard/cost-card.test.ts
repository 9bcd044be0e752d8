import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costReport } from '../../../aggregator/cost/cost-report';
import { createHttpRoutes } from '../../../cli/local/http-app';
import { createHttpServer, listen } from '../../../cli/local/http-server';
import { COST_CARD_TTL_BIGQUERY_MS, COST_CARD_TTL_MS, loadCostCard, type CostCard } from '../../../dashboard/cost-card';
import type { Warehouse } from '../../../sql/warehouse';
import { localTokenVerifier } from '../../../http/admin-auth';
import { loadConfig } from '../../../shared';
import { PRICES } from '../../../shared/prices';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { event } from '../../unit/aggregator/support';

/**
 * The dashboard's Cost card through GET /api/dashboard (the real route and HTTP server): the month
 * so far as `obs cost` reports it, recomputed at most hourly, and an error shown on the card (not a
 * failed dashboard) when the prices file is bad.
 */
const TOKEN = 'cost-card-token-5e1';
const NOV = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;
const NOW = NOV + 19 * DAY + 12 * 3_600_000;
const config = { ...loadConfig({}), environment: 'test' };

async function seeded(): Promise<DuckDbWarehouse> {
  const wh = await DuckDbWarehouse.open(':memory:');
  await wh.createSchema();
  await wh.insertEvents([
    event('product.wallet.spend.success', 'count', 1, NOV + DAY, { feature: 'chat' }),
    event('product.wallet.spend.success', 'count', 1, NOV + 2 * DAY, { feature: 'chat' }),
    event('product.chat.message.count', 'count', 1, NOV + 3 * DAY, { channel: 'direct', message_type: 'text' }),
    event('product.chat.message.count', 'count', 1, NOV - DAY, { channel: 'direct', message_type: 'text' }), // October
  ]);
  return wh;
}

describe('dashboard Cost card: GET /api/dashboard', () => {
  let wh: DuckDbWarehouse;
  let server: Server;
  let base = '';
  let now = NOW;

  beforeAll(async () => {
    wh = await seeded();
    server = createHttpServer(createHttpRoutes({ verify: localTokenVerifier(TOKEN), clock: () => now, sources: { warehouse: wh, config, probes: [] } }));
    base = `http://127.0.0.1:${await listen(server, 0)}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await wh.close();
  });

  const getCost = async (): Promise<CostCard> => {
    const response = await fetch(`${base}/api/dashboard`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { cost: CostCard }).cost;
  };

  it('shows the month so far: the events of this month, the totals obs cost gives, both write paths, the costliest modules', async () => {
    const card = await getCost();
    const report = await costReport(wh, { month: '2026-11', nowMs: NOW, writeApi: config.bigqueryWriteApi, retention: config.retention, prices: PRICES });
    expect(card).toMatchObject({ month: '2026-11', computedAtMs: NOW, writeApi: 'storage', events: 3, calls: 3, scansEstimated: true });
    expect(card.error).toBeUndefined();
    expect(card.listUsd).toBeCloseTo(report.priced.listUsd, 12);
    expect(card.alternative).toEqual({ writeApi: 'insert-all', listUsd: report.alternative.listUsd });
    expect(card.alternative!.listUsd).toBeGreaterThan(card.listUsd!); // 1 KB a row through insertAll
    expect(card.components!.scans).toBeGreaterThan(0);
    expect(card.topModules!.map((m) => m.module).sort()).toEqual(['chat', 'wallet']);
    expect(card.topModules!.find((m) => m.module === 'wallet')?.events).toBe(2);
  });

  it('is reused for an hour, then recomputed with what arrived meanwhile', async () => {
    await wh.insertEvents([event('product.wallet.spend.success', 'count', 1, NOW - 60_000, { feature: 'chat' })]);
    now = NOW + 10 * 60_000;
    expect((await getCost()).events).toBe(3);
    now = NOW + COST_CARD_TTL_MS;
    const fresh = await getCost();
    expect(fresh.events).toBe(4);
    expect(fresh.computedAtMs).toBe(now);
  });
});

describe('dashboard Cost card on BigQuery', () => {
  it('is reused for a day, not an hour: each report is a billed read there', async () => {
    const wh = await seeded();
    try {
      // The card only asks the warehouse which dialect it is; the queries run on DuckDB here.
      const bigquery: Warehouse = { dialect: 'bigquery', query: (q, p) => wh.query(q, p) } as Warehouse;
      expect((await loadCostCard(bigquery, config, NOW, {})).events).toBe(3);
      await wh.insertEvents([event('product.wallet.spend.success', 'count', 1, NOW - 60_000, { feature: 'chat' })]);
      expect((await loadCostCard(bigquery, config, NOW + 2 * COST_CARD_TTL_MS, {})).events).toBe(3);
      expect((await loadCostCard(bigquery, config, NOW + COST_CARD_TTL_BIGQUERY_MS, {})).events).toBe(4);
    } finally {
      await wh.close();
    }
  });
});

describe('dashboard Cost card: a bad OBS_PRICES_FILE', () => {
  it('puts the error on the card, naming the variable, and the card is computed again once the file is fixed', async () => {
    const wh = await seeded();
    const dir = mkdtempSync(join(tmpdir(), 'obs-cost-card-'));
    try {
      const file = join(dir, 'prices.json');
      writeFileSync(file, '{"bq_storage_write": {"usd": "cheap"}}');
      const bad = await loadCostCard(wh, config, NOW, { OBS_PRICES_FILE: file });
      expect(bad.error).toMatch(/OBS_PRICES_FILE=.*prices\.json: "bq_storage_write\.usd" must be a number/);
      expect(bad.listUsd).toBeUndefined();
      writeFileSync(file, '{"bq_storage_write": {"usd": 0.025}}');
      const good = await loadCostCard(wh, config, NOW + 1, { OBS_PRICES_FILE: file });
      expect(good.error).toBeUndefined();
      expect(good.events).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await wh.close();
    }
  });
});
