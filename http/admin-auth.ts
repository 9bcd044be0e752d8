import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from './http';

/** Who presented a token, and whether they hold the admin claim. */
export interface Identity {
  uid: string;
  admin: boolean;
}

/** Verifies a bearer token; rejects when it is malformed, expired or not signed by the issuer. */
export type TokenVerifier = (token: string) => Promise<Identity>;

/** The admin claim: `admin: true` (set with firebase-admin `setCustomUserClaims`), or `role: "admin"`. */
export function isAdminClaims(claims: Record<string, unknown> | undefined): boolean {
  return claims?.admin === true || claims?.role === 'admin';
}

/** Firebase Auth ID tokens, verified by firebase-admin (and by the Auth emulator's rules when FIREBASE_AUTH_EMULATOR_HOST is set). */
export function firebaseTokenVerifier(auth: { verifyIdToken(token: string): Promise<{ uid: string } & Record<string, unknown>> }): TokenVerifier {
  return async (token) => {
    const decoded = await auth.verifyIdToken(token);
    return { uid: decoded.uid, admin: isAdminClaims(decoded) };
  };
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The local stack's admin token (printed in the `obs start` banner; docs/OPERATIONS.md). Compared
 * in constant time; anything else falls through to `next` (Firebase) when there is one.
 */
export function localTokenVerifier(localToken: string, next?: TokenVerifier): TokenVerifier {
  const expected = digest(localToken);
  return async (token) => {
    if (timingSafeEqual(digest(token), expected)) return { uid: 'local-admin', admin: true };
    if (next) return next(token);
    throw new Error('token not recognised');
  };
}

export type AdminCheck = { ok: true; identity: Identity } | { ok: false; status: 401 | 403; error: string };

/** `Authorization: Bearer <token>` → an admin identity, or the 401/403 to answer. Never echoes the token. */
export async function requireAdmin(request: HttpRequest, verify: TokenVerifier): Promise<AdminCheck> {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) return { ok: false, status: 401, error: 'missing bearer token' };
  let identity: Identity;
  try {
    identity = await verify(match[1]);
  } catch {
    return { ok: false, status: 401, error: 'invalid token' };
  }
  if (!identity.admin) return { ok: false, status: 403, error: 'admin claim required' };
  return { ok: true, identity };
}
