import { jsonLinesLogger, logByLevel, silentLogger, type LogFields, type LogLevel } from '../shared/logger';

/**
 * Where ingest reports what it did not do quietly: a redelivery, a give-up, a refused row. The
 * shared Logger (shared/logger.ts) seen as one function of the level, which is how IngestHandler
 * and the subscriber call it; build one from any Logger with `logByLevel`. Warehouse errors carry
 * no secrets of ours; they are logged as their message only.
 */
export type IngestLogLevel = LogLevel;
export type IngestLog = (level: IngestLogLevel, message: string, fields?: LogFields) => void;

/** One JSON line per call on stderr (Cloud Logging parses them into entries with severity). */
export const consoleIngestLog: IngestLog = logByLevel(jsonLinesLogger());

/** For tests and benchmarks that assert on outcomes rather than logs. */
export const silentIngestLog: IngestLog = logByLevel(silentLogger);
