import fc from 'fast-check';
import { eventDeadLetter, messageDeadLetter, rawMessageText, serviceOf, truncateUtf8 } from '../../../ingest/dead-letters';

describe('dead-letter rows', () => {
  it.each([
    ['short text is kept as is', 'abc', 10, 'abc'],
    ['ASCII past the bound is cut and marked', 'a'.repeat(30), 20, 'a'.repeat(20 - Buffer.byteLength('…[truncated]')) + '…[truncated]'],
  ])('%s', (_name, text, max, expected) => {
    expect(truncateUtf8(text, max)).toBe(expected);
  });

  it('never cuts inside a multi-byte character and never exceeds the bound', () => {
    for (let max = 20; max < 40; max++) {
      const cut = truncateUtf8('€'.repeat(30), max);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(max);
      expect(cut).not.toContain('\ufffd');
    }
  });

  it('keeps bytes that are not UTF-8 as base64 rather than mangling them', () => {
    expect(rawMessageText(Buffer.from([0xc3, 0x28]))).toBe('base64:wyg=');
    expect(rawMessageText(Buffer.from('{"ok":"é"}'))).toBe('{"ok":"é"}');
  });

  it('gives deterministic ids, codes in order of appearance without repeats, and the reasons as JSON', () => {
    const ctx = { messageId: 'm7', receivedAtMs: 1, service: 'chat' };
    const reasons = [
      { code: 'invalid_value' as const, field: 'events[2].value', message: 'bad' },
      { code: 'personal_data' as const, field: 'events[2].tags.x', message: 'pii' },
      { code: 'invalid_value' as const, field: 'events[2].value', message: 'again' },
    ];
    const row = eventDeadLetter(ctx, 2, { id: 'e2', value: -1 }, reasons);
    expect(row).toMatchObject({ dead_letter_id: 'm7#2', event_index: 2, event_id: 'e2', reason_codes: 'invalid_value,personal_data', raw_payload: '{"id":"e2","value":-1}' });
    expect(JSON.parse(row.reasons)).toEqual(reasons);
    expect(eventDeadLetter(ctx, 0, { id: 'x'.repeat(200) }, reasons).event_id).toBeNull();
    expect(messageDeadLetter(ctx, 'garbage', reasons.slice(0, 1))).toMatchObject({ dead_letter_id: 'm7#message', scope: 'message', event_index: null, raw_payload: 'garbage' });
  });
});

describe('the dead-letter builders never throw, whatever they are given', () => {
  const ctx = { messageId: 'm1', receivedAtMs: 1, service: 'chat' };
  const reasons = [{ code: 'invalid_tag_value' as const, field: 'events[0].tags.x', message: 'bad' }];
  const deep = (levels: number, leaf: unknown = 'x') => {
    let value: unknown = leaf;
    for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { v: value };
    return value;
  };
  const cyclic: Record<string, unknown> = { id: 'c' };
  cyclic.self = cyclic;
  const hostile = fc.oneof(
    fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true }),
    fc.integer({ min: 1, max: 120_000 }).map((levels) => deep(levels)),
    fc.constantFrom<unknown>(cyclic, Symbol('s'), () => 1, 10n, undefined),
  );

  it('eventDeadLetter returns a row with a bounded payload for any value: deep nesting, cycles, BigInts, symbols, functions', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 0, max: 10_000 }), (raw, index) => {
        const row = eventDeadLetter(ctx, index, raw, reasons);
        expect(row.dead_letter_id).toBe(`m1#${index}`);
        expect(typeof row.raw_payload).toBe('string');
        expect(Buffer.byteLength(row.raw_payload)).toBeLessThanOrEqual(100_000);
        expect(JSON.parse(row.reasons)).toEqual(reasons);
      }),
      { numRuns: 300 },
    );
  });

  it('returns a row for exotic objects that throw when read or serialised: a revoked Proxy, a throwing getter, a throwing toJSON', () => {
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const throwingGetter = Object.defineProperty({}, 'id', { enumerable: true, get: () => { throw new Error('getter'); } });
    const throwingToJson = { toJSON: () => { throw new RangeError('toJSON'); } };
    for (const raw of [revoked, throwingGetter, throwingToJson]) {
      const row = eventDeadLetter(ctx, 3, raw, reasons);
      expect(row).toMatchObject({ dead_letter_id: 'm1#3', event_id: null });
      expect(row.raw_payload).toMatch(/^\[the event could not be serialised: /);
    }
  });

  it('keeps a value 6,000 levels deep as a description of why it could not be serialised', () => {
    const row = eventDeadLetter(ctx, 0, { id: 'e1', tags: { feature: deep(6_000) } }, reasons);
    expect(row.raw_payload).toMatch(/^\[the event could not be serialised: RangeError/);
    expect(row.event_id).toBe('e1');
  });

  it('messageDeadLetter and rawMessageText accept any bytes or text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ unit: 'binary' }), fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)) })), (data) => {
        const row = messageDeadLetter(ctx, data, reasons);
        expect(row.scope).toBe('message');
        expect(typeof rawMessageText(data)).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('stores only well-formed text, so the warehouse cannot refuse a dead letter: lone surrogates in reasons, ids and payloads become U+FFFD', () => {
    const row = messageDeadLetter({ messageId: 'm\ud800', receivedAtMs: 1, service: 's\udc00' }, 'raw\ud800', [{ code: 'invalid_unicode', field: 'events[0].tags.k\ud800', message: 'bad \udbff' }]);
    for (const text of [row.dead_letter_id, row.message_id ?? '', row.service ?? '', row.raw_payload, row.reasons]) {
      expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
      expect(text).not.toMatch(/\\ud[89ab]/i); // no escaped lone surrogate inside the JSON either
    }
  });

  it('does not copy an id that is personal data or not valid Unicode into the event_id column', () => {
    const pii = [{ code: 'personal_data' as const, field: 'events[0].id', message: 'looks like an e-mail address' }];
    expect(eventDeadLetter(ctx, 0, { id: 'jane@example.com' }, pii).event_id).toBeNull();
    expect(eventDeadLetter(ctx, 0, { id: 'id-\ud800' }, reasons).event_id).toBeNull();
    expect(eventDeadLetter(ctx, 0, { id: 'evt\u202e1' }, reasons).event_id).toBeNull();
    expect(eventDeadLetter(ctx, 0, { id: 'evt-1' }, reasons).event_id).toBe('evt-1');
  });

  it('serviceOf never parses a deeply nested message and never returns personal data', () => {
    expect(serviceOf('['.repeat(100_000) + ']'.repeat(100_000))).toBeNull();
    expect(serviceOf(JSON.stringify({ source: { service: 'jane@example.com' } }))).toBeNull();
    expect(serviceOf(JSON.stringify({ source: { service: 'chat' } }))).toBe('chat');
  });
});
