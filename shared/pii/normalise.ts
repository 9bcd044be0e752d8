import { codeAt, hasWordAt, isDigit, isHex } from './char-classes';

/**
 * Folds the ways a value can hide personal data from a plain scan into one ASCII-leaning form:
 *
 * 1. escapes are decoded: `%40` / `%E2%80%8B` (percent-encoding, decoded as UTF-8 bytes; a bad
 *    escape is left as it is, nothing throws), `%u0040`, `\u0040`, `\x40`, `&#64;`, `&#x40;` and
 *    the HTML entities `&commat;` `&period;` `&plus;` `&colon;`;
 * 2. Unicode is folded: NFKC (full-width `＠`, `４`, `．`, circled and super-script digits …),
 *    decimal digits of any script to ASCII, ideographic full stops to `.`, dashes and the minus
 *    sign to `-`, every space separator to ` `, and format characters (zero-width space and
 *    joiners, word joiner, BOM, soft hyphen, bidi controls) and combining marks removed.
 *
 * Both steps repeat until nothing changes, at most MAX_ROUNDS times (`%2540` is `%40` is `@`).
 * The result is only ever scanned, never stored. Linear in the value's length per round.
 */
const MAX_ROUNDS = 3;

/** Whether `value` has anything normaliseForScan would change (one cheap pass). */
export function needsNormalising(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80 || c === 0x25 || c === 0x26 || c === 0x5c) return true;
  }
  return false;
}

export function normaliseForScan(value: string): string {
  let s = value;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = foldUnicode(decodeEscapes(s));
    if (next === s) break;
    s = next;
  }
  return s;
}

/** The escaped spellings of `@` that decodeEscapes knows, any case, `%25` repeated (`%252540`). */
export const ESCAPED_AT = /%(?:25)*40|%u0040|\\u0040|\\x40|&#0*64;|&#x0*40;|&commat;/gi;

const utf8 = new TextDecoder('utf-8', { fatal: false });

function hexValue(s: string, at: number, length: number): number {
  let v = 0;
  for (let k = 0; k < length; k++) {
    const c = codeAt(s, at + k);
    if (!isHex(c)) return -1;
    v = v * 16 + (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);
  }
  return v;
}

const NAMED_ENTITIES: ReadonlyArray<[string, string]> = [
  ['&commat;', '@'],
  ['&period;', '.'],
  ['&plus;', '+'],
  ['&colon;', ':'],
];

/** Decodes the escapes listed above; returns `s` itself when it has none. */
export function decodeEscapes(s: string): string {
  if (s.indexOf('%') < 0 && s.indexOf('&') < 0 && s.indexOf('\\') < 0) return s;
  let out = '';
  let bytes: number[] = [];
  const flushBytes = () => {
    if (bytes.length > 0) out += utf8.decode(Uint8Array.from(bytes));
    bytes = [];
  };
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const byte = hexValue(s, i + 1, 2);
      if (byte >= 0) {
        bytes.push(byte);
        i += 3;
        continue;
      }
      if (codeAt(s, i + 1) === 0x75 /* u */) {
        const unit = hexValue(s, i + 2, 4);
        if (unit >= 0) {
          flushBytes();
          out += String.fromCharCode(unit);
          i += 6;
          continue;
        }
      }
    }
    flushBytes();
    if (c === 0x5c /* \ */) {
      const kind = codeAt(s, i + 1);
      const length = kind === 0x75 /* u */ ? 4 : kind === 0x78 /* x */ ? 2 : 0;
      const unit = length > 0 ? hexValue(s, i + 2, length) : -1;
      if (unit >= 0) {
        out += String.fromCharCode(unit);
        i += 2 + length;
        continue;
      }
    } else if (c === 0x26 /* & */) {
      const decoded = decodeEntity(s, i);
      if (decoded) {
        out += decoded.text;
        i = decoded.end;
        continue;
      }
    }
    out += s[i];
    i++;
  }
  flushBytes();
  return out;
}

function decodeEntity(s: string, at: number): { text: string; end: number } | undefined {
  if (codeAt(s, at + 1) === 0x23 /* # */) {
    const hex = (codeAt(s, at + 2) | 0x20) === 0x78;
    let j = hex ? at + 3 : at + 2;
    let v = 0;
    const start = j;
    while (j - start < 7 && (hex ? isHex(codeAt(s, j)) : isDigit(codeAt(s, j)))) {
      const d = codeAt(s, j);
      v = v * (hex ? 16 : 10) + (d <= 0x39 ? d - 0x30 : (d | 0x20) - 0x57);
      j++;
    }
    if (j === start || codeAt(s, j) !== 0x3b /* ; */ || v > 0x10ffff) return undefined;
    return { text: String.fromCodePoint(v), end: j + 1 };
  }
  for (const [name, text] of NAMED_ENTITIES) {
    if (hasWordAt(s, at, name)) return { text, end: at + name.length };
  }
  return undefined;
}

const NON_ASCII = /[^\0-\x7f]/gu;
const STRIPPED = /^[\p{Cf}\p{M}]$/u;
const SPACE = /^[\p{Zs}\p{Zl}\p{Zp}]$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;
const DOTS = new Set(['\u3002', '\uff61', '\ufe52', '\u2024']);
const DASHES = new Set(['\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2043', '\u2212', '\ufe58', '\ufe63', '\uff0d']);

/** Step 2 above; returns `s` itself when it is all ASCII. */
export function foldUnicode(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length && ascii; i++) ascii = s.charCodeAt(i) < 0x80;
  if (ascii) return s;
  return s.normalize('NFKC').replace(NON_ASCII, foldCharacter);
}

function foldCharacter(ch: string): string {
  if (STRIPPED.test(ch)) return '';
  if (SPACE.test(ch)) return ' ';
  if (DOTS.has(ch)) return '.';
  if (DASHES.has(ch)) return '-';
  if (DECIMAL_DIGIT.test(ch)) return String(decimalDigitValue(ch.codePointAt(0) ?? 0));
  return ch;
}

/**
 * Unicode encodes every script's decimal digits as contiguous runs from 0 to 9 (Unicode §4.6,
 * "Numeric Value"), some runs back to back: the value is the distance from the run's start, mod 10.
 */
function decimalDigitValue(codePoint: number): number {
  let start = codePoint;
  while (codePoint - start < 60 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (codePoint - start) % 10;
}
