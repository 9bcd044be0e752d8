import { formatMatcher, matchesAll, parseMatcher } from '../../../alerts/model/matchers';

describe('label matchers (Alertmanager syntax)', () => {
  const labels = { alertname: 'wallet-spend-failures-critical', severity: 'P0', module: 'wallet' };

  it.each([
    ['module=wallet', true],
    ['module="wallet"', true],
    ['module!=wallet', false],
    ['severity=~P0|P1', true],
    ['severity=~P', false], // anchored: a prefix is not a match
    ['severity!~P1|P2', true],
    ['feature=', true], // an absent label matches the empty string
    ['feature!=', false],
  ])('%s matching a P0 wallet alert is %s', (text, expected) => {
    expect(matchesAll([parseMatcher(text)], labels)).toBe(expected);
  });

  it('parses the operator with the longest match first and round-trips through formatMatcher', () => {
    expect(parseMatcher('a=~b.*')).toEqual({ name: 'a', op: '=~', value: 'b.*' });
    expect(parseMatcher(' a != b ')).toEqual({ name: 'a', op: '!=', value: 'b' });
    expect(parseMatcher(formatMatcher({ name: 'x', op: '!~', value: 'y|z' }))).toEqual({ name: 'x', op: '!~', value: 'y|z' });
  });

  it.each(['wallet', '=x', 'a=~(unclosed'])('rejects "%s" with a message that shows the syntax', (text) => {
    expect(() => parseMatcher(text)).toThrow(/matcher|regular expression/);
  });

  it('an empty matcher list matches every alert', () => {
    expect(matchesAll([], labels)).toBe(true);
  });
});
