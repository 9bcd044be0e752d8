/**
 * The one description of a thrown value for logs, reasons and errors. Never throws.
 *
 * - Follows the `cause` chain (where fetch and our wrappers put the reason) and the first of an
 *   AggregateError's `errors` (where Node puts ECONNREFUSED), at most five deep, joined by ": ".
 * - Adds a string `code` (`ECONNREFUSED`) after its message.
 * - Keeps the first line of each message (stack-like tails of driver errors stay out of log lines).
 * - With a redactor (app/secrets.ts builds it from the configuration), no configured secret survives.
 *
 * Duck-typed rather than `instanceof Error`: errors can come from another realm.
 */
export function describeError(error: unknown, redactor?: { redact(text: string): string }): string {
  let text: string;
  try {
    text = describe(error);
  } catch {
    text = 'an error that could not be described';
  }
  return redactor ? redactor.redact(text) : text;
}

const MAX_CAUSES = 5;

function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < MAX_CAUSES; depth++) {
    if (typeof current !== 'object') {
      const primitive = current as string | number | boolean | bigint | symbol | (() => unknown);
      parts.push(typeof primitive === 'string' ? primitive : typeof primitive === 'function' ? 'function' : primitive.toString());
      break;
    }
    const e = current as { message?: unknown; code?: unknown; cause?: unknown; errors?: unknown; name?: unknown };
    const message = typeof e.message === 'string' && e.message !== '' ? firstLine(e.message) : undefined;
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (message !== undefined || code !== undefined) parts.push(message !== undefined && code !== undefined ? `${message} (${code})` : (message ?? code ?? ''));
    else if (depth === 0 && typeof e.name === 'string' && e.name !== '') parts.push(e.name);
    current = e.cause ?? (Array.isArray(e.errors) ? (e.errors as unknown[])[0] : undefined);
  }
  return parts.length > 0 ? parts.join(': ') : 'unknown error';
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : text.slice(0, end);
}
