import { randomBytes, randomUUID } from 'node:crypto';
import { findPersonalDataInId, type PersonalDataKind } from '../../../shared';

describe('the PII guard checks event ids and source fields for personal data', () => {
  const personal: Array<[string, string, PersonalDataKind]> = [
    ['an e-mail address used as an id is caught as an e-mail', 'jane.doe@example.com', 'email'],
    ['a URL-encoded e-mail address in an id is caught as an e-mail', 'evt-jane%40example.com-1', 'email'],
    ['a full-width @ in an id is caught as an e-mail', 'jane＠example.com', 'email'],
    ['a spelled-out address in an id is caught as an e-mail', 'jane(at)example(dot)com', 'email'],
    ['a card number used as an id is caught as a card', '4111111111111111', 'card'],
    ['a card number with dashes inside an id is caught as a card', 'order-4111-1111-1111-1111', 'card'],
    ['a card split by zero-width spaces in an id is caught as a card', '4111\u200b1111\u200b1111\u200b1111', 'card'],
    ['a card number as the counter of an emitter-shaped id is caught as a card', 'Ab3x9Qzk_Lm--4111111111111111', 'card'],
    ['an IPv4 address used as an id is caught as an IP', '10.0.0.1', 'ip'],
    ['an IPv4 address inside an id is caught as an IP', 'evt-192.168.1.20-7', 'ip'],
    ['an IPv6 address used as an id is caught as an IP', '2001:db8::1', 'ip'],
    ['an international phone number used as an id is caught as a phone', '+447911123456', 'phone'],
    ['a grouped phone number inside an id is caught as a phone', 'call-0176 123 4567', 'phone'],
    ['a phone number in three hyphenated groups is caught as a phone', '415-555-2671', 'phone'],
    ['a social security number in an id is caught as a national id', 'ssn-123-45-6789-x', 'national_id'],
    ['a JWT used as an id is caught as a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYW5lIn0.c2lnbmF0dXJlLWJ5dGVz', 'jwt'],
    ['an e-mail address as a service name is caught as an e-mail', 'ops@avalo.app', 'email'],
  ];
  it.each(personal)('%s (%s)', (_sentence, value, kind) => {
    expect(findPersonalDataInId(value)).toBe(kind);
  });

  const clean: Array<[string, string]> = [
    ["the emitter's first id", 'Ab3x9Qzk_Lm--0'],
    ["an emitter id whose prefix ends in digits and whose counter is all digits", 'Ab3x9Qz123456-99999999'],
    ["an emitter id with a long counter", 'q-_9Zz0aB1cD-zzzzzzzz'],
    ['a UUID', '9b2f6a0e-8c1d-4e3f-a5b6-c7d8e9f0a1b2'],
    ['an all-digit UUID', '12345678-1234-4123-8123-123456789012'],
    ['a prefixed UUID', 'evt_12345678-1234-4123-8123-123456789012'],
    ['a ULID', '01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['a snowflake id', '1789234523452345678'],
    ['a millisecond timestamp id', '1764180000000-42'],
    ['a timestamp and a sequence', 'evt_1764180000000_7'],
    ['a date-based id', 'evt-2026-11-26-000123'],
    ['a SHA-256 content hash', 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9'],
    ['a Firestore auto id', 'V1StGXR8Z5jdHi6BmyT0'],
    ['a service name', 'wallet'],
    ['an environment name', 'production'],
    ['a region-qualified environment', 'europe-west1'],
    ['a service with a version', 'chat-v2'],
  ];
  it.each(clean)('lets %s through (%s)', (_what, value) => {
    expect(findPersonalDataInId(value)).toBeUndefined();
  });

  it("lets 20,000 ids shaped like the emitter's through", () => {
    for (let p = 0; p < 20; p++) {
      const prefix = randomBytes(9).toString('base64url') + '-';
      for (let n = 0; n < 1_000; n++) {
        const id = prefix + (n * 7_919_131 + p).toString(36);
        expect(findPersonalDataInId(id)).toBeUndefined();
      }
    }
  });

  it('lets 10,000 random UUIDs through', () => {
    for (let n = 0; n < 10_000; n++) {
      const id = randomUUID();
      expect(findPersonalDataInId(id)).toBeUndefined();
    }
  });
});
