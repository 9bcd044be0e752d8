import { forEachDigitRun, type DigitRun } from './digit-runs';

/** What the digit runs of a value hold; the guard reports them in its own order of precedence. */
export interface NumberFindings {
  card: boolean;
  nationalId: boolean;
  phone: boolean;
  /** 16 or more digits in a row that are not a card: an account, order or user number. */
  longNumber: boolean;
}

/**
 * `tag`: any run of 10–15 digits is a phone number, grouped or not. `id`: ids are often numeric
 * (timestamps, snowflakes), so only numbers written the way people write phone numbers count:
 * with a `+`, in three or more groups, or with spaces or parentheses.
 */
export type NumberMode = 'tag' | 'id';

const CARD_MIN_DIGITS = 13;
const CARD_MAX_DIGITS = 19;
// E.164 allows at most 15 digits; a national number has at least 9 (Poland, Spain, France's
// 9 after the trunk 0), most 10 or more.
const PHONE_MAX_DIGITS = 15;
const PHONE_MIN_INTERNATIONAL = 8;
const PHONE_MIN_UNGROUPED = 10;
const PHONE_MIN_GROUPED = 9;
const LONG_NUMBER_DIGITS = 16;

export function findNumbers(s: string, ignored: Uint8Array | undefined, mode: NumberMode): NumberFindings {
  const found: NumberFindings = { card: false, nationalId: false, phone: false, longNumber: false };
  forEachDigitRun(s, ignored, (run) => {
    if (containsCardNumber(run)) found.card = true;
    if (isSocialSecurityNumber(run)) found.nationalId = true;
    else if (isPhoneNumber(run, mode)) found.phone = true;
    if (run.groups.some((g) => g >= LONG_NUMBER_DIGITS)) found.longNumber = true;
    return found.card;
  });
  return found;
}

/**
 * A payment card number: 13–19 consecutive digits of the run, starting and ending on group
 * boundaries (any separators: `4111 1111 1111 1111`, `4111_1111…`, `4111.1111…`), with an
 * issuer prefix (ISO/IEC 7812 IIN ranges of Visa, Mastercard, Amex, Diners, JCB, Discover,
 * UnionPay, Maestro, Mir) and a valid Luhn check digit. The prefix check keeps Luhn's 1-in-10
 * false positives off numbers that start with 0, 1, 7, 8 or 9 (timestamps, snowflake ids).
 * Work per run: at most 19 windows per group.
 */
function containsCardNumber(run: DigitRun): boolean {
  if (run.digits.length < CARD_MIN_DIGITS || run.international) return false; // `+…` is a phone number
  let offset = 0;
  for (let a = 0; a < run.groups.length; a++) {
    const first = run.digits.charCodeAt(offset);
    if (first < 0x32 || first > 0x36) {
      offset += run.groups[a] ?? 0;
      continue; // no issuer prefix starts with 0, 1, 7, 8 or 9
    }
    let length = 0;
    for (let b = a; b < run.groups.length; b++) {
      length += run.groups[b] ?? 0;
      if (length > CARD_MAX_DIGITS) break;
      if (length >= CARD_MIN_DIGITS) {
        const digits = run.digits.slice(offset, offset + length);
        if (hasIssuerPrefix(digits) && luhnValid(digits)) return true;
      }
    }
    offset += run.groups[a] ?? 0;
  }
  return false;
}

function hasIssuerPrefix(digits: string): boolean {
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  const n = digits.length;
  switch (digits[0]) {
    case '4': // Visa
    case '5': // Mastercard 51–55, Maestro 50, 56–59
    case '6': // Discover, UnionPay, Maestro, RuPay
      return true;
    case '3': // Amex 34/37 (15), JCB 3528–3589, Diners 30/36/38/39
      return two === 34 || two === 37 ? n === 15 : (four >= 3528 && four <= 3589) || two === 30 || two === 36 || two === 38 || two === 39;
    case '2': // Mir 2200–2204, Mastercard 2221–2720
      return (four >= 2200 && four <= 2204) || (four >= 2221 && four <= 2720);
    default:
      return false;
  }
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** A US Social Security number as written: `123-45-6789`, area not 000, 666 or 9xx. */
function isSocialSecurityNumber(run: DigitRun): boolean {
  if (!run.hyphenated || run.international || run.groups.length !== 3) return false;
  if (run.groups[0] !== 3 || run.groups[1] !== 2 || run.groups[2] !== 4) return false;
  const area = run.digits.slice(0, 3);
  return area !== '000' && area !== '666' && area[0] !== '9' && run.digits.slice(3, 5) !== '00' && run.digits.slice(5) !== '0000';
}

function isPhoneNumber(run: DigitRun, mode: NumberMode): boolean {
  const { groups, digits } = withoutDates(run);
  if (digits > PHONE_MAX_DIGITS) return false;
  if (run.international && digits >= PHONE_MIN_INTERNATIONAL) return true;
  const writtenAsPhone = groups >= 3 || run.spacedOrParenthesised;
  if (mode === 'tag' && digits >= PHONE_MIN_UNGROUPED) return true;
  if (writtenAsPhone && digits >= (groups >= 3 ? PHONE_MIN_GROUPED : PHONE_MIN_UNGROUPED)) return true;
  return false;
}

/**
 * The run's group and digit counts without a leading or trailing calendar date (`2026-11-26`,
 * `26.11.2026`): `2026-11-26 1234` is a date and a number, not a 12-digit phone number. After a
 * `+` the digits are a phone number whatever they look like.
 */
function withoutDates(run: DigitRun): { groups: number; digits: number } {
  if (run.international) return { groups: run.groups.length, digits: run.digits.length };
  let first = 0;
  let last = run.groups.length;
  let digits = run.digits.length;
  const offsets: number[] = [];
  let offset = 0;
  for (const g of run.groups) {
    offsets.push(offset);
    offset += g;
  }
  const value = (k: number) => Number(run.digits.slice(offsets[k], (offsets[k] ?? 0) + (run.groups[k] ?? 0)));
  const isYear = (k: number) => run.groups[k] === 4 && value(k) >= 1900 && value(k) <= 2099;
  const isSmall = (k: number, max: number) => (run.groups[k] ?? 0) <= 2 && value(k) >= 1 && value(k) <= max;
  const isDate = (k: number) => (isYear(k) && isSmall(k + 1, 12) && isSmall(k + 2, 31)) || (isSmall(k, 31) && isSmall(k + 1, 12) && isYear(k + 2));
  if (last - first >= 3 && isDate(first)) {
    digits -= (run.groups[first] ?? 0) + (run.groups[first + 1] ?? 0) + (run.groups[first + 2] ?? 0);
    first += 3;
  }
  if (last - first >= 3 && isDate(last - 3)) {
    digits -= (run.groups[last - 3] ?? 0) + (run.groups[last - 2] ?? 0) + (run.groups[last - 1] ?? 0);
    last -= 3;
  }
  return { groups: last - first, digits };
}
