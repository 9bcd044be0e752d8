import { codeAt, hasWordAt, isAlnum, isBase64Url, isDigit, isLetter, isSpace, isUpper, lowerCode } from './char-classes';

/**
 * JSON Web Tokens (JWS and JWE): a base64url header starting `eyJ` (`{"` encoded) of at least 10
 * characters, a `.`, a payload of at least 2, a `.` and a signature that may be empty (an
 * unsecured JWT still carries its claims). Anywhere in the value.
 *
 * Linear: after a candidate fails, the search resumes at the end of its header run, and every
 * later candidate starts beyond it.
 */
export function containsJwt(s: string): boolean {
  let i = s.indexOf('eyJ');
  while (i >= 0) {
    const headerEnd = runEnd(s, i, isBase64Url);
    if (headerEnd - i >= 10 && codeAt(s, headerEnd) === 0x2e) {
      const payloadEnd = runEnd(s, headerEnd + 1, isBase64Url);
      if (payloadEnd - headerEnd - 1 >= 2 && codeAt(s, payloadEnd) === 0x2e) return true;
    }
    i = s.indexOf('eyJ', Math.max(headerEnd, i + 1));
  }
  return false;
}

/** The end of the run of `inRun` characters from `start`, looking at no more than `max` of them. */
function runEnd(s: string, start: number, inRun: (c: number) => boolean, max = Infinity): number {
  let i = start;
  while (i < s.length && i - start < max && inRun(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Secrets, each with a shape that ordinary tag values do not have:
 *
 * - credentials in a URL: `scheme://user:password@host`;
 * - an `Authorization` scheme and its credentials: `Bearer <16+ token chars>`, `Basic <12+ base64>`;
 * - a query or form parameter that names a secret (`token`, `access_token`, `api_key`, `password`,
 *   `secret`, `signature`, `session` …) with a value of 8 or more characters;
 * - API keys by their published prefixes: Stripe `sk_live_`/`rk_test_`/`whsec_`…, OpenAI and
 *   Anthropic `sk-`, GitHub `ghp_`/`github_pat_`…, GitLab `glpat-`, Slack `xoxb-`… and webhook
 *   URLs (`hooks.slack.com/services/`), AWS `AKIA`/`ASIA` access key ids, Google `AIza` keys,
 *   SendGrid `SG.`, npm `npm_`, and PEM private keys (`-----BEGIN`).
 *
 * Not caught: a secret with no recognisable prefix or context (a bare random string looks like
 * any id). Linear: each rule is a bounded look at a word start or a separator.
 */
export function containsSecret(s: string): boolean {
  if (s.length < MIN_SECRET_LENGTH) return false;
  return hasUrlCredentials(s) || hasAuthorizationCredentials(s) || hasSecretParameter(s) || hasPrefixedKey(s);
}

/** The shortest shape below: `a://b:c@d`, `key=` + 8, `-----BEGIN`. */
const MIN_SECRET_LENGTH = 9;

function hasUrlCredentials(s: string): boolean {
  let i = s.indexOf('://');
  while (i >= 0) {
    let colon = false;
    let j = i + 3;
    for (; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === 0x2f || c === 0x40 || isSpace(c) || c === 0x3f || c === 0x23) break;
      if (c === 0x3a) colon = true;
    }
    if (colon && codeAt(s, j) === 0x40 && j > i + 3) return true;
    i = s.indexOf('://', Math.max(j, i + 3));
  }
  return false;
}

const isToken68 = (c: number): boolean => isBase64Url(c) || c === 0x2e || c === 0x7e || c === 0x2b || c === 0x2f;

function hasAuthorizationCredentials(s: string): boolean {
  if (s.indexOf(' ') < 0 && s.indexOf('\t') < 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = lowerCode(s.charCodeAt(i));
    if ((c !== 0x62 /* b */) || isAlnum(codeAt(s, i - 1))) continue;
    const scheme = hasWordAt(s, i, 'bearer') ? 6 : hasWordAt(s, i, 'basic') ? 5 : 0;
    if (scheme === 0 || !isSpace(codeAt(s, i + scheme))) continue;
    let j = i + scheme;
    while (isSpace(codeAt(s, j))) j++;
    const end = runEnd(s, j, isToken68);
    if (end - j >= (scheme === 6 ? 16 : 12)) return true;
    i = end - 1;
  }
  return false;
}

/** Parameter names that carry a secret (compared case-insensitively, `-` read as `_`). */
const SECRET_PARAMETERS = new Set([
  'token', 'access_token', 'refresh_token', 'id_token', 'auth_token', 'session_token', 'api_key', 'apikey',
  'secret', 'client_secret', 'password', 'passwd', 'pwd', 'authorization', 'session', 'sessionid',
  'session_id', 'sid', 'signature', 'sig', 'x_amz_signature', 'x_amz_credential',
]);
const MIN_PARAMETER_SECRET = 8;
const MAX_PARAMETER_NAME = 24;

function hasSecretParameter(s: string): boolean {
  let eq = s.indexOf('=');
  while (eq >= 0) {
    let start = eq;
    while (start > 0 && eq - start < MAX_PARAMETER_NAME && isParameterNameChar(s.charCodeAt(start - 1))) start--;
    if (start < eq && !isParameterNameChar(codeAt(s, start - 1))) {
      const name = s.slice(start, eq).toLowerCase().replace(/-/g, '_');
      if (SECRET_PARAMETERS.has(name)) {
        let end = eq + 1;
        while (end < s.length && end - eq - 1 < MIN_PARAMETER_SECRET && !isParameterEnd(s.charCodeAt(end))) end++;
        if (end - eq - 1 >= MIN_PARAMETER_SECRET) return true;
      }
    }
    eq = s.indexOf('=', eq + 1);
  }
  return false;
}

const isParameterNameChar = (c: number): boolean => isAlnum(c) || c === 0x5f || c === 0x2d;
const isParameterEnd = (c: number): boolean => c === 0x26 || c === 0x3b || c === 0x23 || isSpace(c) || c === 0x2c;

interface KeyPrefix {
  prefix: string;
  /** Characters after the prefix, at least. */
  minBody: number;
  body: (c: number) => boolean;
  caseSensitive?: boolean;
}

const isKeyBody = (c: number): boolean => isAlnum(c) || c === 0x5f || c === 0x2d;
const KEY_PREFIXES: readonly KeyPrefix[] = [
  ...['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'whsec_'].map((prefix) => ({ prefix, minBody: 16, body: isAlnum })),
  { prefix: 'sk-', minBody: 20, body: isKeyBody },
  ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'].map((prefix) => ({ prefix, minBody: 30, body: isAlnum })),
  { prefix: 'github_pat_', minBody: 20, body: isKeyBody },
  { prefix: 'glpat-', minBody: 20, body: isKeyBody },
  ...['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xoxs-', 'xapp-'].map((prefix) => ({ prefix, minBody: 10, body: isKeyBody })),
  { prefix: 'hooks.slack.com/services/', minBody: 8, body: (c: number) => isKeyBody(c) || c === 0x2f },
  { prefix: 'AKIA', minBody: 16, body: (c: number) => isUpper(c) || isDigit(c), caseSensitive: true },
  { prefix: 'ASIA', minBody: 16, body: (c: number) => isUpper(c) || isDigit(c), caseSensitive: true },
  { prefix: 'AIza', minBody: 35, body: isKeyBody, caseSensitive: true },
  { prefix: 'SG.', minBody: 40, body: (c: number) => isKeyBody(c) || c === 0x2e, caseSensitive: true },
  { prefix: 'npm_', minBody: 36, body: isAlnum },
  { prefix: '-----begin', minBody: 0, body: () => true },
];

/** KEY_PREFIXES by the lower-cased code of their first character. */
const PREFIXES_BY_FIRST = new Map<number, KeyPrefix[]>();
for (const key of KEY_PREFIXES) {
  const first = lowerCode(key.prefix.charCodeAt(0));
  PREFIXES_BY_FIRST.set(first, [...(PREFIXES_BY_FIRST.get(first) ?? []), key]);
}

function hasPrefixedKey(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(isLetter(c) || c === 0x2d) || isAlnum(codeAt(s, i - 1))) continue;
    const candidates = PREFIXES_BY_FIRST.get(lowerCode(c));
    if (candidates === undefined) continue;
    for (const key of candidates) {
      if (!(key.caseSensitive ? s.startsWith(key.prefix, i) : hasWordAt(s, i, key.prefix))) continue;
      const bodyStart = i + key.prefix.length;
      const bodyEnd = runEnd(s, bodyStart, key.body, key.minBody);
      if (bodyEnd - bodyStart >= key.minBody) return true;
    }
  }
  return false;
}
