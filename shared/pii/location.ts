import { codeAt, isDigit, isSpace } from './char-classes';

/**
 * Precise coordinates: a latitude and a longitude in decimal degrees, each with 4 or more decimals
 * (about 11 m), joined by `,` or `;` and optional spaces: `52.520008,13.404954`. The latitude must
 * be within ±90, the longitude within ±180, and a pair of fractions (both below 1 in absolute
 * value, "null island") is taken for something else. Linear: each number is parsed at most twice.
 */
export function containsCoordinates(s: string): boolean {
  let i = 0;
  while (i < s.length) {
    const first = parseDecimal(s, i);
    if (!first) {
      i++;
      continue;
    }
    let j = first.end;
    if (first.decimals >= 4 && (codeAt(s, j) === 0x2c || codeAt(s, j) === 0x3b)) {
      j++;
      while (isSpace(codeAt(s, j))) j++;
      const second = parseDecimal(s, j);
      if (second && second.decimals >= 4 && Math.abs(first.value) <= 90 && Math.abs(second.value) <= 180 && (Math.abs(first.value) >= 1 || Math.abs(second.value) >= 1)) {
        return true;
      }
    }
    i = first.end;
  }
  return false;
}

/** A decimal number starting at `at` (optional `-`, 1–3 integer digits, `.`, digits), on its own. */
function parseDecimal(s: string, at: number): { value: number; decimals: number; end: number } | undefined {
  const prev = codeAt(s, at - 1);
  if (isDigit(prev) || prev === 0x2e || prev === 0x2d) return undefined;
  let j = at;
  if (codeAt(s, j) === 0x2d) j++;
  const intStart = j;
  while (isDigit(codeAt(s, j))) j++;
  const intDigits = j - intStart;
  if (intDigits < 1 || codeAt(s, j) !== 0x2e) return intDigits > 0 ? { value: 0, decimals: 0, end: j } : undefined;
  const fracStart = j + 1;
  j = fracStart;
  while (isDigit(codeAt(s, j))) j++;
  if (intDigits > 3 || codeAt(s, j) === 0x2e) return { value: 0, decimals: 0, end: j };
  return { value: Number(s.slice(at, j)), decimals: j - fracStart, end: j };
}
