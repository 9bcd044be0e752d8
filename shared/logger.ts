/**
 * Structured logging: the one logger shape of the project. A line is a message and JSON-serialisable
 * fields; where it goes is the assembly's choice (app/loggers.ts): firebase-functions' logger in
 * Cloud Functions, readable lines in the local stack, JSON lines on stderr elsewhere.
 */
export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Cloud Logging's severities for our levels (it reads `severity` and `message` from JSON lines). */
export const SEVERITY: Readonly<Record<LogLevel, string>> = { info: 'INFO', warn: 'WARNING', error: 'ERROR' };

/** One JSON line per call on stderr: `{severity, ...bindings, message, ...fields}`. */
export function jsonLinesLogger(bindings: LogFields = {}, write: (line: string) => void = (line) => void process.stderr.write(line)): Logger {
  const line = (level: LogLevel) => (message: string, fields?: LogFields) => write(JSON.stringify({ severity: SEVERITY[level], ...bindings, message, ...fields }) + '\n');
  return { info: line('info'), warn: line('warn'), error: line('error') };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Wraps a logger so that no line can carry a secret: the message and the serialised fields are redacted. */
export function redactingLogger(inner: Logger, redactor: { redact(text: string): string }): Logger {
  const clean = (message: string, fields?: LogFields): [string, Record<string, unknown> | undefined] => [
    redactor.redact(message),
    fields === undefined ? undefined : (JSON.parse(redactor.redact(JSON.stringify(fields))) as Record<string, unknown>),
  ];
  return {
    info: (m, f) => inner.info(...clean(m, f)),
    warn: (m, f) => inner.warn(...clean(m, f)),
    error: (m, f) => inner.error(...clean(m, f)),
  };
}

/** The logger as one function of the level: the shape of ingest's `log` option (ingest/ingest-log.ts). */
export function logByLevel(logger: Logger): (level: LogLevel, message: string, fields?: LogFields) => void {
  return (level, message, fields) => logger[level](message, fields);
}
