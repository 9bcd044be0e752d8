import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ALERTS_JOB, ROLLUP_JOB, SLO_JOB } from '../../sql/job-state';
import { jobFreshnessProbe, warehouseHealthProbe } from '../../health/component-probes';
import type { ObservabilityConfig } from '../../shared/config';
import { BigQueryWarehouse } from '../../sql/bigquery/bigquery-warehouse';
import { defineQuery } from '../../sql/dialect';
import { partitionMinutes } from '../../sql/ddl';
import { DuckDbWarehouse } from '../../sql/duckdb/duckdb-warehouse';
import { TABLES, type TableName } from '../../sql/tables';
import type { Warehouse } from '../../sql/warehouse';
import { findRunningStack, type StackInfo } from '../local/stack-file';
import { checkStatusOf, DOCTOR_PROBE_TIMEOUT_MS, messageOf, probeCheck, type CheckResult } from './check';
import type { ComponentHealth } from '../../health/probes';

/** The scheduled jobs whose job_state row doctor reads; each should run every minute. */
export const DOCTOR_JOBS = [ROLLUP_JOB, SLO_JOB, ALERTS_JOB] as const;
/** job_state freshness: warn past 5 min, fail past 15 (the health endpoint's limits, health/component-probes.ts). */
const JOB_WARN_MS = 5 * 60_000;
const JOB_FAIL_MS = 15 * 60_000;

const skipAll = (detail: string): CheckResult[] => ['schema', ...DOCTOR_JOBS.map((j) => `job:${j}`)].map((name) => ({ name, status: 'skip', detail }));

/** Why a DuckDB file cannot be opened without creating anything, or undefined when it exists. */
function duckDbFileProblem(path: string): string | undefined {
  if (existsSync(path)) return statSync(path).isFile() ? undefined : `OBS_DUCKDB_PATH=${path} is not a file`;
  let dir = dirname(resolve(path));
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) return `OBS_DUCKDB_PATH=${path} cannot be created: ${dir} is a file, not a folder`;
  return `no DuckDB file at OBS_DUCKDB_PATH=${path}: nothing has been stored there yet (obs start or obs ingest creates it)`;
}

/**
 * Opens the configured warehouse without creating anything (doctor must not repair what it
 * inspects): no schema, and for DuckDB no file or folder. Resolves to the warehouse or to why not.
 */
async function openForDoctor(config: ObservabilityConfig): Promise<{ warehouse: Warehouse; where: string } | { problem: string }> {
  if (config.warehouse === 'bigquery') {
    const where = `BigQuery dataset ${config.bigqueryDataset}${config.projectId ? ` in ${config.projectId}` : ''}`;
    return { warehouse: new BigQueryWarehouse({ dataset: config.bigqueryDataset, ...(config.projectId ? { projectId: config.projectId } : {}) }), where };
  }
  const problem = duckDbFileProblem(config.duckdbPath);
  if (problem) return { problem };
  try {
    // Doctor's queries are tiny: a small instance, whatever OBS_DUCKDB_MEMORY_LIMIT says for the pipeline.
    return { warehouse: await DuckDbWarehouse.open(config.duckdbPath, { memoryLimit: '256MB', threads: 1 }), where: `DuckDB file ${config.duckdbPath}` };
  } catch (error) {
    const message = messageOf(error);
    const held = /lock/i.test(message) ? 'held by another process (not a running obs start): ' : '';
    return { problem: `cannot open DuckDB file ${config.duckdbPath}: ${held}${message}` };
  }
}

/** Every column of every table, as the warehouse's own catalogue lists them. */
function columnsQuery(config: ObservabilityConfig, dialect: Warehouse['dialect']) {
  return dialect === 'bigquery'
    ? // The dataset name is checked by loadConfig (letters, digits, underscores only).
      defineQuery('doctor_columns', `SELECT table_name, column_name FROM \`${config.bigqueryDataset}\`.INFORMATION_SCHEMA.COLUMNS`)
    : defineQuery('doctor_columns', "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_catalog = current_database()");
}

/**
 * The warehouse has every table of sql/tables.ts with every column. There is no schema version
 * number: the tables are created with CREATE TABLE IF NOT EXISTS and never altered, so what the
 * code needs is exactly "these tables with these columns"; a missing column is never added back
 * by itself, a missing table is created by the next start.
 */
export async function schemaCheck(warehouse: Warehouse, config: ObservabilityConfig): Promise<CheckResult> {
  const rows = await warehouse.query<{ table_name: string; column_name: string }>(columnsQuery(config, warehouse.dialect));
  const found = new Map<string, Set<string>>();
  for (const row of rows) {
    const columns = found.get(row.table_name) ?? new Set<string>();
    columns.add(row.column_name.toLowerCase());
    found.set(row.table_name, columns);
  }
  const names = Object.keys(TABLES) as TableName[];
  const missingTables = names.filter((t) => !found.has(t));
  const missingColumns = names.flatMap((t) => (found.has(t) ? TABLES[t].columns.filter((c) => !found.get(t)?.has(c.name)).map((c) => `${t}.${c.name}`) : []));
  if (missingTables.length === 0 && missingColumns.length === 0) {
    const ok = `all ${names.length} tables of sql/tables.ts with their columns (no schema version: tables and columns are compared)`;
    // BigQuery: a metric_events an older build created keeps its day partitions (CREATE TABLE IF NOT EXISTS never alters it).
    const minutes = await warehouse.partitionMinutes?.('metric_events');
    if (minutes !== undefined && minutes !== partitionMinutes(TABLES.metric_events)) {
      return {
        name: 'schema',
        status: 'warn',
        detail: `${ok}; but metric_events is partitioned by ${minutes === 1_440 ? 'day' : `${minutes} minutes`}, not by hour as this build creates it: the rollup job's every-minute recompute reads the day so far (about 24 times the bytes, docs/COST.md). Move it with obs migrate events-hourly (docs/DEPLOYMENT.md, "Hourly partitions of metric_events")`,
      };
    }
    return { name: 'schema', status: 'ok', detail: ok };
  }
  const parts: string[] = [];
  if (missingTables.length > 0) parts.push(`missing tables: ${missingTables.join(', ')}${missingTables.some((t) => TABLES[t].public) ? ' (public contract)' : ''}`);
  if (missingColumns.length > 0) parts.push(`missing columns: ${missingColumns.join(', ')}`);
  return { name: 'schema', status: 'fail', detail: parts.join('; ') };
}

/** job_state freshness of each scheduled job, health's jobFreshnessProbe with the same limits. */
function jobChecks(warehouse: Warehouse, clock: () => number): Promise<CheckResult[]> {
  return Promise.all(DOCTOR_JOBS.map((job) => probeCheck(`job:${job}`, jobFreshnessProbe(warehouse, clock, (j) => j === job, `${job} job`, JOB_WARN_MS, JOB_FAIL_MS), clock)));
}

/** While `obs start` holds the DuckDB file, ask it: its dashboard API runs the same probes in the stack. */
async function checksThroughStack(stack: StackInfo): Promise<CheckResult[]> {
  const held = `held by obs start pid ${stack.pid}`;
  let components: ComponentHealth[];
  try {
    const response = await fetch(`http://127.0.0.1:${stack.port}/api/dashboard`, {
      headers: { authorization: `Bearer ${stack.token}` },
      signal: AbortSignal.timeout(DOCTOR_PROBE_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    components = ((await response.json()) as { infrastructure: ComponentHealth[] }).infrastructure;
  } catch (error) {
    const detail = `${held} (ok), but its API on port ${stack.port} did not answer: ${messageOf(error)}`;
    return [{ name: 'warehouse', status: 'warn', detail }, ...skipAll(`${held}, which did not answer`)];
  }
  const component = (name: string, what: string): CheckResult => {
    const c = components.find((x) => x.name === name);
    return c ? { name: what, status: checkStatusOf(c.status), detail: `${c.detail ?? c.status} (through obs start pid ${stack.pid})` } : { name: what, status: 'skip', detail: `obs start pid ${stack.pid} does not report ${name}` };
  };
  return [
    { ...component('warehouse', 'warehouse'), detail: `${held}: ${components.find((x) => x.name === 'warehouse')?.detail ?? 'no warehouse component'}` },
    { name: 'schema', status: 'ok', detail: `${held}, which created any missing table when it opened the file (columns are checked when it is stopped)` },
    component('aggregator', `job:${ROLLUP_JOB}`),
    component('aggregator', `job:${SLO_JOB}`),
    component('alert_evaluator', `job:${ALERTS_JOB}`),
  ];
}

/** The warehouse, its schema and the freshness of the scheduled jobs: five checks, in that order. */
export async function warehouseChecks(config: ObservabilityConfig, clock: () => number): Promise<CheckResult[]> {
  const stack = config.warehouse === 'duckdb' ? findRunningStack(config.duckdbPath) : undefined;
  if (stack) return checksThroughStack(stack);
  const opened = await openForDoctor(config);
  if ('problem' in opened) return [{ name: 'warehouse', status: 'fail', detail: opened.problem }, ...skipAll('the warehouse cannot be opened')];
  const { warehouse, where } = opened;
  try {
    const reachable = await probeCheck('warehouse', warehouseHealthProbe(warehouse), clock);
    if (reachable.status === 'fail') return [{ ...reachable, detail: `${where}: ${reachable.detail}` }, ...skipAll('the warehouse does not answer')];
    const schema = await schemaCheck(warehouse, config).catch((error: unknown): CheckResult => ({ name: 'schema', status: 'fail', detail: `could not read the table list: ${messageOf(error)}` }));
    const jobs = await jobChecks(warehouse, clock);
    return [{ ...reachable, detail: `${where}: ${reachable.detail}` }, schema, ...jobs];
  } finally {
    await warehouse.close().catch(() => undefined);
  }
}
