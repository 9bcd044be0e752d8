import * as functionsLogger from 'firebase-functions/logger';
import type { LogFields, Logger, LogLevel } from '../shared/logger';

/**
 * The Logger implementations the assemblies choose from (the shape is shared/logger.ts):
 * JSON lines on stderr (shared/logger.ts jsonLinesLogger: the `obs` commands, tests), Cloud
 * Functions' own logger (production), and readable lines for a person (the local stack).
 */

/** firebase-functions' logger: structured entries with severity in Cloud Logging. */
export const firebaseLogger: Logger = {
  info: (message, fields) => functionsLogger.info(message, fields ?? {}),
  warn: (message, fields) => functionsLogger.warn(message, fields ?? {}),
  error: (message, fields) => functionsLogger.error(message, fields ?? {}),
};

/** `level: message (key=value …)`, one line per call, through `write`; `skipInfo` keeps a terminal quiet. */
export function readableLogger(write: (line: string) => void, options: { prefix?: string; skipInfo?: boolean } = {}): Logger {
  const line = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (options.skipInfo && level === 'info') return;
    write(`${options.prefix ?? ''}${readableLine(level, message, fields ?? {})}`);
  };
  return { info: line('info'), warn: line('warn'), error: line('error') };
}

/** The readable form of one log call (also the local stack's folded repeats, cli/local/stack-log.ts). */
export function readableLine(level: LogLevel, message: string, fields: LogFields): string {
  const details = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v)}`)
    .join(' ');
  return `${level}: ${message}${details ? ` (${details})` : ''}`;
}
