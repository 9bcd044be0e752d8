import type { IngestLog, IngestLogLevel } from '../../ingest/ingest-log';

/** Repeats of one kind of line within this window are folded into one summary line. */
export const REPEAT_WINDOW_MS = 30_000;

/** Fields that differ on every repeat (ids, counts) and so do not make a line a different kind. */
const VARYING_FIELDS = new Set(['messageId', 'messageIds', 'deliveryAttempt', 'attempts', 'events', 'messages', 'refused']);


export interface RateLimitedLog {
  readonly log: IngestLog;
  /** Writes the summaries of repeats still pending (shutdown). */
  flush(): void;
  close(): void;
}

/**
 * The local stack's log for ingest and the subscriber: one line per event, with its fields (the
 * message id and the cause), rate-limited so a failure repeated on every message (a full disk: 984
 * identical "write failed" lines in issue 17) becomes its first line plus, every
 * {@link REPEAT_WINDOW_MS}, one line "… N more like this" carrying the latest fields. Lines are of
 * one kind when level, message and the non-varying fields (such as `error`) match.
 */
export function rateLimitedLog(write: (line: string) => void, windowMs = REPEAT_WINDOW_MS, skipInfo = true): RateLimitedLog {
  const pending = new Map<string, { level: IngestLogLevel; message: string; repeats: { count: number; last: Record<string, unknown> }; firstAtMs: number }>();
  const flush = () => {
    for (const [key, p] of pending) {
      // A kind that stopped is forgotten; one that goes on keeps being folded, one summary a window.
      if (p.repeats.count === 0) pending.delete(key);
      else {
        write(`${format(p.level, p.message, p.repeats.last)} — ${p.repeats.count} more like this in the last ${Math.round((Date.now() - p.firstAtMs) / 1000)} s`);
        p.repeats.count = 0;
        p.firstAtMs = Date.now();
      }
    }
  };
  const timer = setInterval(flush, windowMs);
  timer.unref();
  const log: IngestLog = (level, message, fields = {}) => {
    if (skipInfo && level === 'info') return;
    const key = `${level}|${message}|${JSON.stringify(Object.entries(fields).filter(([k]) => !VARYING_FIELDS.has(k)))}`;
    const p = pending.get(key);
    if (p) {
      p.repeats.count++;
      p.repeats.last = fields;
      return;
    }
    write(format(level, message, fields));
    pending.set(key, { level, message, repeats: { count: 0, last: fields }, firstAtMs: Date.now() });
  };
  return {
    log,
    flush,
    close() {
      clearInterval(timer);
      flush();
    },
  };
}

function format(level: IngestLogLevel, message: string, fields: Record<string, unknown>): string {
  const details = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v)}`)
    .join(' ');
  return `${level}: ${message}${details ? ` (${details})` : ''}`;
}
