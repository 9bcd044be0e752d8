import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
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
  /** Warehouse writes under way at once (default 2: one batch decoded while the previous one is stored). */
  readonly inFlight?: number;
  /** Told after a write finishes, at most every 2 s, and once at the end. What it throws is ignored. */
  readonly onProgress?: (progress: ImportProgress) => void;
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

/**
 * Lines per warehouse write. Measured (bench/ingest-file.bench.ts): each write is a DuckDB
 * transaction, whose fixed costs (the WAL, the commit, the change log) larger batches spread
 * thinner; memory grows with it (about 1 KB of JavaScript per line in flight).
 */
export const DEFAULT_BATCH_LINES = 20_000;
/** Warehouse writes under way at once: the next batch is read, decoded and validated while the previous one is stored. */
export const DEFAULT_IN_FLIGHT = 2;
/** Progress is told at most this often. */
const PROGRESS_EVERY_MS = 2_000;

/** How far an import has got: lines read so far, and what the writes finished so far came to. */
export interface ImportProgress extends IngestSummary {
  readonly lines: number;
}

export async function importNdjson(options: ImportOptions): Promise<ImportResult> {
  const hash = await fileHash(options.file);
  const prefix = `${basename(options.file)}@${hash}:`;
  const wrap = wrapper(options.source);
  const batchLines = Math.max(1, options.batchLines ?? DEFAULT_BATCH_LINES);
  const inFlight = Math.max(1, options.inFlight ?? DEFAULT_IN_FLIGHT);
  const total = emptySummary();
  const badLines: number[] = [];
  const failedLines: number[] = [];
  let lines = 0;
  let blankLines = 0;
  let error: string | undefined;
  let batch: IngestMessage[] = [];
  const pending = new Set<Promise<void>>();

  const write = async (messages: IngestMessage[]) => {
    let outcome: Awaited<ReturnType<IngestHandler['handleBatch']>>;
    try {
      outcome = await options.handler.handleBatch(messages);
    } catch (thrown) {
      // handleBatch does not throw (it returns what to retry); if it ever does, the lines are reported as not stored, not lost.
      outcome = { ...emptySummary(), retry: messages, deadLetteredFrom: [], error: thrown };
    }
    addSummary(total, outcome);
    for (const id of outcome.deadLetteredFrom) badLines.push(lineOf(id, prefix));
    for (const m of outcome.retry) failedLines.push(lineOf(m.id, prefix));
    if (outcome.error !== undefined) error = outcome.error instanceof Error ? outcome.error.message : JSON.stringify(outcome.error);
    if (options.onProgress && Date.now() - toldAt >= PROGRESS_EVERY_MS) tell();
  };
  let toldAt = Date.now();
  const tell = () => {
    toldAt = Date.now();
    try {
      options.onProgress?.({ ...total, lines });
    } catch {
      // Progress is for the eyes only: it must not fail the import.
    }
  };
  /** Hands the batch to the handler; waits only while `inFlight` writes are already under way (memory stays bounded). */
  const flush = async () => {
    if (batch.length === 0) return;
    const messages = batch;
    batch = [];
    const done: Promise<void> = write(messages).finally(() => pending.delete(done));
    pending.add(done);
    while (pending.size >= inFlight) await Promise.race(pending);
  };

  for await (const chunk of readLines(options.file)) {
    for (const text of chunk) {
      lines++;
      const line = text.trim();
      if (line === '') {
        blankLines++;
        continue;
      }
      batch.push(asMessage(`${prefix}${lines}`, line, wrap));
      if (batch.length >= batchLines) await flush();
    }
  }
  await flush();
  await Promise.all(pending);
  if (options.onProgress) tell();
  badLines.sort((a, b) => a - b);
  failedLines.sort((a, b) => a - b);
  return { ...total, file: options.file, lines, blankLines, badLines, failedLines, ...(error === undefined ? {} : { error }) };
}

/** The one-event message around a bare-event line: its text (`head` + line + `tail`), and the parts its parsed form shares. */
interface Wrapper {
  readonly head: string;
  readonly tail: string;
  /** UTF-8 bytes of head and tail together. */
  readonly bytes: number;
  readonly source: MessageSource;
}

function wrapper(source: MessageSource): Wrapper {
  const head = `{"schema":${JSON.stringify(WIRE_SCHEMA)},"source":${JSON.stringify(source)},"events":[`;
  const tail = ']}';
  return { head, tail, bytes: Buffer.byteLength(head + tail, 'utf8'), source: JSON.parse(JSON.stringify(source)) as MessageSource };
}

/** Whether `text` plus `extra` bytes fits in a message: the exact UTF-8 length only when the cheap bound does not settle it. */
const fits = (text: string, extra: number) => text.length * 3 + extra <= WIRE_LIMITS.maxMessageBytes || Buffer.byteLength(text, 'utf8') + extra <= WIRE_LIMITS.maxMessageBytes;

/**
 * The message for one line: the line itself when it is a whole message or not JSON at all (so its
 * dead letter holds the line as written), else a one-event message around it. A line too big or
 * too deeply nested to be a message is passed on as it is, unparsed: the decoder refuses it with
 * the reason (`message_too_large`, `nesting_too_deep`) and the line becomes its dead letter.
 *
 * The line is parsed once, here: when the message text is within the decoder's size and depth
 * limits, its parsed form goes with it (`parsed`) and the decoder does not parse it again — the
 * same verdicts, as the decoder's own parse would give the same value. A message the limits
 * would refuse (a bare event within 2 levels or a few bytes of them, once wrapped) goes as text
 * only, so the decoder refuses it exactly as before.
 */
function asMessage(id: string, line: string, wrap: Wrapper): IngestMessage {
  // The wrapper adds two levels ({"events":[…]}): most lines pass the stricter scan, and need no second one.
  const shallow = jsonDepthWithin(line, WIRE_LIMITS.maxJsonDepth - 2);
  if (line.length > WIRE_LIMITS.maxMessageBytes || (!shallow && !jsonDepthWithin(line, WIRE_LIMITS.maxJsonDepth))) return { id, data: line };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { id, data: line };
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'schema' in parsed) {
    return fits(line, 0) ? { id, data: line, parsed } : { id, data: line };
  }
  const data = wrap.head + line + wrap.tail;
  if (!shallow || !fits(line, wrap.bytes)) return { id, data };
  return { id, data, parsed: { schema: WIRE_SCHEMA, source: wrap.source, events: [parsed] } };
}

/** Read size: large reads mean fewer stream events and string joins (a line cut by a chunk's end is joined once). */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * The lines of a UTF-8 file, a chunk's worth at a time, split exactly as `readline` with
 * `crlfDelay: Infinity` splits them (line numbers must not change): `\n`, `\r\n` and a lone `\r`
 * each end a line, and a last line without an ending counts when it is not empty. An array per
 * chunk instead of an event per line: about a third of readline's cost (bench/ingest-file.bench.ts).
 */
export async function* readLines(file: string, chunkBytes = READ_CHUNK_BYTES): AsyncGenerator<string[]> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: chunkBytes })) {
    const text = rest === '' ? (chunk as string) : rest + (chunk as string);
    const lines: string[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      pushLines(lines, text.slice(start, end));
      start = end + 1;
    }
    rest = text.slice(start);
    // A \r before the last character ends a line now; one at the very end may yet be half of a \r\n.
    const cr = rest.lastIndexOf('\r');
    if (cr >= 0 && cr < rest.length - 1) {
      pushLines(lines, rest.slice(0, cr + 1));
      rest = rest.slice(cr + 1);
    }
    if (lines.length > 0) yield lines;
  }
  if (rest !== '') {
    const lines: string[] = [];
    pushLines(lines, rest);
    yield lines;
  }
}

/** The lines of `segment`, which holds no \n and ends where a line ends: split at each \r. */
function pushLines(into: string[], segment: string): void {
  if (segment.indexOf('\r') < 0) {
    into.push(segment);
    return;
  }
  const parts = segment.split('\r');
  if (parts[parts.length - 1] === '') parts.pop(); // "a\r": that \r ends "a" (half of a \r\n, or a lone \r)
  for (const part of parts) into.push(part);
}

function lineOf(messageId: string, prefix: string): number {
  return Number(messageId.slice(prefix.length));
}

async function fileHash(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 12);
}
