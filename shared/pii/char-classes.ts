/**
 * Character classes on UTF-16 code units, for the guard's hand-written scanners (no regular
 * expression runs on the value itself, so nothing can backtrack). ASCII only: the value has been
 * folded to ASCII forms first (./normalise.ts) wherever that matters.
 */
export const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
export const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
export const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
export const isLetter = (c: number): boolean => isUpper(c) || isLower(c);
export const isAlnum = (c: number): boolean => isDigit(c) || isLetter(c);
export const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
/** base64url's alphabet: letters, digits, `-` and `_`. */
export const isBase64Url = (c: number): boolean => isAlnum(c) || c === 0x2d || c === 0x5f;
/** ASCII whitespace (space, tab, line feed, vertical tab, form feed, carriage return). */
export const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
/** Lower-cases an ASCII letter's code; other codes are returned unchanged. */
export const lowerCode = (c: number): number => (isUpper(c) ? c + 0x20 : c);

/** Whether `s` has `word` (lower-case ASCII) at `at`, compared case-insensitively. */
export function hasWordAt(s: string, at: number, word: string): boolean {
  if (at < 0 || at + word.length > s.length) return false;
  for (let k = 0; k < word.length; k++) {
    if (lowerCode(s.charCodeAt(at + k)) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** The code unit at `i`, or 0 outside the string (0 is in no class above). */
export const codeAt = (s: string, i: number): number => (i >= 0 && i < s.length ? s.charCodeAt(i) : 0);
