import { isIP } from 'node:net';

/**
 * The PII guard: metrics must never carry personal data (seed §7, docs/AUDIT.md). Tag keys are
 * limited by the metric catalogue's allow-lists; this module inspects tag *values*.
 *
 * A value is split into tokens on separators that appear in routes and query strings, and the
 * whole value and every token are checked, so `/users/jane@example.com/profile` is caught.
 */
export type PersonalDataKind = 'email' | 'phone' | 'card' | 'ip' | 'user_id';

export const PERSONAL_DATA_DESCRIPTIONS: Record<PersonalDataKind, string> = {
  email: 'an e-mail address',
  phone: 'a phone number',
  card: 'a payment card number',
  ip: 'an IP address',
  user_id: 'a raw user id',
};

const EMAIL = /[^\s@/?&=,;:]+@[^\s@/?&=,;:]+\.[a-z]{2,}/i;
// 13–19 digits, optionally grouped by single spaces or dashes (card layouts).
const CARD_CANDIDATE = /\d(?:[ -]?\d){12,18}/g;
// International form: + then 8–15 digits; or a bare run of 10–15 digits, grouped or not.
const PHONE_INTERNATIONAL = /(?:^|[^\w])\+\(?\d(?:[\s().-]{0,2}\d){7,14}/;
const PHONE_NATIONAL = /(?:^|[^\d])\(?\d(?:[\s().-]{0,2}\d){9,14}(?!\d)/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const PREFIXED_USER_ID = /^(?:user|uid|usr|customer|member)[_:-]?[a-z0-9]{6,}$/i;
const TOKEN_SEPARATORS = /[\s/?&=,;|#]+/;

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

function containsCardNumber(value: string): boolean {
  for (const match of value.matchAll(CARD_CANDIDATE)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return true;
  }
  return false;
}

/** Firebase Auth uids are 28 mixed-case alphanumerics; accept 20–40 with digits and both cases. */
function looksLikeOpaqueUserId(token: string): boolean {
  if (token.length < 20 || token.length > 40 || !/^[A-Za-z0-9]+$/.test(token)) return false;
  return /\d/.test(token) && /[a-z]/.test(token) && /[A-Z]/.test(token);
}

function isIpToken(token: string): boolean {
  if (isIP(token) !== 0) return true;
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d+)?$/i.exec(token);
  if (bracketed?.[1] !== undefined && isIP(bracketed[1]) !== 0) return true;
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(token);
  return v4WithPort?.[1] !== undefined && isIP(v4WithPort[1]) === 4;
}

/**
 * The kind of personal data `value` contains, or undefined when it looks clean.
 * Callers must bound the length first (tag values are at most a few hundred characters).
 */
export function findPersonalData(value: string): PersonalDataKind | undefined {
  if (EMAIL.test(value)) return 'email';
  if (containsCardNumber(value)) return 'card';
  const tokens = value.split(TOKEN_SEPARATORS).filter((t) => t.length > 0);
  if (isIpToken(value) || tokens.some(isIpToken)) return 'ip';
  if (PHONE_INTERNATIONAL.test(value) || PHONE_NATIONAL.test(value)) return 'phone';
  if (UUID.test(value)) return 'user_id';
  if (tokens.some((t) => PREFIXED_USER_ID.test(t) || looksLikeOpaqueUserId(t))) return 'user_id';
  return undefined;
}
