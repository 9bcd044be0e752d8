/**
 * Where ingest reports what it did not do quietly: a redelivery, a give-up, a refused row. One
 * structured line per call (Cloud Logging parses JSON lines on stderr into entries with severity).
 * Warehouse errors carry no secrets of ours; they are logged as their message only.
 */
export type IngestLogLevel = 'info' | 'warn' | 'error';
export type IngestLog = (level: IngestLogLevel, message: string, fields?: Record<string, unknown>) => void;

const SEVERITY: Record<IngestLogLevel, string> = { info: 'INFO', warn: 'WARNING', error: 'ERROR' };

export const consoleIngestLog: IngestLog = (level, message, fields = {}) => {
  process.stderr.write(JSON.stringify({ severity: SEVERITY[level], message, ...fields }) + '\n');
};

/** For tests and benchmarks that assert on outcomes rather than logs. */
export const silentIngestLog: IngestLog = () => undefined;
