import { eventDeadLetter, messageDeadLetter, rawMessageText, truncateUtf8 } from '../../../ingest/dead-letters';

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
