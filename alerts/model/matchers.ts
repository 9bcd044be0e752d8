import type { Labels } from './labels';

/**
 * A label matcher as in Alertmanager (`name=value`, `name!=value`, `name=~regex`, `name!~regex`).
 * Regular expressions are anchored at both ends, so `severity=~P1|P2` matches exactly P1 or P2.
 * A label that is absent matches as the empty string (Alertmanager's convention).
 */
export type MatchOperator = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly name: string;
  readonly op: MatchOperator;
  readonly value: string;
}

/** Matched against the trimmed text; the value is trimmed after (no `\s*` beside `.*`: ReDoS). */
const MATCHER_PATTERN = /^([A-Za-z_][A-Za-z0-9_.]*)\s*(=~|!~|!=|=)(.*)$/;

/** Parses `k=v`, `k!=v`, `k=~re`, `k!~re`; a value may be wrapped in double quotes. Throws on bad input. */
export function parseMatcher(text: string): Matcher {
  const match = MATCHER_PATTERN.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a matcher; use name=value, name!=value, name=~regex or name!~regex`);
  let value = (match[3] as string).trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  const matcher: Matcher = { name: match[1] as string, op: match[2] as MatchOperator, value };
  if (matcher.op === '=~' || matcher.op === '!~') compile(matcher.value);
  return matcher;
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

const regexCache = new Map<string, RegExp>();
function compile(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch (error) {
      throw new Error(`"${pattern}" is not a valid regular expression`, { cause: error });
    }
    regexCache.set(pattern, re);
  }
  return re;
}

export function matcherMatches(m: Matcher, labels: Labels): boolean {
  const value = Object.prototype.hasOwnProperty.call(labels, m.name) ? (labels[m.name] as string) : '';
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return compile(m.value).test(value);
    case '!~':
      return !compile(m.value).test(value);
  }
}

/** True when every matcher matches (an empty list matches everything). */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  for (const m of matchers) if (!matcherMatches(m, labels)) return false;
  return true;
}

/** Shorthand for data tables: `eq('severity', 'P0')`. */
export const eq = (name: string, value: string): Matcher => ({ name, op: '=', value });
export const re = (name: string, value: string): Matcher => ({ name, op: '=~', value });
