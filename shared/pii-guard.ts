import { isAlnum, isDigit, isUpper } from './pii/char-classes';
import { isUuidAt, maskOpaqueTokens } from './pii/digit-runs';
import { containsEmail, isAddressAround, rewriteSpelledOutEmail } from './pii/email';
import { containsIban } from './pii/iban';
import type { PersonalDataKind } from './pii/kinds';
import { containsCoordinates } from './pii/location';
import { containsIPv4, containsIPv6, containsMacAddress } from './pii/network';
import { ESCAPED_AT, foldUnicode, needsNormalising, normaliseForScan } from './pii/normalise';
import { findNumbers, type NumberFindings } from './pii/numbers';
import { containsRecordId } from './pii/record-ids';
import { containsJwt, containsSecret } from './pii/secrets';

/**
 * The PII guard: metrics must never carry personal data (seed §7, docs/AUDIT.md, which lists
 * every shape caught and what cannot be). Tag keys are limited by the metric catalogue's
 * allow-lists; `findPersonalData` inspects tag *values*, `findPersonalDataInId` event ids and the
 * message's `source` fields.
 *
 * Each value is first normalised for scanning (./pii/normalise.ts: escapes decoded, Unicode
 * folded to ASCII forms, zero-width and format characters removed), then read by hand-written
 * scanners (./pii/*.ts), each linear in the value's length: no regular expression runs on the
 * value, so no input can make the guard backtrack. A cheap first pass skips the scanners a value
 * cannot need (no `@`: no e-mail scan; fewer than 8 digits: no card or phone scan …).
 */
export type { PersonalDataKind } from './pii/kinds';
export { PERSONAL_DATA_DESCRIPTIONS } from './pii/kinds';

/** What one pass over a value found; each scanner runs only when its shape is possible. */
interface Features {
  digits: number;
  dots: number;
  colons: number;
  hyphens: number;
  at: boolean;
  upper: boolean;
  listSeparator: boolean;
  spelledOutHint: boolean;
}

function featuresOf(s: string): Features {
  const f: Features = { digits: 0, dots: 0, colons: 0, hyphens: 0, at: false, upper: false, listSeparator: false, spelledOutHint: false };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) f.digits++;
    else if (c === 0x2e) f.dots++;
    else if (c === 0x3a) f.colons++;
    else if (c === 0x2d) f.hyphens++;
    else if (c === 0x40) f.at = true;
    else if (isUpper(c)) f.upper = true;
    else if (c === 0x2c || c === 0x3b) f.listSeparator = true;
    else if (c === 0x20 || c === 0x28 || c === 0x5b || c === 0x7b || c === 0x3c) f.spelledOutHint = true;
  }
  return f;
}

/** Fewer digits cannot make a phone (8 with `+`), card (13) or SSN (9). */
const MIN_NUMBER_DIGITS = 8;

/**
 * The kind of personal data a tag value contains, or undefined when it looks clean. When a value
 * holds several, the first in this order is reported: jwt, secret, email, card, bank_account, ip,
 * device_id, national_id, phone, location, user_id. Never throws; linear in the value's length
 * (tag values are at most 128 characters: WIRE_LIMITS.maxTagValueLength).
 */
export function findPersonalData(value: string): PersonalDataKind | undefined {
  const s = needsNormalising(value) ? normaliseForScan(value) : value;
  const f = featuresOf(s);
  if (f.dots >= 2 && containsJwt(s)) return 'jwt';
  if (containsSecret(s)) return 'secret';
  if (f.at && containsEmail(s)) return 'email';
  if (s !== value && containsEmailAsWritten(value)) return 'email';
  if (f.spelledOutHint) {
    const rewritten = rewriteSpelledOutEmail(s);
    if (rewritten !== undefined && containsEmail(rewritten)) return 'email';
  }
  const numbers = f.digits >= MIN_NUMBER_DIGITS ? findNumbers(s, maskOpaqueTokens(s, false), 'tag') : undefined;
  if (numbers?.card) return 'card';
  if (f.upper && f.digits >= 2 && containsIban(s)) return 'bank_account';
  const network = networkKind(s, f);
  if (network) return network;
  if (numbers?.nationalId) return 'national_id';
  if (numbers?.phone) return 'phone';
  if (f.dots >= 2 && f.listSeparator && containsCoordinates(s)) return 'location';
  if (numbers?.longNumber || (f.digits > 0 && containsRecordId(s))) return 'user_id';
  return undefined;
}

/**
 * An address that decoding every escape would break, read as written (Unicode folded): a local
 * part with an escape of its own — `%0a@example.com`, `%0a＠example.com`, `%0a%40example.com`,
 * `%40%40example.com` — where decoded the local part would end in a line feed or an `@`. Each
 * escaped `@` is tried in place. Linear: one regex pass (no backtracking) and, per match, the
 * forward domain scan of containsEmail.
 */
function containsEmailAsWritten(value: string): boolean {
  const folded = foldUnicode(value);
  if (containsEmail(folded)) return true;
  for (const match of folded.matchAll(ESCAPED_AT)) {
    if (isAddressAround(folded, match.index, match.index + match[0].length)) return true;
  }
  return false;
}

function networkKind(s: string, f: Features): PersonalDataKind | undefined {
  if (f.dots >= 3 && f.digits >= 4 && containsIPv4(s)) return 'ip';
  if (f.colons >= 2 && containsIPv6(s)) return 'ip';
  if ((f.colons >= 5 || f.hyphens >= 5) && containsMacAddress(s)) return 'device_id';
  return undefined;
}

/** Ids made of these characters with fewer digits than a phone number need no scan at all. */
const isPlainIdChar = (c: number): boolean => isAlnum(c) || c === 0x2d || c === 0x5f;
const MIN_ID_NUMBER_DIGITS = 9;
const UUID_LENGTH = 36;

/**
 * Personal data in an identifier: an event id, `source.service` or `source.environment`. Checks
 * the shapes that cannot be part of a random id — e-mail (also spelled out), card, IP address,
 * phone (written as people write them: with `+`, in three or more groups, or spaced; a bare run
 * of digits is a legitimate numeric id) and JWT — and not the id-like shapes of the tag guard:
 * UUIDs and the emitter's ids (`<12 base64url>-<base36 counter>`) are what ids look like.
 *
 * Fast: one pass over the id returns at once when it has only letters, digits, `-` and `_` and
 * fewer than 9 digits (the emitter's ids, service and environment names); a UUID returns at once.
 */
export function findPersonalDataInId(value: string): PersonalDataKind | undefined {
  if (value.length === UUID_LENGTH && isUuidAt(value, 0)) return undefined;
  let digits = 0;
  let plain = true;
  for (let i = 0; i < value.length && plain; i++) {
    const c = value.charCodeAt(i);
    if (isDigit(c)) digits++;
    else plain = isPlainIdChar(c);
  }
  if (plain && digits < MIN_ID_NUMBER_DIGITS) return undefined;

  const s = needsNormalising(value) ? normaliseForScan(value) : value;
  if (containsJwt(s)) return 'jwt';
  if (containsEmail(s) || (s !== value && containsEmailAsWritten(value))) return 'email';
  const rewritten = rewriteSpelledOutEmail(s);
  if (rewritten !== undefined && containsEmail(rewritten)) return 'email';
  const numbers = numbersInId(s);
  if (numbers.card) return 'card';
  if (containsIPv4(s) || containsIPv6(s)) return 'ip';
  if (numbers.nationalId) return 'national_id';
  if (numbers.phone) return 'phone';
  return undefined;
}

const EMITTER_PREFIX_LENGTH = 12;

/**
 * Numbers in an id. The emitter's ids join a random prefix and a counter with `-`; each part is
 * read on its own, so the prefix's last digits and a numeric counter never make one number.
 */
function numbersInId(s: string): NumberFindings {
  if (isEmitterId(s)) {
    const prefix = findNumbers(s.slice(0, EMITTER_PREFIX_LENGTH), undefined, 'id');
    const counter = findNumbers(s.slice(EMITTER_PREFIX_LENGTH + 1), undefined, 'id');
    return {
      card: prefix.card || counter.card,
      nationalId: prefix.nationalId || counter.nationalId,
      phone: prefix.phone || counter.phone,
      longNumber: false,
    };
  }
  return findNumbers(s, maskOpaqueTokens(s, true), 'id');
}

/** `<12 base64url characters>-<base36 counter>`: emitter/serialiser.ts's `nextId()`. */
function isEmitterId(s: string): boolean {
  if (s.length <= EMITTER_PREFIX_LENGTH + 1 || s.charCodeAt(EMITTER_PREFIX_LENGTH) !== 0x2d) return false;
  for (let i = 0; i < EMITTER_PREFIX_LENGTH; i++) if (!isPlainIdChar(s.charCodeAt(i))) return false;
  for (let i = EMITTER_PREFIX_LENGTH + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c) && !(c >= 0x61 && c <= 0x7a)) return false;
  }
  return true;
}
