import fc from 'fast-check';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WIRE_LIMITS } from '../../../shared';
import { IngestHandler, type BatchOutcome } from '../../../ingest/ingest-handler';
import { silentIngestLog } from '../../../ingest/ingest-log';
import type { IngestMessage } from '../../../ingest/ingest-message';
import { importNdjson, readLines, type ImportProgress, type ImportResult } from '../../../ingest/ndjson-import';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { deadLetters, message, NOW, spend, storedIds } from './fixtures';

/** The import's own speed-ups (issue #13: batches in flight, one parse per line, its own line splitter) must not change what it does. */
describe('importNdjson', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ndjson-import-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const source = { service: 'backfill', environment: 'test' };

  async function withWarehouse<T>(work: (wh: DuckDbWarehouse, handler: IngestHandler) => Promise<T>): Promise<T> {
    const wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
    try {
      return await work(wh, new IngestHandler({ warehouse: wh, now: () => NOW, log: silentIngestLog }));
    } finally {
      await wh.close();
    }
  }

  const withoutHash = (id: string | null) => id?.replace(/@[0-9a-f]{12}:/, '@…:');

  /** 40 lines: good events, a bad value, broken JSON, a whole message, blank lines, and the same event again far apart (other batches). */
  function mixedFile(): { file: string; lines: string[] } {
    const lines: string[] = [];
    for (let i = 1; i <= 40; i++) {
      if (i % 9 === 0) lines.push('');
      else if (i % 7 === 0) lines.push(JSON.stringify(spend(`bad${i}`, { value: -1 })));
      else if (i === 11) lines.push('{"id": "broken');
      else if (i === 13) lines.push(message([spend('m1'), spend('m2')], { service: 'chat', environment: 'prod' }));
      else if (i === 30 || i === 38) lines.push(JSON.stringify(spend('e2'))); // e2 is line 2 too
      else lines.push(JSON.stringify(spend(`e${i}`)));
    }
    const file = join(dir, 'mixed.ndjson');
    writeFileSync(file, lines.join('\n') + '\n');
    return { file, lines };
  }

  async function importWith(file: string, batchLines: number, inFlight: number) {
    return withWarehouse(async (wh, handler) => {
      const result = await importNdjson({ file, handler, source, batchLines, inFlight });
      const dead = (await deadLetters(wh)).map((d) => [withoutHash(d.message_id), d.reason_codes]).sort();
      return { result, ids: await storedIds(wh), dead };
    });
  }

  it('gives the same result, line numbers and stored rows whatever the batch size and the writes in flight (duplicates across batches included)', async () => {
    const { file } = mixedFile();
    const one = await importWith(file, 1_000, 1); // the whole file in one write
    expect(one.result).toMatchObject({ lines: 40, blankLines: 4, stored: 29, duplicates: 2, deadLettered: 6, badLines: [7, 11, 14, 21, 28, 35], failedLines: [] });
    expect(one.ids).toContain('m1');
    expect(one.dead).toEqual(
      [
        ['mixed.ndjson@…:7', 'invalid_value'],
        ['mixed.ndjson@…:11', 'invalid_json'],
        ['mixed.ndjson@…:14', 'invalid_value'],
        ['mixed.ndjson@…:21', 'invalid_value'],
        ['mixed.ndjson@…:28', 'invalid_value'],
        ['mixed.ndjson@…:35', 'invalid_value'],
      ].sort(),
    );
    for (const [batchLines, inFlight] of [
      [1, 1],
      [3, 2],
      [4, 3],
      [7, 2],
    ] as const) {
      const other = await importWith(file, batchLines, inFlight);
      expect({ batchLines, inFlight, ...other }).toEqual({ batchLines, inFlight, ...one });
    }
  });

  it('reports a failed write by its lines and goes on with the other batches', async () => {
    const { file } = mixedFile();
    await withWarehouse(async (wh, handler) => {
      let calls = 0;
      const failing: Pick<IngestHandler, 'handleBatch'> = {
        // The second batch (lines 6–10) fails as the warehouse would: its messages come back to retry.
        handleBatch: (messages: readonly IngestMessage[]) =>
          ++calls === 2 ? Promise.resolve({ messages: 0, events: 0, stored: 0, duplicates: 0, deadLettered: 0, gaveUp: 0, retry: messages, deadLetteredFrom: [], error: new Error('disk full') } satisfies BatchOutcome) : handler.handleBatch(messages),
      };
      const result = await importNdjson({ file, handler: failing as IngestHandler, source, batchLines: 5, inFlight: 2 });
      expect(result.failedLines).toEqual([6, 7, 8, 10, 11]); // five lines a batch; line 9 is blank
      expect(result.error).toBe('disk full');
      expect(await storedIds(wh)).not.toContain('e6');
      expect(await storedIds(wh)).toContain('e12');
    });
  });

  it('holds at most batchLines × inFlight lines in writes at once, however big the file', async () => {
    const lines = Array.from({ length: 5_000 }, (_, i) => JSON.stringify(spend(`big${i}`)));
    const file = join(dir, 'big.ndjson');
    writeFileSync(file, lines.join('\n') + '\n');
    await withWarehouse(async (wh, handler) => {
      let outstanding = 0;
      let most = 0;
      const counting: Pick<IngestHandler, 'handleBatch'> = {
        handleBatch: async (messages: readonly IngestMessage[]) => {
          outstanding += messages.length;
          most = Math.max(most, outstanding);
          try {
            return await handler.handleBatch(messages);
          } finally {
            outstanding -= messages.length;
          }
        },
      };
      const result = await importNdjson({ file, handler: counting as IngestHandler, source, batchLines: 250, inFlight: 2 });
      expect(result).toMatchObject({ lines: 5_000, stored: 5_000, failedLines: [] });
      expect(most).toBeGreaterThan(250); // two writes did overlap…
      expect(most).toBeLessThanOrEqual(500); // …and never more
      expect(await storedIds(wh)).toHaveLength(5_000);
    });
  });

  it('tells its progress: lines read only grow, and the last report is the whole file', async () => {
    const { file } = mixedFile();
    await withWarehouse(async (_wh, handler) => {
      const seen: ImportProgress[] = [];
      const result: ImportResult = await importNdjson({ file, handler, source, batchLines: 5, onProgress: (p) => seen.push(p) });
      expect(seen.length).toBeGreaterThanOrEqual(1);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.lines).toBeGreaterThanOrEqual(seen[i - 1]!.lines);
      expect(seen[seen.length - 1]).toMatchObject({ lines: result.lines, stored: result.stored, deadLettered: result.deadLettered });
    });
  });

  /**
   * Lines parsed once by the import (its `parsed` handed to the decoder) must get the verdict the
   * decoder gives the same message as text — at the depth and size limits too, where wrapping a
   * bare event adds two levels and a few bytes.
   */
  it('judges lines at the depth and size limits exactly as the handler judges the same message text', async () => {
    const nested = (depth: number) => JSON.stringify(spend('deep', { tags: { feature: 'x' } })).replace('"x"', '['.repeat(depth - 2) + '1' + ']'.repeat(depth - 2));
    const wrapperBytes = Buffer.byteLength(message([], source)); // {"schema":…,"events":[]}
    const sized = (bytes: number) => {
      const base = JSON.stringify(spend('big', { tags: { feature: '' } }));
      return base.replace('"feature":""', `"feature":"${'é'.repeat(Math.floor((bytes - Buffer.byteLength(base)) / 2))}"`);
    };
    const cases = [
      nested(WIRE_LIMITS.maxJsonDepth - 3),
      nested(WIRE_LIMITS.maxJsonDepth - 2),
      nested(WIRE_LIMITS.maxJsonDepth - 1),
      nested(WIRE_LIMITS.maxJsonDepth),
      nested(WIRE_LIMITS.maxJsonDepth + 1),
      sized(WIRE_LIMITS.maxMessageBytes - wrapperBytes - 10),
      sized(WIRE_LIMITS.maxMessageBytes - wrapperBytes + 4),
      sized(WIRE_LIMITS.maxMessageBytes + 10),
      message([spend('w1')], source),
    ];
    const file = join(dir, 'limits.ndjson');
    writeFileSync(file, cases.join('\n') + '\n');
    const imported = await withWarehouse(async (wh, handler) => {
      await importNdjson({ file, handler, source, batchLines: 2 });
      return (await deadLetters(wh)).map((d) => [Number(d.message_id?.split(':').pop()), d.reason_codes]).sort((a, b) => Number(a[0]) - Number(b[0]));
    });
    const asText = await withWarehouse(async (wh, handler) => {
      // The message text the import builds for each line, without the parsed form.
      await handler.handleBatch(cases.map((line, i) => ({ id: `t:${i + 1}`, data: line.includes('"schema"') ? line : message([JSON.parse(line)], source) })));
      return (await deadLetters(wh)).map((d) => [Number(d.message_id?.split(':').pop()), d.reason_codes]).sort((a, b) => Number(a[0]) - Number(b[0]));
    });
    expect(imported).toEqual(asText);
    // The cases do reach both sides of each limit: just within, the validator judges the event
    // (an array is no tag value); just beyond once wrapped, the decoder refuses the message.
    expect(imported).toEqual([
      [1, 'invalid_tag_value'],
      [2, 'invalid_tag_value'],
      [3, 'nesting_too_deep'],
      [4, 'nesting_too_deep'],
      [5, 'nesting_too_deep'],
      [6, 'invalid_tag_value'],
      [7, 'message_too_large'],
      [8, 'message_too_large'],
    ]);
  });
});

describe('readLines', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ndjson-lines-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function viaReadline(file: string): Promise<string[]> {
    const out: string[] = [];
    for await (const line of createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })) out.push(line);
    return out;
  }

  it('splits lines exactly as readline (crlfDelay: Infinity) does, whatever the chunk boundaries — \\n, \\r\\n, lone \\r, multi-byte characters', async () => {
    const piece = fc.constantFrom('a', '{"x":1}', 'é', '😀', ' ', '\n', '\r', '\r\n', '\n\n', '\r\r');
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 30 }), fc.integer({ min: 1, max: 9 }), async (pieces, chunkBytes) => {
        const file = join(dir, `f${n++}.txt`);
        writeFileSync(file, pieces.join(''));
        const ours: string[] = [];
        for await (const chunk of readLines(file, chunkBytes)) ours.push(...chunk);
        expect(ours).toEqual(await viaReadline(file));
      }),
      { numRuns: 300 },
    );
  });
});
