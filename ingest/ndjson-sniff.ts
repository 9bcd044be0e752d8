import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** How much of a file is looked at before importing it: enough for a few lines, cheap for any file. */
export const SNIFF_BYTES = 64 * 1024;
/** Below this share of lines that look like JSON objects or arrays, the file is not NDJSON. */
const MIN_JSON_LINE_SHARE = 0.5;

/** Why a path cannot be imported as NDJSON, or `ok`. */
export type SniffResult =
  | { ok: true }
  | { ok: false; kind: 'not_a_file'; message: string }
  | { ok: false; kind: 'not_ndjson'; message: string };

/**
 * Looks at the start of `path` before `obs ingest` reads it, so that a wrong file is refused with
 * one clear message instead of becoming one `invalid_json` dead letter per line: a folder; NUL
 * bytes (a binary file: an image, an archive, a DuckDB file); bytes that are not UTF-8; or
 * complete lines of which fewer than half start like JSON (`{` or `[`). A few bad lines among
 * good ones are not refused: they are dead-lettered with their reasons, as always. Only the
 * shape is checked (no JSON.parse): a deeply nested line is the handler's to judge.
 */
export function sniffNdjson(path: string): SniffResult {
  const stat = statSync(path);
  if (stat.isDirectory()) return { ok: false, kind: 'not_a_file', message: `${path} is a folder; give one NDJSON file (one JSON event or v1 message per line), e.g. --file ${path.replace(/\/$/, '')}/events.ndjson` };
  if (!stat.isFile()) return { ok: false, kind: 'not_a_file', message: `${path} is not a regular file` };
  const buffer = Buffer.alloc(Math.min(SNIFF_BYTES, stat.size));
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, buffer, 0, buffer.length, 0);
  } finally {
    closeSync(fd);
  }
  const sample = buffer.subarray(0, read);
  const whole = read >= stat.size;
  const hint = 'obs ingest reads NDJSON: UTF-8 text, one JSON event or v1 message per line (docs/INGEST.md)';
  const nul = sample.indexOf(0);
  if (nul >= 0) return { ok: false, kind: 'not_ndjson', message: `${path} looks binary (a NUL byte at offset ${nul}), not NDJSON: nothing was imported. ${hint}` };
  // Complete lines only: the sample may end inside a line, or inside a UTF-8 character.
  const end = whole ? sample.length : sample.lastIndexOf(0x0a) + 1;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
  } catch {
    return { ok: false, kind: 'not_ndjson', message: `${path} is not UTF-8 text, so not NDJSON: nothing was imported. ${hint}` };
  }
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0) return { ok: true };
  const jsonLike = lines.filter((l) => l.startsWith('{') || l.startsWith('[')).length;
  if (jsonLike / lines.length < MIN_JSON_LINE_SHARE) {
    return { ok: false, kind: 'not_ndjson', message: `${path} does not look like NDJSON: ${lines.length - jsonLike} of the first ${lines.length} line(s) are not JSON objects. Nothing was imported. ${hint}` };
  }
  return { ok: true };
}
