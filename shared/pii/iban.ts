import { codeAt, isAlnum, isDigit, isUpper } from './char-classes';

/**
 * IBAN lengths by country (ISO 13616 registry, SWIFT release 2024): the length check and the
 * mod-97 check digits together leave about one false positive in 97 × (registry shape) — none
 * in ordinary tag values.
 */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27,
  GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26,
  IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24,
  ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24,
  TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/**
 * IBANs anywhere in the value, electronic (`DE89370400440532013000`) or printed in groups of four
 * (`DE89 3704 0044 0532 0130 00`, spaces or hyphens): a country code, two check digits, the
 * country's length of upper-case letters and digits, and a valid ISO 7064 mod-97-10 checksum.
 * Linear: at most 34 characters are read per candidate, and candidates need an upper-case pair
 * followed by two digits at a word start.
 */
export function containsIban(s: string): boolean {
  for (let i = 0; i + 15 <= s.length; i++) {
    if (isAlnum(codeAt(s, i - 1)) || !isUpper(s.charCodeAt(i)) || !isUpper(s.charCodeAt(i + 1))) continue;
    if (!isDigit(s.charCodeAt(i + 2)) || !isDigit(s.charCodeAt(i + 3))) continue;
    const length = IBAN_LENGTHS[s.slice(i, i + 2)];
    if (length !== undefined && isIbanAt(s, i, length)) return true;
  }
  return false;
}

function isIbanAt(s: string, start: number, length: number): boolean {
  const chars: number[] = [];
  let j = start;
  while (chars.length < length && j < s.length) {
    const c = s.charCodeAt(j);
    if (isDigit(c) || isUpper(c)) {
      chars.push(c);
      j++;
    } else if ((c === 0x20 || c === 0x2d) && chars.length >= 4 && (isDigit(codeAt(s, j + 1)) || isUpper(codeAt(s, j + 1)))) {
      j++;
    } else {
      return false;
    }
  }
  if (chars.length !== length || isAlnum(codeAt(s, j))) return false;
  // Move the first four characters to the end, read letters as 10–35, and take the number mod 97.
  let remainder = 0;
  for (let k = 0; k < length; k++) {
    const c = chars[(k + 4) % length] ?? 0;
    const v = isDigit(c) ? c - 0x30 : c - 0x41 + 10;
    remainder = (v >= 10 ? remainder * 100 + v : remainder * 10 + v) % 97;
  }
  return remainder === 1;
}
