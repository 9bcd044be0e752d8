import { describeRecurrence, expandRecurrence, parseRecurrence, type Recurrence } from '../../../maintenance/recurrence';

const H = 3_600_000;
const D = 24 * H;
const ms = (iso: string) => Date.parse(iso);
const isoSpans = (spans: Array<{ startMs: number; endMs: number }>) => spans.map((s) => `${new Date(s.startMs).toISOString()}/${new Date(s.endMs).toISOString()}`);
const always = { fromMs: 0, untilMs: null };

describe('recurrence flags', () => {
  it('a weekly window on Sundays at 02:00 Berlin time for 2 hours', () => {
    const r = parseRecurrence({ every: 'weekly', on: 'sun', time: '02:00', durationSeconds: 7200, tz: 'Europe/Berlin' });
    expect(r).toEqual({ every: 'weekly', on: ['sun'], time: '02:00', durationMinutes: 120, timeZone: 'Europe/Berlin' });
    expect(describeRecurrence(r)).toBe('weekly on sun at 02:00 Europe/Berlin for 2h');
  });

  it('weekdays in any case, full names, any order, repeated: kept once, Monday first; the time zone defaults to UTC', () => {
    expect(parseRecurrence({ every: 'weekly', on: 'Sunday,MON,sun', time: '7:05', durationSeconds: 5400 })).toEqual({ every: 'weekly', on: ['mon', 'sun'], time: '07:05', durationMinutes: 90, timeZone: 'UTC' });
    expect(describeRecurrence(parseRecurrence({ every: 'daily', time: '23:30', durationSeconds: 1800 }))).toBe('daily at 23:30 UTC for 30m');
  });

  it.each([
    [{ every: 'monthly', time: '02:00', durationSeconds: 3600 }, /--every must be daily or weekly, not "monthly"/],
    [{ every: 'weekly', time: '02:00', durationSeconds: 3600 }, /--every weekly needs --on/],
    [{ every: 'weekly', on: 'sun,funday', time: '02:00', durationSeconds: 3600 }, /--on: "funday" is not a weekday/],
    [{ every: 'daily', on: 'sun', time: '02:00', durationSeconds: 3600 }, /--on goes with --every weekly/],
    [{ every: 'daily', time: '25:00', durationSeconds: 3600 }, /--time must be .* HH:MM/],
    [{ every: 'daily', time: '02:00' }, /--for is required/],
    [{ every: 'daily', time: '02:00', durationSeconds: 30 }, /--for must be whole minutes/],
    [{ every: 'daily', time: '02:00', durationSeconds: 25 * 3600 }, /a daily window lasts at most 24h/],
    [{ every: 'weekly', on: 'sun', time: '02:00', durationSeconds: 8 * 86400 }, /a weekly window lasts at most 7d/],
    [{ every: 'daily', time: '02:00', durationSeconds: 3600, tz: 'Mars/Olympus' }, /--tz: "Mars\/Olympus" is not an IANA time zone/],
  ])('refuses bad flags with a message naming the flag (%#)', (flags, message) => {
    expect(() => parseRecurrence(flags)).toThrow(message);
  });
});

describe('expanding a recurrence into occurrences', () => {
  const sundayBerlin: Recurrence = { every: 'weekly', on: ['sun'], time: '02:00', durationMinutes: 120, timeZone: 'Europe/Berlin' };

  it('a weekly window at a local time follows daylight saving: 01:00Z in winter, 00:00Z in summer', () => {
    // 2026-03-29 is the spring-forward Sunday in Europe; 2026-03-22 the Sunday before.
    const spans = expandRecurrence(sundayBerlin, { fromMs: ms('2026-03-20T00:00:00Z'), toMs: ms('2026-04-06T00:00:00Z') }, always);
    expect(isoSpans(spans)).toEqual([
      '2026-03-22T01:00:00.000Z/2026-03-22T03:00:00.000Z',
      // 02:00 does not exist on 2026-03-29 in Berlin (02:00 → 03:00): it starts when the jump ends, 03:00 CEST.
      '2026-03-29T01:00:00.000Z/2026-03-29T03:00:00.000Z',
      '2026-04-05T00:00:00.000Z/2026-04-05T02:00:00.000Z',
    ]);
  });

  it('a time that happens twice (clocks go back) starts at the second one', () => {
    const r: Recurrence = { ...sundayBerlin, time: '02:30', durationMinutes: 30 };
    // 2026-10-25: 02:30 CEST (00:30Z) and 02:30 CET (01:30Z).
    expect(isoSpans(expandRecurrence(r, { fromMs: ms('2026-10-24T00:00:00Z'), toMs: ms('2026-10-26T00:00:00Z') }, always))).toEqual(['2026-10-25T01:30:00.000Z/2026-10-25T02:00:00.000Z']);
  });

  it('an occurrence that started before the range and is still running is included; one that ended at its start is not', () => {
    const daily: Recurrence = { every: 'daily', on: [], time: '23:00', durationMinutes: 120, timeZone: 'UTC' };
    expect(isoSpans(expandRecurrence(daily, { fromMs: ms('2026-11-28T00:30:00Z'), toMs: ms('2026-11-28T01:00:00Z') }, always))).toEqual(['2026-11-27T23:00:00.000Z/2026-11-28T01:00:00.000Z']);
    expect(expandRecurrence(daily, { fromMs: ms('2026-11-28T01:00:00Z'), toMs: ms('2026-11-28T02:00:00Z') }, always)).toEqual([]);
  });

  it('only occurrences that start from the window\'s first instant and before its end', () => {
    const daily: Recurrence = { every: 'daily', on: [], time: '12:00', durationMinutes: 60, timeZone: 'UTC' };
    const spans = expandRecurrence(daily, { fromMs: ms('2026-11-01T00:00:00Z'), toMs: ms('2026-12-01T00:00:00Z') }, { fromMs: ms('2026-11-10T12:00:00Z'), untilMs: ms('2026-11-13T12:00:00Z') });
    expect(isoSpans(spans)).toEqual(['2026-11-10T12:00:00.000Z/2026-11-10T13:00:00.000Z', '2026-11-11T12:00:00.000Z/2026-11-11T13:00:00.000Z', '2026-11-12T12:00:00.000Z/2026-11-12T13:00:00.000Z']);
  });

  it('thirty days of a daily window are thirty occurrences, several weekdays a week each', () => {
    const daily: Recurrence = { every: 'daily', on: [], time: '03:15', durationMinutes: 15, timeZone: 'America/New_York' };
    expect(expandRecurrence(daily, { fromMs: ms('2026-11-01T12:00:00Z'), toMs: ms('2026-11-01T12:00:00Z') + 30 * D }, always)).toHaveLength(30);
    const twice: Recurrence = { every: 'weekly', on: ['mon', 'thu'], time: '03:15', durationMinutes: 15, timeZone: 'Asia/Tokyo' };
    const spans = expandRecurrence(twice, { fromMs: ms('2026-11-02T00:00:00Z'), toMs: ms('2026-11-16T00:00:00Z') }, always);
    // Monday 2 Nov 03:15 in Tokyo is 1 Nov 18:15Z, before the range; Monday 16 Nov 03:15 is 15 Nov 18:15Z, inside it.
    expect(spans.map((s) => new Date(s.startMs + 9 * H).getUTCDay())).toEqual([4, 1, 4, 1]);
  });

  it('refuses to expand over centuries', () => {
    expect(() => expandRecurrence(sundayBerlin, { fromMs: 0, toMs: 4_000 * D }, always)).toThrow(/at most 3700 days/);
  });
});
