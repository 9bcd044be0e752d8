import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadCardinalityLimiter } from '../../ingest/cardinality-seed';
import { IngestHandler } from '../../ingest/ingest-handler';
import { silentIngestLog } from '../../ingest/ingest-log';
import { importNdjson, type ImportProgress, type ImportResult } from '../../ingest/ndjson-import';
import { parseInstantMs } from '../../shared/time-windows';
import { appOf, AT_OPTION, EXIT, EXIT_USAGE, formatHelp, JSON_OPTION, processIo, type Command, type CommandIo } from '../command';
import { sniffNdjson } from '../../ingest/ndjson-sniff';
import { rebuildNeededFor, type RebuildNeeded } from '../../aggregator/rollup-behind';

const SHOWN_BAD_LINES = 20;

const USAGE = 'obs ingest --file events.ndjson [--service NAME] [--environment NAME] [--at ISO] [--json]';

/**
 * `obs ingest --file events.ndjson`: loads a file of v1 events (or whole v1 messages), one per
 * line, through the ingest handler into the configured warehouse (docs/INGEST.md). Bad lines go to
 * dead_letters, with their line number in the message id. Exit 0 when every line was stored or
 * dead-lettered; 1 when the warehouse failed (re-run: the import is idempotent).
 */
export const ingestCommand: Command = {
  name: 'ingest',
  usage: USAGE,
  summary: 'Load a file of v1 events through the ingest handler (bad lines go to dead_letters)',
  help: () =>
    formatHelp({
      usage: USAGE,
      description:
        'Loads an NDJSON file (one v1 event, or one whole v1 message, per line) through the same ingest handler as Pub/Sub\n' +
        'into the configured warehouse — inside `obs start` when it holds the DuckDB file. Bad lines go to dead_letters with\n' +
        'their line number; a file that is not NDJSON at all (binary, not UTF-8, mostly non-JSON lines) is refused before\n' +
        'anything is stored. Importing the same file again adds nothing (docs/INGEST.md).',
      options: [
        { flag: '--file PATH', text: 'the NDJSON file (required)' },
        { flag: '--service NAME', text: 'source.service of lines that are bare events', default: 'import' },
        { flag: '--environment NAME', text: 'source.environment of bare events', default: 'OBS_ENVIRONMENT' },
        { ...AT_OPTION, text: '"now" for ingest (the stored ingest time and the timestamp range check)' },
        JSON_OPTION,
      ],
      examples: ['npx obs ingest --file events.ndjson', 'npx obs ingest --file backfill.ndjson --service wallet --environment production --json'],
      notes: 'Exit 0 every line stored or dead-lettered, 1 the warehouse failed (re-run), 65 not NDJSON, 66 no such file or a folder.',
    }),
  async run(args, io, context) {
    let values: { file?: string; service?: string; environment?: string; at?: string; json?: boolean };
    let nowMs: number;
    try {
      values = parseArgs({
        args,
        options: { file: { type: 'string' }, service: { type: 'string' }, environment: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' } },
      }).values;
      if (!values.file) throw new Error('--file is required');
      nowMs = values.at === undefined ? Number.NaN : parseInstantMs(values.at);
    } catch (error) {
      io.err(`obs ingest: ${(error as Error).message}\nusage: ${USAGE}`);
      return EXIT_USAGE;
    }
    const file = values.file;
    if (!existsSync(file)) {
      io.err(`obs ingest: no such file: ${file}`);
      return EXIT.NO_INPUT;
    }
    // A folder or a file that is not NDJSON is refused before anything is stored or dead-lettered.
    const sniffed = sniffNdjson(file);
    if (!sniffed.ok) {
      io.err(`obs ingest: ${sniffed.message}`);
      return sniffed.kind === 'not_a_file' ? EXIT.NO_INPUT : EXIT.DATA;
    }
    const app = appOf(context);
    const { config } = app;
    if (Number.isNaN(nowMs)) nowMs = app.clock.now();
    const warehouse = await app.openWarehouse().catch((error: unknown) => {
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? '';
      const hint = /lock/i.test(cause) ? ' (another process — obs start? — holds the DuckDB file; stop it first)' : '';
      throw new Error(`${(error as Error).message}: ${cause}${hint}`);
    });
    let result: ImportResult;
    let rebuildNeeded: RebuildNeeded | null = null;
    try {
      // The handler logs redeliveries for Pub/Sub; here the summary says it all.
      const cardinality = await loadCardinalityLimiter(warehouse, nowMs, { maxSeriesPerMetricPerDay: config.maxSeriesPerMetricPerDay, warn: (m) => io.err(m) });
      const handler = new IngestHandler({ warehouse, now: () => nowMs, log: silentIngestLog, cardinality });
      // Progress on a terminal only (never into --json output, a pipe or a forwarded command's reply).
      const showProgress = !values.json && io === processIo && process.stderr.isTTY === true;
      result = await importNdjson({
        file,
        handler,
        source: { service: values.service ?? 'import', environment: values.environment ?? config.environment },
        ...(showProgress ? { onProgress: (p: ImportProgress) => io.err(`obs ingest: ${p.lines.toLocaleString('en-US')} line(s) read, ${p.stored.toLocaleString('en-US')} event(s) stored, ${p.deadLettered.toLocaleString('en-US')} dead letter(s)…`) } : {}),
      });
      // An --at behind the rollup watermark: `obs aggregate` will not see these events (aggregator/rollup-behind.ts).
      if (result.stored > 0) rebuildNeeded = await rebuildNeededFor(warehouse, nowMs);
    } finally {
      await warehouse.close();
    }
    print(result, rebuildNeeded, values.json ?? false, io);
    return result.failedLines.length > 0 ? 1 : 0;
  },
};

function print(r: ImportResult, rebuildNeeded: RebuildNeeded | null, json: boolean, io: CommandIo): void {
  if (json) {
    io.out(JSON.stringify({ ...r, rebuildNeeded }, null, 2));
    return;
  }
  const lines = [
    `obs ingest: ${r.file}: ${r.lines} line(s)${r.blankLines > 0 ? `, ${r.blankLines} blank` : ''}`,
    `  stored ${r.stored} event(s), ${r.duplicates} duplicate(s) skipped, ${r.deadLettered} dead letter(s)`,
  ];
  if (r.badLines.length > 0) {
    const shown = r.badLines.slice(0, SHOWN_BAD_LINES).join(', ');
    lines.push(`  lines with dead letters: ${shown}${r.badLines.length > SHOWN_BAD_LINES ? `, … (${r.badLines.length} in all)` : ''}`);
    const name = (r.file.split('/').pop() ?? r.file).replace(/'/g, "''");
    lines.push(`  see them with: npx obs sql "SELECT message_id, reason_codes, reasons FROM dead_letters WHERE message_id LIKE '${name}@%' ORDER BY received_at"`);
  }
  if (rebuildNeeded) {
    const at = (ms: number) => new Date(ms).toISOString();
    lines.push(
      `  NOT YET IN THE ROLLUPS: ${rebuildNeeded.events} event(s) were stored with ingest time ${at(rebuildNeeded.ingestMs)} (--at), before the rollup watermark ${at(rebuildNeeded.watermarkMs)}: obs aggregate will not see them. Run: npx ${rebuildNeeded.command}`,
    );
  }
  if (r.failedLines.length > 0) {
    lines.push(`  NOT STORED: ${r.failedLines.length} line(s) — the warehouse failed: ${r.error ?? 'unknown error'}. Re-run the same command; already stored lines are skipped.`);
  }
  io.out(lines.join('\n'));
}
