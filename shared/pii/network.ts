import { codeAt, isAlnum, isDigit, isHex } from './char-classes';

/**
 * IPv4 addresses anywhere in the value: four dot-separated decimal parts of 1–3 digits, each at
 * most 255, not part of a longer dotted number (`1.2.3.4.5` is a version or an OID) and not
 * directly after a `v` (`v1.2.3.4` is a version) or a `+` (`+10.00.00.00` is a phone number).
 * Ports, prefixes and brackets around it do not matter: `ip:10.0.0.1`, `client(10.0.0.1)`,
 * `10.0.0.1:8080`, `10.0.0.0/8`.
 *
 * A four-part version number whose parts are all ≤ 255 (`1.2.3.4`) is indistinguishable from an
 * address and is refused; `v1.2.3.4` passes. Linear: one pass over dotted-decimal runs.
 */
export function containsIPv4(s: string): boolean {
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    const prev = codeAt(s, i - 1);
    if (!isDigit(c) || isDigit(prev) || prev === 0x2e) {
      i++;
      continue;
    }
    let parts = 0;
    let valid = true;
    let j = i;
    for (;;) {
      let value = 0;
      const start = j;
      while (isDigit(codeAt(s, j))) {
        value = value * 10 + codeAt(s, j) - 0x30;
        j++;
      }
      if (j - start > 3 || value > 255) valid = false;
      parts++;
      if (codeAt(s, j) === 0x2e && isDigit(codeAt(s, j + 1))) {
        j++;
        continue;
      }
      break;
    }
    if (valid && parts === 4 && (prev | 0x20) !== 0x76 /* v */ && prev !== 0x2b /* + */) return true;
    i = j;
  }
  return false;
}

const isIPv6Char = (c: number): boolean => isHex(c) || c === 0x3a || c === 0x2e;

/**
 * IPv6 addresses anywhere in the value, in any RFC 4291/5952 text form: full, `::`-compressed,
 * with an embedded IPv4 tail (`::ffff:10.0.0.1`), a zone (`fe80::1%eth0`), a prefix length, in
 * brackets with a port (`[2001:db8::1]:443`), after `ip:` (`ip:2001:db8::1`), or followed by an
 * unbracketed `:port`. The candidate must stand apart from letters and digits around it, so
 * `cache::read` or `std::vector` are not read as `e::` or `d::`; `::` alone is not an address.
 *
 * Linear: candidates are disjoint maximal runs of hex digits, colons and dots, each validated once
 * (twice when a trailing port is tried).
 */
export function containsIPv6(s: string): boolean {
  let i = s.indexOf(':');
  if (i < 0) return false;
  while (i > 0 && isIPv6Char(s.charCodeAt(i - 1))) i--;
  while (i < s.length) {
    if (!isIPv6Char(s.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    let end = i;
    while (end < s.length && isIPv6Char(s.charCodeAt(end))) end++;
    i = end;
    if (end - start >= 2 && s.charCodeAt(end - 1) === 0x3a && s.charCodeAt(end - 2) !== 0x3a) end--;
    if (isAlnum(codeAt(s, end))) continue;
    // The run may start with the colon of a prefix (`ip:2001:db8::1`, `ip:::1`): try without it.
    if (!isAlnum(codeAt(s, start - 1)) && isIPv6WithOptionalPort(s, start, end)) return true;
    if (s.charCodeAt(start) === 0x3a && isIPv6WithOptionalPort(s, start + 1, end)) return true;
  }
  return false;
}

function isIPv6WithOptionalPort(s: string, start: number, end: number): boolean {
  if (isIPv6(s, start, end)) return true;
  let lastColon = end - 1;
  while (lastColon > start && s.charCodeAt(lastColon) !== 0x3a) lastColon--;
  return lastColon > start && lastColon < end - 1 && isAllDigits(s, lastColon + 1, end) && isIPv6(s, start, lastColon);
}

function isAllDigits(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/** Whether s[start, end) is exactly one IPv6 address (RFC 4291 §2.2). */
export function isIPv6(s: string, start: number, end: number): boolean {
  let groups = 0;
  let compressed = false;
  let i = start;
  if (s.charCodeAt(i) === 0x3a) {
    if (codeAt(s, i + 1) !== 0x3a) return false;
    compressed = true;
    i += 2;
  }
  while (i < end) {
    let j = i;
    while (j < end && isHex(s.charCodeAt(j))) j++;
    if (j < end && s.charCodeAt(j) === 0x2e) {
      if (!isIPv4Exact(s, i, end)) return false;
      groups += 2;
      i = end;
      break;
    }
    if (j - i < 1 || j - i > 4) return false;
    groups++;
    i = j;
    if (i === end) break;
    if (s.charCodeAt(i) !== 0x3a) return false;
    if (codeAt(s, i + 1) === 0x3a) {
      if (compressed) return false;
      compressed = true;
      i += 2;
    } else if (++i === end) {
      return false;
    }
  }
  if (groups === 0) return false;
  return compressed ? groups <= 7 : groups === 8;
}

function isIPv4Exact(s: string, start: number, end: number): boolean {
  let parts = 0;
  let i = start;
  while (i < end) {
    let value = 0;
    const partStart = i;
    while (i < end && isDigit(s.charCodeAt(i))) value = value * 10 + s.charCodeAt(i++) - 0x30;
    if (i === partStart || i - partStart > 3 || value > 255) return false;
    parts++;
    if (i < end) {
      if (s.charCodeAt(i) !== 0x2e || i + 1 === end) return false;
      i++;
    }
  }
  return parts === 4;
}

/**
 * MAC addresses (EUI-48): six pairs of hex digits joined by the same `:` or `-`, standing apart
 * from letters and digits around them and not after a `+` (a phone number). Linear: a constant-length check where a pair starts.
 */
export function containsMacAddress(s: string): boolean {
  for (let i = 0; i + 17 <= s.length; i++) {
    if (isAlnum(codeAt(s, i - 1)) || codeAt(s, i - 1) === 0x2b /* +: a phone number */ || !isHex(s.charCodeAt(i))) continue;
    const sep = s.charCodeAt(i + 2);
    if (sep !== 0x3a && sep !== 0x2d) continue;
    let ok = true;
    for (let k = 0; k < 6 && ok; k++) {
      const p = i + k * 3;
      ok = isHex(s.charCodeAt(p)) && isHex(s.charCodeAt(p + 1)) && (k === 5 || s.charCodeAt(p + 2) === sep);
    }
    // Exactly six pairs: not inside a longer chain (`+10-00-00-00-00-00-00` is a phone number).
    if (ok && !isAlnum(codeAt(s, i + 17)) && codeAt(s, i + 17) !== sep && codeAt(s, i - 1) !== sep) return true;
  }
  return false;
}
