import { codeAt, isAlnum, isDigit, isHex, isLetter, isLower, isSpace, isUpper } from './char-classes';
import { isUuidAt } from './digit-runs';

/**
 * Raw ids in a tag value. A tag names a class of things (a route template, a feature, a reason),
 * never one user or record, so any of these is refused:
 *
 * - a UUID (8-4-4-4-12 hex, any version) anywhere;
 * - a MongoDB ObjectId (24 hex characters) or a 32-hex id (a UUID without hyphens, an MD5 — of
 *   an e-mail address, say) as a whole alphanumeric token;
 * - a Firebase Auth uid or similar random id: an alphanumeric token of 20–40 characters with
 *   digits, lower- and upper-case letters, whose character class changes at 40% or more of its
 *   positions (random strings change at ~62%; `gpt4oMiniTurbo2024Preview` at 37%);
 * - in a path or query: a segment after a segment that names people (`users`, `members`,
 *   `accounts`, `profiles`, `customers`, `uid`, `user_id=` …) that is a number, or 6+ characters
 *   mixing letters and digits (`/api/users/81234567`, `/users/Xk3p9QmZ2/profile`); a route
 *   template's placeholder (`:id`, `{id}`, `<id>`, `*`) or a word (`me`, `search`) passes;
 * - any path segment of 6 or more digits (`/orders/81234567`);
 * - a token naming a user with an id glued on: `user_81234567`, `uid:a8f3k2m9`, `cus_N3x…`
 *   (a digit is required, so `user_profile` passes).
 *
 * Linear: one pass over separator-delimited segments and one over alphanumeric tokens.
 */
export function containsRecordId(s: string): boolean {
  return hasUuid(s) || hasOpaqueToken(s) || hasIdSegment(s);
}

function hasUuid(s: string): boolean {
  for (let at = s.indexOf('-'); at >= 0; at = s.indexOf('-', at + 1)) {
    if (at >= 8 && isUuidAt(s, at - 8)) return true;
  }
  return false;
}

const FIREBASE_UID_MIN = 20;
const FIREBASE_UID_MAX = 40;
const RANDOM_CLASS_CHANGES = 0.4;

function hasOpaqueToken(s: string): boolean {
  let i = 0;
  while (i < s.length) {
    if (!isAlnum(s.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    let hex = true;
    let digits = 0;
    let lower = 0;
    let upper = 0;
    let changes = 0;
    let previousClass = -1;
    while (i < s.length && isAlnum(s.charCodeAt(i))) {
      const c = s.charCodeAt(i);
      hex &&= isHex(c);
      const cls = isDigit(c) ? 0 : isLower(c) ? 1 : 2;
      if (cls === 0) digits++;
      else if (cls === 1) lower++;
      else upper++;
      if (previousClass >= 0 && cls !== previousClass) changes++;
      previousClass = cls;
      i++;
    }
    const length = i - start;
    if (hex && (length === 24 || length === 32) && digits > 0 && digits < length) return true;
    if (length >= FIREBASE_UID_MIN && length <= FIREBASE_UID_MAX && digits > 0 && lower > 0 && upper > 0 && changes >= RANDOM_CLASS_CHANGES * (length - 1)) return true;
  }
  return false;
}

/** Segments that name people (or their accounts): the next segment identifies one of them. */
const PEOPLE_SEGMENTS = new Set([
  'users', 'user', 'u', 'uid', 'uids', 'userid', 'user_id', 'userids', 'members', 'member', 'member_id',
  'accounts', 'account', 'account_id', 'profiles', 'profile', 'profile_id', 'customers', 'customer',
  'customer_id', 'people', 'person', 'persons', 'players', 'player', 'player_id', 'clients', 'client_id',
  'patients', 'patient', 'employees', 'employee', 'owners', 'owner', 'owner_id', 'authors', 'author',
  'creators', 'creator', 'creator_id', 'subscribers', 'subscriber', 'followers', 'following', 'friends',
  'friend', 'contacts', 'contact', 'recipient', 'recipient_id', 'sender', 'sender_id', 'buyer', 'seller',
]);
const USER_PREFIXES = ['user', 'usr', 'uid', 'customer', 'cust', 'cus', 'member', 'acct', 'account', 'player', 'profile'];
const MAX_PEOPLE_SEGMENT = 12;
const LONG_NUMERIC_SEGMENT = 6;
const OPAQUE_SEGMENT_MIN = 6;

const isSegmentSeparator = (c: number): boolean =>
  c === 0x2f || c === 0x3f || c === 0x23 || c === 0x26 || c === 0x3d || c === 0x3b || c === 0x2c || c === 0x7c || isSpace(c);

function hasIdSegment(s: string): boolean {
  let previousStart = -1;
  let previousEnd = -1;
  let i = 0;
  while (i <= s.length) {
    const start = i;
    while (i < s.length && !isSegmentSeparator(s.charCodeAt(i))) i++;
    const end = i;
    if (end > start) {
      const segment = inspectSegment(s, start, end);
      if (segment.digits > 0) {
        const idShaped = segment.allDigits || (segment.length >= OPAQUE_SEGMENT_MIN && segment.letters > 0 && !segment.placeholder);
        if (idShaped && previousStart >= 0 && namesPeople(s, previousStart, previousEnd)) return true;
        if (segment.allDigits && segment.length >= LONG_NUMERIC_SEGMENT && codeAt(s, start - 1) === 0x2f) return true;
        if (hasUserPrefix(s, start, end)) return true;
      }
      previousStart = start;
      previousEnd = end;
    }
    i = end + 1;
  }
  return false;
}

function namesPeople(s: string, start: number, end: number): boolean {
  return end - start <= MAX_PEOPLE_SEGMENT && PEOPLE_SEGMENTS.has(s.slice(start, end).toLowerCase().replace(/-/g, '_'));
}

function inspectSegment(s: string, start: number, end: number) {
  let digits = 0;
  let letters = 0;
  for (let k = start; k < end; k++) {
    const c = s.charCodeAt(k);
    if (isDigit(c)) digits++;
    else if (isLetter(c)) letters++;
  }
  const first = s.charCodeAt(start);
  return { length: end - start, digits, letters, allDigits: digits === end - start, placeholder: first === 0x3a || first === 0x7b || first === 0x3c || first === 0x2a || first === 0x24 };
}

/**
 * `user_81234567`, `uid:a8f3k2m9`: a prefix, then `_` `:` `-` or a digit or capital, then 6+
 * letters and digits of which 2 or more are digits (`user_profile`, `userprofile2` pass).
 */
function hasUserPrefix(s: string, start: number, end: number): boolean {
  for (const prefix of USER_PREFIXES) {
    if (end - start < prefix.length + OPAQUE_SEGMENT_MIN || s.slice(start, start + prefix.length).toLowerCase() !== prefix) continue;
    let j = start + prefix.length;
    const sep = codeAt(s, j);
    const separated = sep === 0x5f || sep === 0x3a || sep === 0x2d;
    if (separated) j++;
    if (!separated && !isDigit(sep) && !isUpper(sep)) continue;
    let digits = 0;
    let k = j;
    for (; k < end && isAlnum(s.charCodeAt(k)); k++) if (isDigit(s.charCodeAt(k))) digits++;
    if (k === end && end - j >= OPAQUE_SEGMENT_MIN && digits >= 2) return true;
  }
  return false;
}
