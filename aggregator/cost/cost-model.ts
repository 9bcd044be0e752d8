import { BYTES_PER_UNIT, type Price, type PriceTable } from '../../shared/prices';

/**
 * The pricing arithmetic of cost analytics (docs/COST.md): usage in bytes → dollars, by each
 * price's billing rule. Pure: `obs cost`, the dashboard card and bench/cost.bench.ts all call it.
 */

export type WriteApi = 'storage' | 'insert-all';

/** Usage of one calendar month (or of a bench run), in bytes. */
export interface CostUsage {
  /** Rows of metric_events stored. */
  readonly events: number;
  /** Application calls those rows stand for (a merged event stands for call_count calls). */
  readonly calls: number;
  /** Pub/Sub messages published. */
  readonly messages: number;
  /** Bytes of those messages as Pub/Sub counts them (data, 20 bytes of timestamp, message id), before the per-request minimum. */
  readonly messageBytes: number;
  /** The same, each message raised to Pub/Sub's 1,000-byte minimum per request (one message a request assumed). */
  readonly messageBilledBytes: number;
  /** BigQuery data size of the rows written (metric_events). */
  readonly rowBytes: number;
  /** What insertAll bills for them: each row at least 1,024 bytes. */
  readonly insertAllBytes: number;
  /** Logical bytes stored × months stored, within the month, active and long-term. */
  readonly activeStorageByteMonths: number;
  readonly longTermStorageByteMonths: number;
  /** Bytes the scheduled jobs' queries process (billed, minimums included). */
  readonly scannedBytes: number;
  /**
   * The part of scannedBytes that is the per-query minimum of the jobs that run every minute: a
   * fixed monthly cost, whatever the volume, left out of the cost per million calls.
   */
  readonly scanFloorBytes: number;
}

/** Pub/Sub bills publishing and again each delivery; ingest has one subscription. */
export const PUBSUB_DELIVERIES = 1;
export { PUBSUB_MIN_REQUEST_BYTES } from '../../sql/queries/cost';
/** insertAll's minimum billable row. */
export const INSERT_ALL_MIN_ROW_BYTES = 1_024;
/** Pub/Sub's per-message overhead it bills beyond the data: the publish timestamp. */
export const PUBSUB_TIMESTAMP_BYTES = 20;

/** One priced component of the bill. */
export interface CostLine {
  readonly component: 'pubsub' | 'ingest' | 'storage' | 'scans';
  readonly priceId: Price['id'];
  /** The billed quantity in the price's unit. */
  readonly units: number;
  /** units × price, ignoring the free tier: the marginal cost, what "per million events" uses. */
  readonly listUsd: number;
  /** After the price's monthly free tier (this usage alone against it). */
  readonly billedUsd: number;
}

export interface PricedUsage {
  readonly writeApi: WriteApi;
  readonly lines: readonly CostLine[];
  readonly listUsd: number;
  readonly billedUsd: number;
  /** listUsd without the fixed scan minimum, per million application calls; null without calls. */
  readonly listUsdPerMillionCalls: number | null;
}

function line(component: CostLine['component'], price: Price, bytesOrUnits: number, isBytes = true): CostLine {
  const units = isBytes ? bytesOrUnits / BYTES_PER_UNIT[price.unit] : bytesOrUnits;
  return {
    component,
    priceId: price.id,
    units,
    listUsd: units * price.usd,
    billedUsd: Math.max(0, units - price.freeUnitsPerMonth) * price.usd,
  };
}

/** Bytes each write path bills for the same rows. */
export function ingestBilledBytes(usage: Pick<CostUsage, 'rowBytes' | 'insertAllBytes'>, writeApi: WriteApi): number {
  return writeApi === 'insert-all' ? usage.insertAllBytes : usage.rowBytes;
}

/** insertAll's rule for one row's data size. */
export const insertAllRowBytes = (rowBytes: number): number => Math.max(INSERT_ALL_MIN_ROW_BYTES, rowBytes);

/** Pub/Sub's billed bytes for one message of `dataBytes` with a message id of `messageIdBytes`. */
export const pubsubMessageBytes = (dataBytes: number, messageIdBytes: number): number => dataBytes + PUBSUB_TIMESTAMP_BYTES + messageIdBytes;

/** The bill for `usage` through `writeApi`. */
export function priceUsage(usage: CostUsage, prices: PriceTable, writeApi: WriteApi): PricedUsage {
  const lines: CostLine[] = [
    line('pubsub', prices.pubsub_throughput, usage.messageBilledBytes * (1 + PUBSUB_DELIVERIES)),
    line('ingest', writeApi === 'insert-all' ? prices.bq_insert_all : prices.bq_storage_write, ingestBilledBytes(usage, writeApi)),
    line('storage', prices.bq_active_storage, usage.activeStorageByteMonths),
    line('storage', prices.bq_long_term_storage, usage.longTermStorageByteMonths),
    line('scans', prices.bq_on_demand_query, usage.scannedBytes),
  ];
  const listUsd = lines.reduce((sum, l) => sum + l.listUsd, 0);
  const floorUsd = (usage.scanFloorBytes / BYTES_PER_UNIT[prices.bq_on_demand_query.unit]) * prices.bq_on_demand_query.usd;
  return {
    writeApi,
    lines,
    listUsd,
    billedUsd: lines.reduce((sum, l) => sum + l.billedUsd, 0),
    listUsdPerMillionCalls: usage.calls > 0 ? ((listUsd - floorUsd) / usage.calls) * 1e6 : null,
  };
}

/** The list cost of one component, summed over its lines. */
export const componentUsd = (priced: PricedUsage, component: CostLine['component']): number =>
  priced.lines.filter((l) => l.component === component).reduce((sum, l) => sum + l.listUsd, 0);
