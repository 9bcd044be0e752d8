import type { Redactor } from './notify/redaction';

/** Structured log lines of the alert pipeline. Fields are JSON-serialisable. */
export interface Logger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** JSON lines on stderr (Cloud Logging reads `severity` and `message`). */
export const stderrLogger: Logger = {
  info: (message, fields) => write('INFO', message, fields),
  warn: (message, fields) => write('WARNING', message, fields),
  error: (message, fields) => write('ERROR', message, fields),
};

function write(severity: string, message: string, fields: Readonly<Record<string, unknown>> | undefined): void {
  process.stderr.write(JSON.stringify({ severity, component: 'alerts', message, ...fields }) + '\n');
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Wraps a logger so that no line can carry a secret: the whole serialised line is redacted. */
export function redactingLogger(inner: Logger, redactor: Redactor): Logger {
  const clean = (message: string, fields?: Readonly<Record<string, unknown>>): [string, Record<string, unknown> | undefined] => [
    redactor.redact(message),
    fields === undefined ? undefined : (JSON.parse(redactor.redact(JSON.stringify(fields))) as Record<string, unknown>),
  ];
  return {
    info: (m, f) => inner.info(...clean(m, f)),
    warn: (m, f) => inner.warn(...clean(m, f)),
    error: (m, f) => inner.error(...clean(m, f)),
  };
}
