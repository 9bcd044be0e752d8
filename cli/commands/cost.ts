import { parseArgs } from 'node:util';
import { componentUsd, type PricedUsage } from '../../aggregator/cost/cost-model';
import { costReport, monthBounds, monthOf, type CostReport } from '../../aggregator/cost/cost-report';
import { loadPrices } from '../../aggregator/cost/prices-file';
import type { PriceTable } from '../../shared/prices';
import { appOf, AT_OPTION, CommandError, EXIT, formatHelp, JSON_OPTION, type Command } from '../command';
import { nowFrom, usageOnError, UsageError, withUsage, withWarehouse } from './aggregate';

const USAGE = 'obs cost [--month YYYY-MM] [--at ISO] [--json]';
const MODULE_LINES = 12;
const METRIC_LINES = 10;

export const usd = (x: number): string => (x === 0 ? '$0' : Math.abs(x) < 0.01 ? `$${x.toPrecision(2)}` : `$${x.toFixed(2)}`);

/** Bytes in binary units, as Google bills them (GiB = 2^30). */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i]}`;
}

const pathName = (p: PricedUsage) => (p.writeApi === 'storage' ? 'Storage Write API' : 'insertAll');
const perMillion = (p: PricedUsage) => (p.listUsdPerMillionCalls === null ? 'n/a (no calls)' : `${usd(p.listUsdPerMillionCalls)} per million calls beyond the fixed scan minimum`);

/** The scans: BigQuery's job statistics when the report has them, the estimate always. */
function scanLines(r: CostReport, price: string): string[] {
  const s = r.scans;
  const partition = s.partitionMinutes === 60 ? 'hour' : s.partitionMinutes === 1_440 ? 'day' : `${s.partitionMinutes}-minute`;
  const estimate = `${bytes(s.bytes)} estimated: ${bytes(s.floorBytes)} the 10 MB minimum × ${s.tableReferencesPerMinute} table references × ${s.runMinutes} minutes of job runs, ${bytes(s.recomputeBytes)} the minute recompute reading metric_events' ${partition} partition so far`;
  if (s.measured) {
    const top = s.measured.byQuery.slice(0, 3).map((q) => `${q.query} ${bytes(q.bytesBilled)}`).join(', ');
    return [
      `  scans        ${bytes(s.measured.bytesBilled)} billed for ${s.measured.jobs} query job(s) of this dataset, measured (INFORMATION_SCHEMA.JOBS; ${bytes(s.measured.bytesProcessed)} processed; most: ${top})  ${price}`,
      `               the estimate beside it: ${estimate}`,
    ];
  }
  return [`  scans        ${estimate}  ${price}`, ...(s.measuredUnavailable ? [`               not measured: ${s.measuredUnavailable}`] : [])];
}

/** The readable report. */
export function formatCost(r: CostReport): string {
  const u = r.usage;
  const p = r.priced;
  const lines = [
    `Cost of ${r.month} (${r.inProgress ? `to ${new Date(r.untilMs).toISOString()}, month in progress` : 'whole month'}), ${r.warehouse === 'bigquery' ? 'BigQuery' : 'DuckDB (as BigQuery would bill it)'}, write path ${r.writeApi} (OBS_BQ_WRITE_API), list prices (docs/COST.md):`,
    `  Pub/Sub      ${u.messages} message(s), ${bytes(u.messageBytes)} published (${bytes(u.messageBilledBytes)} billed, 1,000 B minimum a request), billed again on delivery to ingest  ${usd(componentUsd(p, 'pubsub'))}`,
    `  ingest       ${u.events} row(s) (${u.calls} calls), ${bytes(u.rowBytes)} data size; insertAll would bill ${bytes(u.insertAllBytes)} (1 KB a row), the Storage Write API ${bytes(u.rowBytes)}  ${usd(componentUsd(p, 'ingest'))}`,
    `  storage      ${(u.activeStorageByteMonths / 1024 ** 3).toFixed(4)} GiB-months active, ${(u.longTermStorageByteMonths / 1024 ** 3).toFixed(4)} long-term (${r.storage.map((t) => `${t.table} ${bytes(t.bytes)}`).join(', ')})  ${usd(componentUsd(p, 'storage'))}`,
    ...scanLines(r, usd(componentUsd(p, 'scans'))),
    `  total        ${usd(p.listUsd)} at list prices (${usd(p.billedUsd)} after the monthly free tiers); ${perMillion(p)}`,
    `  the other write path, ${pathName(r.alternative)}: ${usd(r.alternative.listUsd)} (${usd(r.alternative.billedUsd)} after free tiers); ${perMillion(r.alternative)}`,
  ];
  if (r.modules.length > 0) {
    lines.push('By module (events, calls, data size, share at list prices; the scan floor and rollup storage are not attributed):');
    const width = Math.max(...r.modules.map((m) => m.module.length));
    for (const m of r.modules.slice(0, MODULE_LINES)) lines.push(`  ${m.module.padEnd(width)}  ${String(m.events).padStart(9)} events  ${String(m.calls).padStart(10)} calls  ${bytes(m.rowBytes).padStart(10)}  ${usd(m.listUsd)}`);
    lines.push(`Top metrics (of ${r.metrics.length}):`);
    const nameWidth = Math.max(...r.metrics.slice(0, METRIC_LINES).map((m) => m.name.length));
    for (const m of r.metrics.slice(0, METRIC_LINES)) lines.push(`  ${m.name.padEnd(nameWidth)}  ${String(m.events).padStart(9)} events  ${bytes(m.rowBytes).padStart(10)}  ${usd(m.listUsd)}`);
  } else {
    lines.push('No events stored in this month.');
  }
  lines.push(`This report read about ${bytes(r.reportReadBytes)}${r.warehouse === 'bigquery' ? `, billed about ${usd((r.reportReadBytes / 1024 ** 4) * r.prices.find((x) => x.id === 'bq_on_demand_query')!.usd)}` : ` (on BigQuery: about ${usd((r.reportReadBytes / 1024 ** 4) * r.prices.find((x) => x.id === 'bq_on_demand_query')!.usd)})`}.`);
  lines.push(`Prices recorded ${[...new Set(r.prices.map((x) => x.recorded))].join(', ')} (shared/prices.ts; OBS_PRICES_FILE overrides). --json gives every metric.`);
  return lines.join('\n');
}

/** `obs cost [--month YYYY-MM] [--at ISO] [--json]`: what the month costs, and would through the other write path. */
export const costCommand: Command = {
  name: 'cost',
  usage: USAGE,
  summary: 'What the pipeline costs a month on Google Cloud at list prices, by component, module and metric',
  help: () =>
    formatHelp({
      usage: USAGE,
      description:
        'Bytes published to Pub/Sub, bytes ingested into BigQuery (by the write path\'s billing rule: insertAll\n' +
        'bills each row as at least 1 KB, the Storage Write API its bytes), storage GiB-months and the bytes the\n' +
        'scheduled jobs scan (BigQuery: as its job statistics bill them; DuckDB: estimated), priced with the list prices of shared/prices.ts (OBS_PRICES_FILE overrides\n' +
        'them), per module and per metric, with the other write path beside. The month is a calendar month, UTC, by\n' +
        'event time; the month in progress is measured up to now (or --at). docs/COST.md explains the model.\n' +
        'Runs inside `obs start` when it holds the DuckDB file.',
      options: [{ flag: '--month YYYY-MM', text: 'the calendar month (UTC)', default: 'the month of now (or --at)' }, AT_OPTION, JSON_OPTION],
      examples: ['obs cost', 'obs cost --month 2026-11 --json'],
    }),
  run(args, io, context) {
    return withUsage(this, io, async () => {
      const { values, positionals } = usageOnError(() => parseArgs({ args, allowPositionals: true, options: { month: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' } } }));
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals.join(' ')}"`);
      const app = appOf(context);
      const nowMs = nowFrom(values.at, app.clock);
      const month = values.month ?? monthOf(nowMs);
      usageOnError(() => monthBounds(month));
      let prices: PriceTable;
      try {
        prices = loadPrices();
      } catch (error) {
        throw new CommandError((error as Error).message, EXIT.CONFIG, { cause: error });
      }
      const report = await withWarehouse(app, (warehouse) =>
        costReport(warehouse, { month, nowMs, writeApi: app.config.bigqueryWriteApi, retention: app.config.retention, prices }),
      );
      io.out(values.json ? JSON.stringify(report, null, 2) : formatCost(report));
      return 0;
    });
  },
};
