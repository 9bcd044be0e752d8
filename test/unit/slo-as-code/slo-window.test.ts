import { calendarMonthMs, sloWindowAt } from '../../../shared/slo-window';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const berlin = { windowDays: 30, calendar: { unit: 'month' as const, timeZone: 'Europe/Berlin' } };

describe('calendar-month SLO windows (luxon, in the SLO\'s time zone)', () => {
  it.each([
    ['March 2026 in Berlin starts at 23:00 UTC on 28 Feb and, with the switch to summer time on the 29th, lasts 743 hours', 'Europe/Berlin', '2026-03-31T12:00:00Z', '2026-02-28T23:00:00Z', 743],
    ['October 2026 in Berlin starts at 22:00 UTC on 30 Sep and, with the switch back on the 25th, lasts 745 hours', 'Europe/Berlin', '2026-10-15T00:00:00Z', '2026-09-30T22:00:00Z', 745],
    ['November 2026 in New York has the 1 November switch: 721 hours', 'America/New_York', '2026-11-20T00:00:00Z', '2026-11-01T04:00:00Z', 721],
    ['February 2026 in UTC has 28 days', 'UTC', '2026-02-14T00:00:00Z', '2026-02-01T00:00:00Z', 28 * 24],
    ['February 2028 in UTC has 29 days (a leap year)', 'UTC', '2028-02-29T23:59:00Z', '2028-02-01T00:00:00Z', 29 * 24],
    ['July 2026 in Kolkata (UTC+5:30) starts at 18:30 UTC on 30 June and has 31 days', 'Asia/Kolkata', '2026-07-01T00:00:00Z', '2026-06-30T18:30:00Z', 31 * 24],
  ])('%s', (_name, zone, now, start, hours) => {
    const month = calendarMonthMs(at(now), zone);
    expect(new Date(month.startMs).toISOString()).toBe(new Date(at(start)).toISOString());
    expect((month.endMs - month.startMs) / HOUR).toBe(hours);
  });

  it('the window so far runs from the 1st, 00:00 local, to now; its budget length is the whole month', () => {
    const w = sloWindowAt(berlin, at('2026-03-31T12:00:00Z'));
    expect(w).toEqual({ label: 'month_europe_berlin', startMs: at('2026-02-28T23:00:00Z'), endMs: at('2026-03-31T12:00:00Z'), lengthDays: 743 / 24 });
  });

  it('at midnight on the 1st, local time, a new month begins with an empty window (the old month\'s events no longer count)', () => {
    // 1 April 2026 00:00 in Berlin (summer time) is 31 March 22:00 UTC.
    const w = sloWindowAt(berlin, at('2026-03-31T22:00:00Z'));
    expect(w.startMs).toBe(at('2026-03-31T22:00:00Z'));
    expect(w.lengthDays).toBe(30); // April: 720 hours
    // A minute earlier it was still March.
    expect(sloWindowAt(berlin, at('2026-03-31T21:59:00Z')).startMs).toBe(at('2026-02-28T23:00:00Z'));
  });

  it('a rolling window is the last windowDays, whatever the date', () => {
    expect(sloWindowAt({ windowDays: 28 }, at('2026-03-31T12:00:00Z'))).toEqual({ label: '28d', startMs: at('2026-03-03T12:00:00Z'), endMs: at('2026-03-31T12:00:00Z'), lengthDays: 28 });
  });
});
