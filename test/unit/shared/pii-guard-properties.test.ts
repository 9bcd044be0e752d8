import fc from 'fast-check';
import { findPersonalData, findPersonalDataInId, PERSONAL_DATA_DESCRIPTIONS } from '../../../shared';

/**
 * Personal data embedded in arbitrary text: any prefix and suffix (full Unicode), joined to the
 * datum by a separator a person or a route would use. The guard must find it wherever it sits.
 */
const text = fc.string({ unit: 'binary', maxLength: 40 });
const embed = (datum: fc.Arbitrary<string>, separators: readonly string[], closers: readonly string[] = separators) =>
  fc.tuple(text, fc.constantFrom(...separators), datum, fc.constantFrom(...closers), text).map(([before, open, value, close, after]) => ({
    value,
    text: before + open + value + close + after,
  }));
const runs = { numRuns: 300 };

const digits = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));

function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

const FULL_WIDTH_ZERO = 0xff10;
const toFullWidth = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(FULL_WIDTH_ZERO + Number(d)));

/** Luhn-valid numbers with real issuer prefixes, grouped the ways they get written. */
const card = fc
  .tuple(
    fc.constantFrom(['4', 16], ['4', 13], ['4', 19], ['51', 16], ['55', 16], ['2221', 16], ['34', 15], ['37', 15], ['6011', 16], ['62', 19], ['3528', 16], ['36', 14]),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }),
    fc.constantFrom('', ' ', '-', '_', '.', '\u200b', '\u00a0', '\u2060', '\u00ad', '  '),
    fc.boolean(),
  )
  .map(([[iin, length], random, separator, fullWidth]) => {
    const body = (iin + random.join('')).slice(0, (length as number) - 1);
    const number = body + luhnCheckDigit(body);
    const grouped = number.match(/.{1,4}/g)!.join(separator);
    return fullWidth ? toFullWidth(grouped) : grouped;
  });

/** E.164 numbers with a `+`, and national numbers with a trunk 0, grouped or not. */
const phone = fc.oneof(
  fc
    .tuple(fc.integer({ min: 1, max: 9 }), digits(7, 14), fc.constantFrom('', ' ', '-', '.'), fc.integer({ min: 2, max: 4 }))
    .map(([first, rest, separator, size]) => '+' + (String(first) + rest).match(new RegExp(`.{1,${size}}`, 'g'))!.join(separator)),
  fc.tuple(digits(3, 4), digits(6, 8), fc.constantFrom('', ' ', '-', '/')).map(([area, subscriber, separator]) => `0${area}${separator === '/' ? ' ' : separator}${subscriber}`),
);

const base64url = (s: string | Uint8Array) => Buffer.from(s).toString('base64url');
const jwt = fc
  .tuple(
    fc.record({ alg: fc.constantFrom('HS256', 'RS256', 'ES256', 'none'), typ: fc.constant('JWT'), kid: fc.option(fc.string(), { nil: undefined }) }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
    fc.uint8Array({ maxLength: 64 }),
  )
  .map(([header, payload, signature]) => `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${base64url(signature)}`);

const ipv4 = fc.tuple(fc.ipV4(), fc.constantFrom('', ':8080', '/24')).map(([ip, tail]) => ip + tail);
const ipv6 = fc.ipV6().filter((ip) => ip !== '::');

describe('the PII guard finds generated personal data inside arbitrary text', () => {
  it('finds every generated e-mail address, whatever surrounds it', () => {
    fc.assert(
      fc.property(embed(fc.emailAddress(), [' ', '/', '(', ')', '<', '>', ',', ':', '"', '\t', '=']), ({ value, text: t }) => {
        expect(findPersonalData(value)).toBe('email');
        expect(findPersonalData(t)).toBeDefined();
        expect(findPersonalDataInId(t)).toBeDefined();
      }),
      runs,
    );
  });

  it('finds every generated e-mail address written with a full-width @ or a %40 escape', () => {
    fc.assert(
      fc.property(embed(fc.emailAddress(), [' ', '/', '(', ',']), fc.constantFrom('＠', '%40', '%2540', '&#64;'), ({ text: t }, at) => {
        expect(findPersonalData(t.replace('@', at))).toBeDefined();
      }),
      runs,
    );
  });

  it('finds every generated phone number, whatever surrounds it', () => {
    fc.assert(
      fc.property(embed(phone, ['/', ':', '=', ',', '|', '"', '\t', '<', '#']), ({ value, text: t }) => {
        expect(findPersonalData(value)).toBe('phone');
        expect(findPersonalData(t)).toBeDefined();
      }),
      runs,
    );
  });

  it('finds every generated Luhn-valid card number, with any separator or full-width digits, whatever surrounds it', () => {
    fc.assert(
      fc.property(embed(card, ['/', ':', '=', ',', '|', '"', '\t', ' ', '(', '#']), ({ value, text: t }) => {
        expect(findPersonalData(value)).toBe('card');
        expect(findPersonalData(t)).toBeDefined();
        expect(findPersonalDataInId(t)).toBeDefined();
      }),
      runs,
    );
  });

  it('finds every generated IPv4 address, with a port or prefix length, whatever surrounds it', () => {
    fc.assert(
      fc.property(embed(ipv4, ['ip:', 'client(', '[', ' ', '=', '/', ','], [')', ']', ' ', ',', '/']), ({ value, text: t }) => {
        expect(findPersonalData(value)).toBe('ip');
        expect(findPersonalData(t)).toBeDefined();
        expect(findPersonalDataInId(t)).toBeDefined();
      }),
      runs,
    );
  });

  it('finds every generated IPv6 address, bracketed or after ip:, whatever surrounds it', () => {
    fc.assert(
      fc.property(embed(ipv6, ['ip:', '[', '(', ' ', '=', ','], [']', ')', ' ', ',', ']:443 ', '/64']), ({ value, text: t }) => {
        expect(findPersonalData(value)).toBe('ip');
        expect(findPersonalData(t)).toBeDefined();
        expect(findPersonalDataInId(t)).toBeDefined();
      }),
      runs,
    );
  });

  it('finds every generated JWT, whatever surrounds it', () => {
    fc.assert(
      fc.property(embed(jwt, [' ', '/', '=', ':', '(', '"', ',', '\t', 'Bearer '], [' ', '/', ')', '"', ',', '\t', '&']), ({ value, text: t }) => {
        expect(findPersonalData(value)).toBe('jwt');
        expect(findPersonalData(t)).toBeDefined();
        expect(findPersonalDataInId(t)).toBeDefined();
      }),
      runs,
    );
  });
});

describe('the PII guard never throws', () => {
  const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
  const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
  const tricky = fc.constantFrom('%', '%4', '%40', '%E2%80', '%u00', '\\u', '\\x4', '&#', '&#x110000;', '&commat;', '@', '.', ':', '::', 'eyJ', '+', '(at)', ' at ', ' dot ', 'Bearer ', 'token=', '://', '\u200b', '４', '٤', '\ufffd');
  const hostile = fc.string({ unit: fc.oneof(loneSurrogate, anyUnit, tricky, fc.constantFrom('0', '1', '4', 'a', 'F', '-', ' ', '/')), maxLength: 200 });

  it('returns a known kind or undefined for arbitrary strings, lone surrogates included', () => {
    const kinds = new Set(Object.keys(PERSONAL_DATA_DESCRIPTIONS));
    fc.assert(
      fc.property(fc.oneof(hostile, fc.string({ unit: 'binary' })), (value) => {
        const tag = findPersonalData(value);
        const id = findPersonalDataInId(value);
        expect(tag === undefined || kinds.has(tag)).toBe(true);
        expect(id === undefined || kinds.has(id)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('the PII guard takes time linear in the length of its input', () => {
  // Each fragment, repeated, would make a backtracking or rescanning matcher quadratic or worse.
  const fragments = [
    '@', 'a@', 'a@b.', '1 ', '1-', '1_', '4111 ', '+1 ', ':', '::', 'f:', 'ff:ff:', '1.2.', '1.', 'eyJ', 'eyJhbGciOiJIUzI1NiJ9.', '%', '%4', '%40',
    '%E2%80%8B', '&#', '&#64', '\\u004', '(at)', '( at', ' at ', ' dot ', 'bearer ', 'token=', 'token', '://', '://a:', 'DE89', 'DE89 ', '1.2345,',
    '00:1a:', 'users/1/', 'a1B2', 'user_1', 'sk-', 'sk_live_', '\u200b', '４', 'a-', '12345678-', 'eyJaaaaaaaaaa.', '-----begin', 'xn--',
  ];
  // Linear work here is 20–200 ms; quadratic work would be 10^10 steps, minutes. The bound is far
  // above linear so that a machine busy with other work (both cores taken) does not fail it.
  const LENGTH = 100_000;
  it.each(fragments)('handles 100,000 characters of repeated %j within ten seconds', (fragment) => {
    const value = fragment.repeat(Math.ceil(LENGTH / fragment.length)).slice(0, LENGTH);
    const started = process.hrtime.bigint();
    findPersonalData(value);
    findPersonalDataInId(value);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(elapsedMs).toBeLessThan(10_000);
  });
});
