import { DuckDBTimestampValue, type DuckDBAppender, type DuckDBConnection, type DuckDBInstance } from '@duckdb/node-api';
import { firstOfEachKey } from '../dedup';
import { TABLES } from '../tables';
import type { EventRow } from '../warehouse';
import { WarehouseDataError } from '../warehouse-errors';
import { isDuplicateKey } from './duckdb-bulk-insert';
import { changeLogRows, type IngestBatchRow, type LoggedEvent } from '../change-log';

/**
 * The hot path of ingest: `metric_events` rows into DuckDB, unique by event_id.
 *
 * Same shape as the generic bulk insert (appender → staging → one INSERT … SELECT), with two
 * refinements, both measured with bench/ingest.bench.ts:
 *
 * 1. The staging is normalised, because every appender call is a native call (~0.1 µs for a
 *    number, ~0.25 µs for a string) and most columns repeat:
 *      - `groups_N`: service, environment, message_id, ingest_ts — one row per run of rows from one
 *        message (rows of a message arrive together);
 *      - `tags_N`: series_key, tags — one row per distinct tag set in the call (ingest hands over
 *        one shared string per tag set, so the Map lookup hashes it once);
 *      - `events_N`: event_id, name, kind, value, event_ts, and the two small integer ids.
 *      - `aggs_N`: the aggregate columns of merged events (issue #18), one row per merged event;
 *        a single call appends one NULL instead of seven.
 *      - `log_N`: the write's change-log rows (sql/change-log.ts; a few per write), moved into
 *        `ingest_batches` in the same transaction as the events.
 *    Eight appends per event instead of eighteen, and the short ones; the joins run inside DuckDB.
 * 2. Staging happens *beside* the writer, not in its queue: each call stages on a slot of its own
 *    (a connection and its tables, in an in-memory database attached to the instance, so no WAL),
 *    while the warehouse's one writing connection is still moving the previous call's rows. Only
 *    the move — one INSERT … SELECT — is serialised with the other writes.
 */
const COLUMNS = [
  'event_id', 'name', 'kind', 'value', 'event_ts', 'ingest_ts', 'series_key', 'tags', 'service', 'environment', 'message_id',
  'call_count', 'value_min', 'value_max', 'last_value', 'start_ts', 'histogram', 'value_sum',
];
{
  const expected = TABLES.metric_events.columns.map((c) => c.name).join(',');
  if (COLUMNS.join(',') !== expected) throw new Error(`duckdb-event-inserter is out of step with sql/tables.ts metric_events: ${expected}`);
}

/** The attached in-memory database that holds the staging tables. */
const STAGING_DB = 'ingest_staging';

interface Slot {
  readonly connection: DuckDBConnection;
  readonly tables: { readonly events: string; readonly groups: string; readonly tags: string; readonly aggs: string; readonly log: string };
  /** The move when some staged rows are merged events (their columns joined from `aggs`). */
  readonly insertSql: string;
  /** The move when every staged row is a single call: no join, the merged-event columns left NULL. */
  readonly insertSinglesSql: string;
  /** The move of the staged change-log rows into ingest_batches. */
  readonly insertLogSql: string;
}

/** Rows staged on a slot, waiting for their move. */
export interface StagedEvents {
  readonly slot: Slot;
  readonly rows: number;
  /** Merged events among them (issue #18). */
  readonly merged?: number;
  /** Change-log rows staged with them (sql/change-log.ts), for a write that turns out to have no duplicates. */
  readonly logRows?: number;
}

/** The first eleven columns: every event has them; the rest are a merged event's (issue #18). */
const SINGLE_CALL_COLUMNS = COLUMNS.slice(0, 11);

function insertSql(t: Slot['tables'], merged: boolean): string {
  const at = (table: string) => `${STAGING_DB}.main.${table}`;
  return (
    `INSERT INTO metric_events (${(merged ? COLUMNS : SINGLE_CALL_COLUMNS).join(', ')}) ` +
    'SELECT e.event_id, e.name, e.kind, e.value, epoch_ms(CAST(e.event_ts AS BIGINT)), epoch_ms(CAST(g.ingest_ts AS BIGINT)), ' +
    't.series_key, t.tags, g.service, g.environment, g.message_id' +
    (merged ? ', CAST(a.call_count AS BIGINT), a.value_min, a.value_max, a.last_value, epoch_ms(CAST(a.start_ts AS BIGINT)), json(a.histogram), a.value_sum ' : ' ') +
    `FROM ${at(t.events)} e JOIN ${at(t.groups)} g ON e.grp = g.grp ` +
    // Merged events only (issue #18): a single call has agg NULL and joins nothing. A batch of
    // single calls only skips the join (measured: ~10% of the CPU of a store of single calls).
    (merged ? `LEFT JOIN ${at(t.aggs)} a ON e.agg = a.agg ` : '') +
    // json() checks the text is JSON (the appender does not): once per tag set, before the join.
    `JOIN (SELECT tag_set, series_key, json(tags) AS tags FROM ${at(t.tags)}) t ON e.tag_set = t.tag_set ` +
    // In key order: the PRIMARY KEY index (an ART) takes sorted keys with far fewer cache misses
    // than random UUIDs (measured: ~20% less CPU per insert at 1M rows, bench/ingest-file.bench.ts).
    'ORDER BY e.event_id'
  );
}

export class EventInserter {
  private readonly free: Slot[] = [];
  private readonly waiting: Array<(slot: Slot) => void> = [];
  private readonly all: Slot[] = [];
  /** Slots created or being created: counted before the first await, so concurrent calls cannot exceed maxSlots or share a name. */
  private created = 0;
  private attached: Promise<void> | undefined;

  /** `maxSlots`: calls staged at once; a further call waits for a slot. */
  constructor(
    private readonly instance: DuckDBInstance,
    private readonly maxSlots = 3,
  ) {}

  /** Stages `rows` (the first of each event_id) on a free slot. Release the result when done. */
  async stage(rows: readonly EventRow[]): Promise<StagedEvents> {
    const unique = firstOfEachKey(rows, (r) => r.event_id);
    const slot = await this.acquire();
    let merged = 0;
    try {
      const { events, groups, tags, aggs, log } = slot.tables;
      const appenders = await Promise.all([events, groups, tags, aggs, log].map((t) => slot.connection.createAppender(t, 'main', STAGING_DB)));
      const [e, g, t, a, l] = appenders as [DuckDBAppender, DuckDBAppender, DuckDBAppender, DuckDBAppender, DuckDBAppender];
      let logRows: number;
      try {
        merged = fill(unique, e, g, t, a);
        // The change log of the write as if every row is new (the common case), staged here too, off the writer's queue.
        logRows = appendLog(l, changeLogRows(unique), 'staging');
        for (const a of appenders) a.flushSync();
      } catch (error) {
        throw asDataError(error);
      } finally {
        for (const a of appenders) a.closeSync();
      }
      return { slot, rows: unique.length, merged, logRows };
    } catch (error) {
      await this.release({ slot, rows: 0 });
      throw error;
    }
  }

  /**
   * Moves staged rows into metric_events on the writing connection, and logs what it stored in
   * `ingest_batches` (sql/change-log.ts) in the same transaction: the events and their log rows are
   * stored together or not at all. Returns the rows stored. Throws {@link WarehouseDataError} when
   * DuckDB refuses the rows' data (nothing is stored then).
   *
   * As in duckdb-bulk-insert.ts `moveStaged`: a plain INSERT first, with the log rows staged beside
   * the events (then every staged row is new: a plain INSERT stores all or none) — one
   * multi-statement text, one call on the writer. Only if it hits the PRIMARY KEY (a redelivery, a
   * re-imported file) the same with ON CONFLICT DO NOTHING, whose RETURNING names the rows that
   * were new, and the log of those — so duplicates log nothing, and a re-imported file gives the
   * rollup job no work.
   */
  async move(writer: DuckDBConnection, staged: StagedEvents): Promise<number> {
    if (staged.rows === 0) return 0;
    const sql = staged.merged ? staged.slot.insertSql : staged.slot.insertSinglesSql;
    try {
      await writer.run(`BEGIN TRANSACTION;\n${sql};\n${staged.logRows ? `${staged.slot.insertLogSql};\n` : ''}COMMIT`);
      return staged.rows;
    } catch (error) {
      await writer.run('ROLLBACK').catch(() => undefined); // the failed statement aborted the transaction
      if (!isDuplicateKey(error)) throw asDataError(error);
    }
    try {
      await writer.run('BEGIN TRANSACTION');
      const reader = await writer.runAndReadAll(`${sql} ON CONFLICT DO NOTHING RETURNING ${RETURNED_FOR_LOG}`);
      const rows = reader.getRows();
      const log = changeLogRows(rows.map(loggedEventOf));
      if (log.length > 0) {
        const appender = await writer.createAppender('ingest_batches');
        try {
          appendLog(appender, log, 'table');
          appender.flushSync(); // into the open transaction: a ROLLBACK drops them with the events
        } finally {
          appender.closeSync();
        }
      }
      await writer.run('COMMIT');
      return rows.length;
    } catch (error) {
      await writer.run('ROLLBACK').catch(() => undefined);
      throw asDataError(error);
    }
  }

  /**
   * Empties the slot (its tables recreated, see {@link stagingDdl}) and hands it to the next caller.
   */
  async release(staged: StagedEvents): Promise<void> {
    const { slot } = staged;
    try {
      await slot.connection.run(stagingDdl(slot.tables, 'CREATE OR REPLACE TABLE'));
    } finally {
      const next = this.waiting.shift();
      if (next) next(slot);
      else this.free.push(slot);
    }
  }

  close(): void {
    for (const slot of this.all) slot.connection.closeSync();
  }

  private async acquire(): Promise<Slot> {
    const free = this.free.pop();
    if (free) return free;
    if (this.created < this.maxSlots) {
      const id = this.created++;
      try {
        return await this.createSlot(id);
      } catch (error) {
        this.created--; // give the place back: a failed connect must not shrink the pool for good
        throw error;
      }
    }
    return new Promise<Slot>((resolve) => this.waiting.push(resolve));
  }

  private async createSlot(id: number): Promise<Slot> {
    const tables = { events: `events_${id}`, groups: `groups_${id}`, tags: `tags_${id}`, aggs: `aggs_${id}`, log: `log_${id}` };
    const slot: Slot = {
      connection: await this.instance.connect(),
      tables,
      insertSql: insertSql(tables, true),
      insertSinglesSql: insertSql(tables, false),
      insertLogSql: insertLogSql(tables),
    };
    this.all.push(slot);
    // An in-memory database attached to the instance is visible to every connection of it.
    this.attached ??= slot.connection.run(`ATTACH IF NOT EXISTS ':memory:' AS ${STAGING_DB}`).then(() => undefined);
    await this.attached;
    await slot.connection.run(stagingDdl(tables, 'CREATE TABLE IF NOT EXISTS'));
    return slot;
  }
}

/** What the change log needs of each row the ON CONFLICT insert stored. */
const RETURNED_FOR_LOG = 'epoch_ms(event_ts), epoch_ms(ingest_ts), message_id';

function loggedEventOf(row: readonly unknown[]): LoggedEvent {
  const [event, ingest, messageId] = row;
  return { event_ts_ms: Number(event), ingest_ts_ms: Number(ingest), message_id: typeof messageId === 'string' ? messageId : null };
}

const LOG_COLUMNS = TABLES.ingest_batches.columns.map((c) => c.name);
{
  const expected = 'ingest_ts,message_id,messages,min_event_ts,max_event_ts,events';
  if (LOG_COLUMNS.join(',') !== expected) throw new Error(`duckdb-event-inserter is out of step with sql/tables.ts ingest_batches: ${LOG_COLUMNS.join(',')}`);
}

/**
 * Appends log rows: to the slot's staging table (timestamps as DOUBLE epoch ms, like the other
 * staging tables) or straight to `ingest_batches` (TIMESTAMP, BIGINT). Returns the rows appended.
 */
function appendLog(appender: DuckDBAppender, log: readonly IngestBatchRow[], into: 'staging' | 'table'): number {
  for (const r of log) {
    if (into === 'staging') appender.appendDouble(r.ingest_ts_ms);
    else appender.appendTimestamp(timestampOf(r.ingest_ts_ms));
    if (r.message_id === null) appender.appendNull();
    else appender.appendVarchar(r.message_id);
    if (into === 'staging') {
      appender.appendDouble(r.messages);
      appender.appendDouble(r.min_event_ts_ms);
      appender.appendDouble(r.max_event_ts_ms);
      appender.appendDouble(r.events);
    } else {
      appender.appendBigInt(BigInt(r.messages));
      appender.appendTimestamp(timestampOf(r.min_event_ts_ms));
      appender.appendTimestamp(timestampOf(r.max_event_ts_ms));
      appender.appendBigInt(BigInt(r.events));
    }
    appender.endRow();
  }
  return log.length;
}

const timestampOf = (ms: number) => new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n);

/** Moves a slot's staged change-log rows into ingest_batches (inside the move's transaction). */
function insertLogSql(t: Slot['tables']): string {
  const ts = (column: string) => `epoch_ms(CAST(${column} AS BIGINT))`;
  return (
    `INSERT INTO ingest_batches (${LOG_COLUMNS.join(', ')}) ` +
    `SELECT ${ts('ingest_ts')}, message_id, CAST(messages AS BIGINT), ${ts('min_event_ts')}, ${ts('max_event_ts')}, CAST(events AS BIGINT) FROM ${STAGING_DB}.main.${t.log}`
  );
}

/**
 * The slot's staging tables, as one multi-statement text. Emptying a slot recreates them
 * (`CREATE OR REPLACE TABLE`) rather than deleting their rows: DuckDB reclaims deleted rows only
 * at a checkpoint, so with DELETE every row ever staged stayed in memory until the next one —
 * ~200 bytes per event, tens of MB per checkpoint cycle at 2,000 events/s, most of the local
 * stack's sawtooth (issue 17, item 10; bench/soak.bench.ts). A replaced table's blocks are freed
 * once no transaction can still see it.
 */
function stagingDdl(t: Slot['tables'], create: 'CREATE TABLE IF NOT EXISTS' | 'CREATE OR REPLACE TABLE'): string {
  const at = (table: string) => `${STAGING_DB}.main.${table}`;
  return [
    `${create} ${at(t.events)} (event_id VARCHAR, name VARCHAR, kind VARCHAR, value DOUBLE, event_ts DOUBLE, grp INTEGER, tag_set INTEGER, agg INTEGER)`,
    `${create} ${at(t.groups)} (grp INTEGER, service VARCHAR, environment VARCHAR, message_id VARCHAR, ingest_ts DOUBLE)`,
    `${create} ${at(t.tags)} (tag_set INTEGER, series_key VARCHAR, tags VARCHAR)`,
    `${create} ${at(t.aggs)} (agg INTEGER, call_count DOUBLE, value_min DOUBLE, value_max DOUBLE, last_value DOUBLE, start_ts DOUBLE, histogram VARCHAR, value_sum DOUBLE)`,
    `${create} ${at(t.log)} (ingest_ts DOUBLE, message_id VARCHAR, messages DOUBLE, min_event_ts DOUBLE, max_event_ts DOUBLE, events DOUBLE)`,
  ].join(';\n');
}

/**
 * DuckDB errors that are about the data, not the database: the same rows would fail again. Its
 * messages start with the error type (duckdb/common/exception.hpp); "Invalid Input Error" is also
 * raised for other things, so only its JSON and Unicode forms count.
 */
const DATA_ERROR = /^(?:Conversion Error|Out of Range Error)|Malformed JSON|invalid unicode/i;

/** `error` as a {@link WarehouseDataError} when DuckDB refused the data; otherwise as it was (transient). */
function asDataError(error: unknown): unknown {
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message !== 'string' || !DATA_ERROR.test(message)) return error;
  return new WarehouseDataError('metric_events', message, { cause: error });
}

const appendNullable = (appender: DuckDBAppender, value: number | null | undefined): void => {
  if (value === null || value === undefined) appender.appendNull();
  else appender.appendDouble(value);
};

/** Appends `rows` to the staging tables; returns how many are merged events. */
function fill(rows: readonly EventRow[], events: DuckDBAppender, groups: DuckDBAppender, tagSets: DuckDBAppender, aggs: DuckDBAppender): number {
  let nextAgg = 0;
  const tagSetIds = new Map<string, { id: number; seriesKey: string }>();
  let previous: EventRow | undefined;
  let group = -1;
  let nextTagSet = 0;
  for (const row of rows) {
    if (
      previous === undefined ||
      row.message_id !== previous.message_id ||
      row.service !== previous.service ||
      row.environment !== previous.environment ||
      row.ingest_ts_ms !== previous.ingest_ts_ms
    ) {
      group++;
      groups.appendInteger(group);
      groups.appendVarchar(row.service);
      groups.appendVarchar(row.environment);
      if (row.message_id === null) groups.appendNull();
      else groups.appendVarchar(row.message_id);
      groups.appendDouble(row.ingest_ts_ms);
      groups.endRow();
      previous = row;
    }
    // Keyed by the tags text, and checked against series_key, so every row stores exactly the
    // strings it was given (ingest derives one from the other, but the port does not require it).
    let tagSet = tagSetIds.get(row.tags);
    if (tagSet === undefined || tagSet.seriesKey !== row.series_key) {
      tagSet = { id: nextTagSet++, seriesKey: row.series_key };
      tagSetIds.set(row.tags, tagSet);
      tagSets.appendInteger(tagSet.id);
      tagSets.appendVarchar(row.series_key);
      tagSets.appendVarchar(row.tags);
      tagSets.endRow();
    }
    events.appendVarchar(row.event_id);
    events.appendVarchar(row.name);
    events.appendVarchar(row.kind);
    events.appendDouble(row.value);
    events.appendDouble(row.event_ts_ms);
    events.appendInteger(group);
    events.appendInteger(tagSet.id);
    if (row.call_count == null && row.value_min == null && row.value_max == null && row.last_value == null && row.start_ts_ms == null && row.histogram == null && row.value_sum == null) {
      events.appendNull();
    } else {
      const agg = nextAgg++;
      events.appendInteger(agg);
      aggs.appendInteger(agg);
      appendNullable(aggs, row.call_count);
      appendNullable(aggs, row.value_min);
      appendNullable(aggs, row.value_max);
      appendNullable(aggs, row.last_value);
      appendNullable(aggs, row.start_ts_ms);
      if (row.histogram == null) aggs.appendNull();
      else aggs.appendVarchar(row.histogram);
      appendNullable(aggs, row.value_sum);
      aggs.endRow();
    }
    events.endRow();
  }
  return nextAgg;
}
