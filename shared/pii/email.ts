import { codeAt, hasWordAt, isAlnum, isLetter, isSpace } from './char-classes';

/**
 * E-mail addresses: `local@domain.tld` anywhere in the value (`/users/jane@example.com/profile`
 * is caught), where the local part ends in a character an address allows, the domain has at
 * least two labels and the last label (the TLD) is two or more letters (`xn--` labels too).
 * `lodash@4.17.21` and `@handle` are not addresses. The value arrives normalised
 * (./normalise.ts), so `%40`, `＠` and `&#64;` have become `@` already.
 *
 * Linear: each `@` looks one character back, and scans forward only up to the next character a
 * domain cannot contain (which includes the next `@`).
 */
export function containsEmail(s: string): boolean {
  let at = s.indexOf('@');
  while (at >= 0) {
    if (isLocalPartEnd(codeAt(s, at - 1)) && domainFollows(s, at + 1)) return true;
    at = s.indexOf('@', at + 1);
  }
  return false;
}

/**
 * An address whose `@` is the span [atStart, atEnd) of `s` — an escaped or full-width spelling of
 * it (`%40`, `&#64;`, `＠` …) — read in place: the local part ends just before the span, the
 * domain starts right after it. Catches `%40%40example.com` (local part `%40`), which decoding
 * every escape turns into `@@example.com`.
 */
export function isAddressAround(s: string, atStart: number, atEnd: number): boolean {
  return isLocalPartEnd(codeAt(s, atStart - 1)) && domainFollows(s, atEnd);
}

/** RFC 5322 `atext`, the characters a dot-atom local part may end with, and any non-ASCII one (RFC 6532). */
const ATEXT_SYMBOLS = "!#$%&'*+-/=?^_`{|}~";
function isLocalPartEnd(c: number): boolean {
  return isAlnum(c) || c >= 0x80 || (c > 0x20 && ATEXT_SYMBOLS.indexOf(String.fromCharCode(c)) >= 0);
}

const isDomainChar = (c: number): boolean => isAlnum(c) || c === 0x2d || (c >= 0x80 && c !== 0xfffd);

function domainFollows(s: string, start: number): boolean {
  let labels = 0;
  let labelStart = start;
  let i = start;
  for (;;) {
    while (isDomainChar(codeAt(s, i))) i++;
    if (i === labelStart) break; // empty label: the domain ended at the previous dot
    labels++;
    if (labels >= 2 && isTopLevelLabel(s, labelStart, i)) return true;
    if (codeAt(s, i) !== 0x2e /* . */) break;
    i++;
    labelStart = i;
  }
  return false;
}

/**
 * Two or more letters; an `xn--` label; or letters then `-` (`jane@example.com-1`: an address
 * glued to the text after it — no TLD contains a hyphen, so the address ended before it).
 */
function isTopLevelLabel(s: string, start: number, end: number): boolean {
  if (hasWordAt(s, start, 'xn--')) return end - start > 4;
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) === 0x2d) {
      end = i;
      break;
    }
  }
  if (end - start < 2) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!isLetter(c) && c < 0x80) return false;
  }
  return true;
}

/**
 * Spelled-out addresses, rewritten to `@` / `.` forms for containsEmail, with a low risk of false
 * positives by construction:
 *
 * - bracketed forms are always rewritten: `(at)` `[at]` `{at}` `<at>` and the same with `dot`,
 *   any case, spaces allowed inside and around (`jane [at] example [dot] com`);
 * - a plain ` dot ` is rewritten only when the value also has an `@` or an at-form;
 * - a plain ` at ` is rewritten only when the value also has a spelled-out dot, or when a
 *   well-known mailbox provider's domain follows (`jane at gmail.com`). `timeout at
 *   api.example.com` stays as it is.
 *
 * Returns undefined when the value has no such form. Linear: constant work per character, and
 * trailing spaces trimmed from the output were each written once.
 */
export function rewriteSpelledOutEmail(s: string): string | undefined {
  const lower = s.toLowerCase();
  const bracketed = hasBracketedWord(lower);
  const plainAt = lower.indexOf(' at ') >= 0;
  const plainDot = lower.indexOf(' dot ') >= 0;
  if (!bracketed && !plainAt) return undefined;
  const allowPlainDot = plainDot && (plainAt || bracketed || s.indexOf('@') >= 0);
  const allowPlainAt = plainAt && (plainDot || bracketed);
  const out: string[] = [];
  let changed = false;
  let i = 0;
  while (i < lower.length) {
    const c = lower.charCodeAt(i);
    const bracket = OPENERS.indexOf(c) >= 0 ? matchBracketedWord(lower, i) : undefined;
    let replacement: string | undefined;
    let end = i;
    if (bracket) {
      replacement = bracket.word === 'at' ? '@' : '.';
      end = bracket.end;
    } else if (c === 0x20 && hasWordAt(lower, i, ' at ') && (allowPlainAt || followedByMailboxProvider(lower, i + 4))) {
      replacement = '@';
      end = i + 3;
    } else if (c === 0x20 && allowPlainDot && hasWordAt(lower, i, ' dot ')) {
      replacement = '.';
      end = i + 4;
    }
    if (replacement === undefined) {
      out.push(lower[i] ?? '');
      i++;
      continue;
    }
    changed = true;
    while (out.length > 0 && isSpace((out[out.length - 1] ?? '').charCodeAt(0))) out.pop();
    out.push(replacement);
    i = end;
    while (isSpace(codeAt(lower, i))) i++;
  }
  return changed ? out.join('') : undefined;
}

const OPENERS = [0x28, 0x5b, 0x7b, 0x3c];
const CLOSERS = [0x29, 0x5d, 0x7d, 0x3e];

function hasBracketedWord(lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    if (OPENERS.indexOf(lower.charCodeAt(i)) >= 0 && matchBracketedWord(lower, i)) return true;
  }
  return false;
}

/** `(at)`, `[ dot ]` … at `open`: constant work (at most two spaces on each side of the word). */
function matchBracketedWord(lower: string, open: number): { word: 'at' | 'dot'; end: number } | undefined {
  const closer = CLOSERS[OPENERS.indexOf(lower.charCodeAt(open))];
  let j = open + 1;
  if (codeAt(lower, j) === 0x20) j++;
  if (codeAt(lower, j) === 0x20) j++;
  const word = hasWordAt(lower, j, 'at') ? 'at' : hasWordAt(lower, j, 'dot') ? 'dot' : undefined;
  if (!word) return undefined;
  j += word.length;
  if (codeAt(lower, j) === 0x20) j++;
  if (codeAt(lower, j) === 0x20) j++;
  return codeAt(lower, j) === closer ? { word, end: j + 1 } : undefined;
}

/** Mailbox providers whose domain after a plain ` at ` can only mean an address. */
const MAILBOX_PROVIDERS = ['gmail.', 'googlemail.', 'yahoo.', 'hotmail.', 'outlook.', 'live.', 'icloud.', 'me.com', 'aol.', 'proton.me', 'protonmail.', 'gmx.', 'web.de', 'yandex.', 'mail.ru', 'zoho.', 'wp.pl', 'o2.pl', 'interia.pl', 'onet.pl'];

function followedByMailboxProvider(lower: string, at: number): boolean {
  return MAILBOX_PROVIDERS.some((p) => lower.startsWith(p, at));
}
