import { codeAt, isAlnum, isDigit, isHex, isLetter } from './char-classes';

/**
 * A number as a person writes it: groups of digits joined by short separators (`4111 1111 1111
 * 1111`, `+1 (415) 555-2671`, `4111_1111…`). Card and phone rules read these (./numbers.ts).
 */
export interface DigitRun {
  /** The digits of every group, concatenated. */
  digits: string;
  /** The number of digits in each group, in order. */
  groups: number[];
  /** A `+` directly before the first digit (`+44…`, `+(44)…`, `+ 44…`). */
  international: boolean;
  /** Some separator is a space or a parenthesis (how phone numbers are written, not ids). */
  spacedOrParenthesised: boolean;
  /** Every separator is one `-` (`123-45-6789`). */
  hyphenated: boolean;
}

/** Separators between the groups of one number: space, `-`, `.`, `_`, `(`, `)`; at most two in a row. */
const isGroupSeparator = (c: number): boolean => c === 0x20 || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x28 || c === 0x29;
const MAX_SEPARATORS = 2;

/**
 * Calls `visit` with every digit run of `s`, stopping when it returns true (and returning true).
 * Characters marked in `ignored` (hashes, UUIDs: see maskOpaqueTokens) break runs like letters do.
 * Linear: every character is read a bounded number of times.
 */
export function forEachDigitRun(s: string, ignored: Uint8Array | undefined, visit: (run: DigitRun) => boolean): boolean {
  const digitAt = (i: number) => isDigit(codeAt(s, i)) && (ignored === undefined || ignored[i] === 0);
  let i = 0;
  while (i < s.length) {
    if (!digitAt(i)) {
      i++;
      continue;
    }
    const run: DigitRun = { digits: '', groups: [], international: precededByPlus(s, i), spacedOrParenthesised: false, hyphenated: true };
    for (;;) {
      const start = i;
      while (digitAt(i)) i++;
      run.digits += s.slice(start, i);
      run.groups.push(i - start);
      let j = i;
      while (j - i < MAX_SEPARATORS && isGroupSeparator(codeAt(s, j))) j++;
      if (j === i || !digitAt(j)) break;
      for (let k = i; k < j; k++) {
        const c = s.charCodeAt(k);
        if (c === 0x20 || c === 0x28 || c === 0x29) run.spacedOrParenthesised = true;
      }
      if (j - i !== 1 || s.charCodeAt(i) !== 0x2d) run.hyphenated = false;
      i = j;
    }
    if (visit(run)) return true;
  }
  return false;
}

function precededByPlus(s: string, first: number): boolean {
  let i = first - 1;
  const c = codeAt(s, i);
  if (c === 0x28 || c === 0x20) i--;
  return codeAt(s, i) === 0x2b;
}

/**
 * Marks the characters of tokens whose digits are not a number someone wrote: hexadecimal tokens
 * of 16+ characters with a letter (hashes, commit ids: 10 digits in a row turn up in a quarter of
 * all SHA-1s) and, when `uuids` is set, UUIDs (random ids). Returns undefined when nothing is
 * marked. Linear: one pass over alphanumeric tokens, one over UUID starts.
 */
export function maskOpaqueTokens(s: string, uuids: boolean): Uint8Array | undefined {
  let mask: Uint8Array | undefined;
  const mark = (start: number, end: number) => {
    mask ??= new Uint8Array(s.length);
    mask.fill(1, start, end);
  };
  let i = 0;
  while (i < s.length) {
    if (!isAlnum(s.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    let allHex = true;
    let letter = false;
    while (i < s.length && isAlnum(s.charCodeAt(i))) {
      const c = s.charCodeAt(i);
      allHex &&= isHex(c);
      letter ||= isLetter(c);
      i++;
    }
    if (allHex && letter && i - start >= 16) mark(start, i);
  }
  if (uuids) {
    for (let at = s.indexOf('-'); at >= 0; at = s.indexOf('-', at + 1)) {
      const start = at - 8;
      if (start >= 0 && isUuidAt(s, start)) mark(start, start + 36);
    }
  }
  return mask;
}

/** A UUID (8-4-4-4-12 hex digits, any version) at `start`, standing apart from letters and digits. */
export function isUuidAt(s: string, start: number): boolean {
  if (start + 36 > s.length || isAlnum(codeAt(s, start - 1)) || isAlnum(codeAt(s, start + 36))) return false;
  for (let k = 0; k < 36; k++) {
    const c = s.charCodeAt(start + k);
    if (k === 8 || k === 13 || k === 18 || k === 23 ? c !== 0x2d : !isHex(c)) return false;
  }
  return true;
}
