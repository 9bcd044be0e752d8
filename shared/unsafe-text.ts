/**
 * Characters refused in every string ingest stores as an identifier or label — event ids, metric
 * names, tag keys and values, `source.service` and `source.environment` — because a person reading
 * the text would not see what it holds, or a machine would not read back what was written:
 *
 * - **control characters** U+0000–U+001F and U+007F (newlines, NUL, escape sequences for terminals);
 * - **lone surrogates** (U+D800–U+DFFF not in a valid pair): not Unicode at all. UTF-8 cannot encode
 *   them, so the warehouse either refuses them (DuckDB's JSON: "no low surrogate") or replaces them
 *   with U+FFFD — after which `id-\ud800` and `id-\udbff` would be one id, and one event would be
 *   dropped as a duplicate of the other. Ids are compared exactly: such strings are refused, never
 *   repaired;
 * - **bidi controls** U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C: they reorder how text is
 *   displayed ("Trojan Source", CVE-2021-42574), so a label could read differently from what it is;
 * - **line and paragraph separators** U+2028, U+2029: line breaks for many viewers and log parsers;
 * - **zero-width characters** U+200B–U+200D, U+2060, U+FEFF: invisible, so two labels that look the
 *   same would be two series (and a zero-width space splits a card number past the PII guard).
 *
 * Linear time: one character-class regular expression (no quantifier, so no backtracking) decides
 * the common case — a clean string — and only a string it flags is walked character by character.
 * A well-formed surrogate pair (an emoji) is flagged by the fast test and accepted by the walk.
 */
export type UnsafeTextKind = 'control' | 'lone_surrogate' | 'bidi_control' | 'line_separator' | 'zero_width';

export interface UnsafeCharacter {
  readonly kind: UnsafeTextKind;
  /** Index of the UTF-16 code unit in the string. */
  readonly index: number;
  readonly codeUnit: number;
}

export const UNSAFE_TEXT_DESCRIPTIONS: Record<UnsafeTextKind, string> = {
  control: 'a control character',
  lone_surrogate: 'an unpaired surrogate (not valid Unicode: a character cut in half, or text built from bytes wrongly)',
  bidi_control: 'a bidirectional-text control, which makes text display differently from what it stores',
  line_separator: 'a line or paragraph separator',
  zero_width: 'an invisible zero-width character',
};

/** Any character that may be unsafe (surrogates included, paired or not): the fast test. */
const SUSPECT = /[\u0000-\u001f\u007f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ud800-\udfff\ufeff]/;

/** The first unsafe character of `value`, or undefined when it has none. Never throws. */
export function findUnsafeCharacter(value: string): UnsafeCharacter | undefined {
  if (!SUSPECT.test(value)) return undefined;
  for (let index = 0; index < value.length; index++) {
    const codeUnit = value.charCodeAt(index);
    const kind = classify(value, index, codeUnit);
    if (kind === 'pair') index++;
    else if (kind !== undefined) return { kind, index, codeUnit };
  }
  return undefined;
}

function classify(value: string, index: number, c: number): UnsafeTextKind | 'pair' | undefined {
  if (c < 0x20 || c === 0x7f) return 'control';
  if (c < 0x061c) return undefined;
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = value.charCodeAt(index + 1); // NaN past the end
    return next >= 0xdc00 && next <= 0xdfff ? 'pair' : 'lone_surrogate';
  }
  if (c >= 0xdc00 && c <= 0xdfff) return 'lone_surrogate';
  if (c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return 'bidi_control';
  if (c === 0x2028 || c === 0x2029) return 'line_separator';
  if ((c >= 0x200b && c <= 0x200d) || c === 0x2060 || c === 0xfeff) return 'zero_width';
  return undefined;
}

/** `U+202E`: how a reason names the character, without echoing the text around it. */
export function codePointLabel(codeUnit: number): string {
  return `U+${codeUnit.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * `value` with every unsafe character written as a `\uXXXX` escape: for a field path that must
 * name a tag key, when the key itself is unsafe. Clean strings are returned as they are.
 */
export function escapeUnsafe(value: string): string {
  if (findUnsafeCharacter(value) === undefined) return value;
  let out = '';
  for (let index = 0; index < value.length; index++) {
    const c = value.charCodeAt(index);
    const kind = classify(value, index, c);
    if (kind === 'pair') {
      out += value.slice(index, index + 2);
      index++;
    } else if (kind === undefined) {
      out += value[index];
    } else {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    }
  }
  return out;
}

/** `value` with lone surrogates replaced by U+FFFD: for text stored as it came (dead letters), never for ids. */
export function toWellFormed(value: string): string {
  return LONE_SURROGATE.test(value) ? value.replace(LONE_SURROGATE_ALL, '\ufffd') : value;
}

// With the `u` flag a character class over surrogates matches only unpaired ones.
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_ALL = /\p{Cs}/gu;
