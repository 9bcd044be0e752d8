import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insertAllRowBytes, priceUsage, componentUsd, type CostUsage } from '../../../aggregator/cost/cost-model';
import { applyPriceOverrides, loadPrices } from '../../../aggregator/cost/prices-file';
import { estimateScans, EVENTS_PARTITION_MINUTES, recomputeReadsPerDay, TABLE_REFERENCES_PER_MINUTE } from '../../../aggregator/cost/scan-estimate';
import { renderCreateTable } from '../../../sql/ddl';
import { TABLES } from '../../../sql/tables';
import { PRICES } from '../../../shared/prices';

const GIB = 1024 ** 3;
const TIB = 1024 ** 4;
const none: CostUsage = {
  events: 0,
  calls: 0,
  messages: 0,
  messageBytes: 0,
  messageBilledBytes: 0,
  rowBytes: 0,
  insertAllBytes: 0,
  activeStorageByteMonths: 0,
  longTermStorageByteMonths: 0,
  scannedBytes: 0,
  scanFloorBytes: 0,
};

describe('cost model: the pricing arithmetic (aggregator/cost/cost-model.ts)', () => {
  it('insertAll bills a small row as 1,024 bytes and a large one as its size', () => {
    expect(insertAllRowBytes(111)).toBe(1024);
    expect(insertAllRowBytes(1024)).toBe(1024);
    expect(insertAllRowBytes(5000)).toBe(5000);
  });

  it('a million 250-byte rows cost $0.0477 through insertAll (1 KB each) and $0.0058 through the Storage Write API (their bytes)', () => {
    const usage = { ...none, events: 1e6, calls: 1e6, rowBytes: 250e6, insertAllBytes: 1024e6 };
    const insertAll = priceUsage(usage, PRICES, 'insert-all');
    const storage = priceUsage(usage, PRICES, 'storage');
    expect(componentUsd(insertAll, 'ingest')).toBeCloseTo((1024e6 / GIB) * 0.05, 10);
    expect(componentUsd(insertAll, 'ingest')).toBeCloseTo(0.0477, 4);
    expect(componentUsd(storage, 'ingest')).toBeCloseTo((250e6 / GIB) * 0.025, 10);
    expect(componentUsd(storage, 'ingest')).toBeCloseTo(0.0058, 4);
    expect(storage.listUsdPerMillionCalls).toBeCloseTo(componentUsd(storage, 'ingest'), 10);
  });

  it('free tiers apply to the monthly bill, not to the list (marginal) cost: 1 TiB through the Storage Write API is free, 3 TiB pays for 1', () => {
    const one = priceUsage({ ...none, rowBytes: TIB, calls: 1 }, PRICES, 'storage');
    expect(one.lines.find((l) => l.component === 'ingest')).toMatchObject({ listUsd: 1024 * 0.025, billedUsd: 0 });
    const three = priceUsage({ ...none, rowBytes: 3 * TIB, calls: 1 }, PRICES, 'storage');
    expect(three.lines.find((l) => l.component === 'ingest')?.billedUsd).toBeCloseTo(1024 * 0.025, 10);
    // insertAll has no free tier.
    const insertAll = priceUsage({ ...none, insertAllBytes: TIB, calls: 1 }, PRICES, 'insert-all');
    expect(insertAll.lines.find((l) => l.component === 'ingest')?.billedUsd).toBeCloseTo(1024 * 0.05, 10);
  });

  it('Pub/Sub bills the published bytes twice (publish and the delivery to ingest) at $40 per TiB, 10 GiB a month free', () => {
    const priced = priceUsage({ ...none, messageBilledBytes: TIB, calls: 1 }, PRICES, 'storage');
    const pubsub = priced.lines.find((l) => l.component === 'pubsub')!;
    expect(pubsub.units).toBe(2);
    expect(pubsub.listUsd).toBe(80);
    expect(pubsub.billedUsd).toBeCloseTo((2 - 10 / 1024) * 40, 10);
  });

  it('storage prices active and long-term GiB-months apart; scans at $6.25 per TiB', () => {
    const priced = priceUsage({ ...none, activeStorageByteMonths: 100 * GIB, longTermStorageByteMonths: 100 * GIB, scannedBytes: 2 * TIB, calls: 1 }, PRICES, 'storage');
    expect(componentUsd(priced, 'storage')).toBeCloseTo(100 * 0.02 + 100 * 0.01, 10);
    expect(componentUsd(priced, 'scans')).toBeCloseTo(12.5, 10);
    expect(priced.lines.find((l) => l.component === 'scans')?.billedUsd).toBeCloseTo(6.25, 10);
  });

  it('the cost per million calls leaves out the fixed scan minimum', () => {
    const priced = priceUsage({ ...none, calls: 2, rowBytes: GIB, scannedBytes: 3 * TIB, scanFloorBytes: 2 * TIB }, PRICES, 'storage');
    expect(priced.listUsd).toBeCloseTo(0.025 + 3 * 6.25, 10);
    expect(priced.listUsdPerMillionCalls).toBeCloseTo(((0.025 + 6.25) / 2) * 1e6, 4);
  });

  it('no calls: the cost per million calls is null, not a division by zero', () => {
    expect(priceUsage(none, PRICES, 'storage').listUsdPerMillionCalls).toBeNull();
  });
});

describe('scan estimate (aggregator/cost/scan-estimate.ts)', () => {
  it('metric_events is partitioned by hour (the DDL this build creates), so a day of 1,440 runs reads its bytes 30.5 times, the temporary table 4 times more, plus the 10 MB floor per table reference and run', () => {
    expect(renderCreateTable(TABLES.metric_events, 'bigquery')).toContain('PARTITION BY TIMESTAMP_TRUNC(event_ts, HOUR)');
    expect(EVENTS_PARTITION_MINUTES).toBe(60);
    const estimate = estimateScans([{ bytes: 1_000_000, runs: 1440 }], 1440);
    expect(estimate.partitionMinutes).toBe(60);
    // One statement reads the partitions (30.5 × a day's bytes); two MERGEs read the span's events, each window recomputed in up to 2 runs.
    expect(estimate.recomputeBytes).toBeCloseTo(1_000_000 * 30.5 + 2 * 2 * 1_000_000, 3);
    expect(estimate.floorBytes).toBe(1440 * TABLE_REFERENCES_PER_MINUTE * 10 * 1024 * 1024);
    expect(TABLE_REFERENCES_PER_MINUTE).toBeGreaterThan(5);
  });

  it('derives the reads from the partition length: a day-partitioned table (an unmigrated deployment) is read 720.5 times a day, 21 times the hourly figure with the temporary table\'s reads', () => {
    const daily = estimateScans([{ bytes: 1_000_000, runs: 1440 }], 1440, 1440).recomputeBytes;
    const hourly = estimateScans([{ bytes: 1_000_000, runs: 1440 }], 1440, 60).recomputeBytes;
    expect(daily).toBe(1_000_000 * 720.5 + 4 * 1_000_000);
    expect(daily / hourly).toBeCloseTo(724.5 / 34.5, 10);
  });

  it('a day in progress: the runs so far, each reading its own partition so far (run k reads ((k − 1) mod P) + 1 minutes of data)', () => {
    // Brute force: one run a minute, a minute's bytes arriving before each run.
    const brute = (runs: number, p: number) => {
      let minutesRead = 0;
      for (let k = 1; k <= runs; k++) minutesRead += ((k - 1) % p) + 1;
      return minutesRead / runs;
    };
    for (const [runs, p] of [[1, 60], [59, 60], [60, 60], [61, 60], [150, 60], [1440, 60], [700, 1440], [1440, 1440]] as const) {
      expect(recomputeReadsPerDay(runs, p)).toBeCloseTo(brute(runs, p), 9);
    }
    expect(recomputeReadsPerDay(0, 60)).toBe(0);
  });
});

describe('prices: one table, overridable by OBS_PRICES_FILE', () => {
  it('every price names its unit, source URL and the date it was recorded', () => {
    for (const price of Object.values(PRICES)) {
      expect(price.source).toMatch(/^https:\/\//);
      expect(price.recorded).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(price.usd).toBeGreaterThan(0);
    }
  });

  it('a file overrides the prices it names and keeps the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-prices-'));
    try {
      const file = join(dir, 'prices.json');
      writeFileSync(file, JSON.stringify({ bq_storage_write: { usd: 0.03, freeUnitsPerMonth: 0 } }));
      const prices = loadPrices({ OBS_PRICES_FILE: file });
      expect(prices.bq_storage_write).toMatchObject({ usd: 0.03, freeUnitsPerMonth: 0, source: file });
      expect(prices.bq_insert_all).toBe(PRICES.bq_insert_all);
      expect(loadPrices({})).toBe(PRICES);
      expect(() => loadPrices({ OBS_PRICES_FILE: join(dir, 'missing.json') })).toThrow(/OBS_PRICES_FILE=.*missing\.json: cannot read it \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an unknown price', '{"bq_streaming": {"usd": 1}}', /unknown price "bq_streaming"/],
    ['a negative price', '{"bq_insert_all": {"usd": -1}}', /"bq_insert_all.usd" must be a number ≥ 0/],
    ['a field that cannot be set', '{"bq_insert_all": {"unit": "TiB"}}', /"bq_insert_all.unit" cannot be set/],
    ['an array', '[]', /must be a JSON object keyed by price id/],
  ])('a file with %s is refused, naming the problem', (_what, text, message) => {
    expect(() => applyPriceOverrides(text, 'prices.json')).toThrow(message);
  });
});
