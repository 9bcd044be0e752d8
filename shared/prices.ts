/**
 * List prices the cost model (aggregator/cost/, `obs cost`, docs/COST.md) uses: the ONE table of
 * them, each with its unit, free tier, source and the date it was recorded. US / EU multi-region,
 * on-demand, in USD. Override any of them with a JSON file named by OBS_PRICES_FILE
 * (aggregator/cost/prices-file.ts): `{"bq_storage_write": {"usd": 0.03}}`.
 *
 * Recorded on 2026-11-27 from stored copies of the pages (this build machine has no network):
 * check them against Google's pages before relying on a figure.
 */
export type PriceId =
  | 'pubsub_throughput'
  | 'bq_insert_all'
  | 'bq_storage_write'
  | 'bq_active_storage'
  | 'bq_long_term_storage'
  | 'bq_on_demand_query';

export interface Price {
  readonly id: PriceId;
  readonly what: string;
  /** USD per `unit`. */
  readonly usd: number;
  /** What one unit is: GiB, TiB (2^40 bytes) or GiB-month. */
  readonly unit: 'GiB' | 'TiB' | 'GiB-month';
  /** Units free each calendar month per billing account (0: none). */
  readonly freeUnitsPerMonth: number;
  /** The billing rule beyond bytes × price, in words (minimums). */
  readonly rule: string;
  readonly source: string;
  /** When the price was recorded (YYYY-MM-DD). */
  readonly recorded: string;
}

const RECORDED = '2026-11-27';
const PUBSUB = 'https://cloud.google.com/pubsub/pricing';
const BIGQUERY = 'https://cloud.google.com/bigquery/pricing';

export const PRICES: Readonly<Record<PriceId, Price>> = {
  pubsub_throughput: {
    id: 'pubsub_throughput',
    what: 'Pub/Sub message publishing and delivery (throughput)',
    usd: 40,
    unit: 'TiB',
    freeUnitsPerMonth: 10 / 1024,
    rule: 'billed on publish and again on each delivery (pull/push); at least 1,000 bytes per request; a message counts its data, attributes, 20 bytes of timestamp and its message id',
    source: PUBSUB,
    recorded: RECORDED,
  },
  bq_insert_all: {
    id: 'bq_insert_all',
    what: 'BigQuery legacy streaming inserts (tabledata.insertAll)',
    usd: 0.05,
    unit: 'GiB',
    freeUnitsPerMonth: 0,
    rule: '$0.01 per 200 MiB; each row counted as at least 1 KB (1,024 bytes taken)',
    source: `${BIGQUERY}#data_ingestion_pricing`,
    recorded: RECORDED,
  },
  bq_storage_write: {
    id: 'bq_storage_write',
    what: 'BigQuery Storage Write API (default stream)',
    usd: 0.025,
    unit: 'GiB',
    freeUnitsPerMonth: 2048,
    rule: 'bytes ingested (no per-row minimum); the first 2 TiB a month are free. Google page not among the stored copies: figures from https://help.nops.io/inform/supported-recommendations/use-bigquery-storage-write-api-instead-of-streaming-inserts.md',
    source: `${BIGQUERY}#data_ingestion_pricing`,
    recorded: RECORDED,
  },
  bq_active_storage: {
    id: 'bq_active_storage',
    what: 'BigQuery active logical storage',
    usd: 0.02,
    unit: 'GiB-month',
    freeUnitsPerMonth: 10,
    rule: 'logical bytes (BigQuery data size: STRING/JSON 2 + UTF-8 bytes, INT64/FLOAT64/TIMESTAMP 8), prorated per second; the first 10 GiB a month free',
    source: `${BIGQUERY}#storage`,
    recorded: RECORDED,
  },
  bq_long_term_storage: {
    id: 'bq_long_term_storage',
    what: 'BigQuery long-term logical storage (a partition unchanged for 90 days)',
    usd: 0.01,
    unit: 'GiB-month',
    freeUnitsPerMonth: 0,
    rule: 'a partition not modified for 90 consecutive days; with 90-day raw-event retention only the hour/day rollups reach it',
    source: `${BIGQUERY}#storage`,
    recorded: RECORDED,
  },
  bq_on_demand_query: {
    id: 'bq_on_demand_query',
    what: 'BigQuery on-demand compute (bytes processed)',
    usd: 6.25,
    unit: 'TiB',
    freeUnitsPerMonth: 1,
    rule: 'bytes of the columns read in the partitions not pruned; at least 10 MB per table referenced per query; the first 1 TiB a month free',
    source: `${BIGQUERY}#on_demand_pricing`,
    recorded: RECORDED,
  },
};

export const PRICE_IDS = Object.keys(PRICES) as PriceId[];

export type PriceTable = Readonly<Record<PriceId, Price>>;

export const BYTES_PER_UNIT: Readonly<Record<Price['unit'], number>> = { GiB: 1024 ** 3, TiB: 1024 ** 4, 'GiB-month': 1024 ** 3 };
