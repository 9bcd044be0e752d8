import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { WIRE_LIMITS, WIRE_SCHEMA, type MessageSource } from '../shared';
import { jsonDepthWithin } from '../shared/json-depth';
import type { IngestHandler } from './ingest-handler';
import { addSummary, emptySummary, type IngestMessage, type IngestSummary } from './ingest-message';

/**
 * `obs ingest --file events.ndjson`: loads a file through the same handler as Pub/Sub (backfills,
 * imports, replays of dead letters). One JSON value per line:
 *
 *   - a v1 event — `{"id":…,"name":…,"kind":…,"value":…,"ts":…,"tags":{…}}` — stored with the
 *     source given by the caller (`--service`, `--environment`);
 *   - or a whole v1 message — `{"schema":"metrics.v1","source":…,"events":[…]}` — as published
 *     (what a `warehouse_failed` dead letter holds, so dead letters can be replayed as they are).
 *
 * Each line is its own message, with the id `<file name>@<first 12 hex of the file's SHA-256>:<line>`:
 * a bad line's dead letter names its line, and importing the same file again adds nothing
 * (events dedup by id, dead letters by message id). Blank lines are skipped.
 */
export interface ImportOptions {
  readonly file: string;
  readonly handler: IngestHandler;
  /** The source of bare-event lines. */
  readonly source: MessageSource;
  /** Lines per warehouse write. */
  readonly batchLines?: number;
}

export interface ImportResult extends IngestSummary {
  readonly file: string;
  readonly lines: number;
  readonly blankLines: number;
  /** Lines that produced a dead letter (all of them, ascending). */
  readonly badLines: number[];
  /** Lines not stored because the warehouse failed: re-run the import (it is idempotent). */
  readonly failedLines: number[];
  readonly error?: string;
}

const DEFAULT_BATCH_LINES = 5_000;

export async function importNdjson(options: ImportOptions): Promise<ImportResult> {
  const hash = await fileHash(options.file);
  const prefix = `${basename(options.file)}@${hash}:`;
  const sourceJson = JSON.stringify(options.source);
  const batchLines = options.batchLines ?? DEFAULT_BATCH_LINES;
  const total = emptySummary();
  const badLines: number[] = [];
  const failedLines: number[] = [];
  let lines = 0;
  let blankLines = 0;
  let error: string | undefined;
  let batch: IngestMessage[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    let outcome: Awaited<ReturnType<IngestHandler['handleBatch']>>;
    try {
      outcome = await options.handler.handleBatch(batch);
    } catch (thrown) {
      // handleBatch does not throw (it returns what to retry); if it ever does, the lines are reported as not stored, not lost.
      outcome = { ...emptySummary(), retry: batch, deadLetteredFrom: [], error: thrown };
    }
    addSummary(total, outcome);
    for (const id of outcome.deadLetteredFrom) badLines.push(lineOf(id, prefix));
    for (const m of outcome.retry) failedLines.push(lineOf(m.id, prefix));
    if (outcome.error !== undefined) error = outcome.error instanceof Error ? outcome.error.message : JSON.stringify(outcome.error);
    batch = [];
  };

  const reader = createInterface({ input: createReadStream(options.file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const text of reader) {
    lines++;
    const line = text.trim();
    if (line === '') {
      blankLines++;
      continue;
    }
    batch.push({ id: `${prefix}${lines}`, data: asMessage(line, sourceJson) });
    if (batch.length >= batchLines) await flush();
  }
  await flush();
  badLines.sort((a, b) => a - b);
  failedLines.sort((a, b) => a - b);
  return { ...total, file: options.file, lines, blankLines, badLines, failedLines, ...(error === undefined ? {} : { error }) };
}

/**
 * The message text for one line: the line itself when it is a whole message or not JSON at all
 * (so its dead letter holds the line as written), else a one-event message around it. A line too
 * big or too deeply nested to be a message is passed on as it is, unparsed: the decoder refuses
 * it with the reason (`message_too_large`, `nesting_too_deep`) and the line becomes its dead letter.
 */
function asMessage(line: string, sourceJson: string): string {
  if (line.length > WIRE_LIMITS.maxMessageBytes || !jsonDepthWithin(line, WIRE_LIMITS.maxJsonDepth)) return line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'schema' in parsed) return line;
  return `{"schema":${JSON.stringify(WIRE_SCHEMA)},"source":${sourceJson},"events":[${line}]}`;
}

function lineOf(messageId: string, prefix: string): number {
  return Number(messageId.slice(prefix.length));
}

async function fileHash(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 12);
}
