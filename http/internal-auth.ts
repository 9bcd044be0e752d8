import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from './http';

export type KeyCheck = { ok: true; via: 'header' | 'query' } | { ok: false; reason: 'not_configured' | 'missing' | 'wrong' };

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks the internal health key. The `X-Internal-Key` header is the way; the seed's `?key=` is
 * still accepted but discouraged (query strings end up in access logs). Both sides are hashed to
 * equal-length digests first, so the comparison is constant-time whatever the key lengths.
 * The key is never logged or echoed.
 */
export function checkInternalKey(request: HttpRequest, expected: string | undefined): KeyCheck {
  if (!expected) return { ok: false, reason: 'not_configured' };
  const header = request.headers['x-internal-key'];
  const query = request.query.key;
  const given = header ?? query;
  if (given === undefined || given === '') return { ok: false, reason: 'missing' };
  if (!timingSafeEqual(digest(given), digest(expected))) return { ok: false, reason: 'wrong' };
  return { ok: true, via: header !== undefined ? 'header' : 'query' };
}
