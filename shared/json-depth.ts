/**
 * The nesting depth of JSON text, measured without parsing it: a linear scan that counts `[` and
 * `{` outside strings and stops as soon as the depth passes the limit. Run before `JSON.parse`, so
 * that a message nested thousands of levels deep is refused before anything recursive (a
 * `JSON.stringify` of it, a validator, a logger) can overflow the stack on it.
 *
 * Cost: strings are skipped with `indexOf('"')` (native), so only the punctuation and numbers
 * between them are looked at one by one — about a third of a microsecond per emitter-sized event
 * here, against about one for `JSON.parse` (bench/ingest-hardening.bench.ts).
 *
 * The scan does not check that the text is JSON: malformed text gets through it (or is refused
 * for depth) and `JSON.parse` then says what is wrong with it. Every step moves forward, so the
 * time is linear in the text's length whatever it contains.
 */
export function jsonDepthWithin(text: string, maxDepth: number): boolean {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = text.indexOf('"', i + 1);
      while (end !== -1 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end === -1) return true; // an unterminated string: not JSON, JSON.parse will say so
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return false;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return true;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether the quote at `at` is escaped: preceded by an odd run of backslashes. Each run is walked
 * once (it ends at the previous quote at the latest), so the scan stays linear.
 */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
  return backslashes % 2 === 1;
}
