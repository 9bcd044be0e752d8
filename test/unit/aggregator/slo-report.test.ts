import { monthlyReportFromSums, worstDays, type DayResult } from '../../../aggregator/slo-report';
import type { SelectorSlotSums } from '../../../aggregator/slo-sli';
import { reportCsv, reportMarkdown } from '../../../aggregator/slo-report-format';
import { getSlo } from '../../../shared/slo-catalogue';

const day = (d: string, good: number, total: number): DayResult => ({ day: d, goodEvents: good, totalEvents: total, badEvents: total - good, attainment: total ? good / total : null, budgetShare: null });

describe('the monthly report', () => {
  it('ranks the worst days by budget spent, so a quiet night does not outrank a bad day', () => {
    const days = [day('2026-11-01', 1, 3), day('2026-11-02', 98_000, 100_000), day('2026-11-03', 0, 0), day('2026-11-04', 99_990, 100_000), day('2026-11-05', 100, 100)];
    expect(worstDays(days).map((d) => d.day)).toEqual(['2026-11-02', '2026-11-04', '2026-11-01']);
  });

  it('computes the month from per-day selector sums, with budget minutes over the month\'s real length', () => {
    // Core-tier requests: 9,990 good + 10 failed on Feb 3, 10,000 good on Feb 10 (the sums SQL
    // returns per selector: `tier=core` for the total, `tier=core, status_class=5xx` for the bad).
    const coreSli = getSlo('core-api-availability')!.sli;
    const sums: SelectorSlotSums[] = [
      { selector: coreSli.total[0]!, events: { '2026-02-03': 11 }, values: { '2026-02-03': 10_000, '2026-02-10': 10_000 } },
      { selector: coreSli.bad![0]!, events: { '2026-02-03': 1 }, values: { '2026-02-03': 10 } },
    ];
    const report = monthlyReportFromSums('2026-02', sums, [getSlo('core-api-availability')!, getSlo('wallet-spend-success')!]);
    const [core, wallet] = report.slos;
    expect(core).toMatchObject({ goodEvents: 19_990, totalEvents: 20_000, badEvents: 10, met: true, daysWithData: 2 });
    expect(core!.budgetUsed).toBeCloseTo(0.5, 9);
    expect(core!.budgetMinutes).toBeCloseTo(0.001 * 28 * 1440, 9); // February: 40.32 minutes
    expect(core!.worstDays.map((d) => [d.day, d.badEvents])).toEqual([['2026-02-03', 10]]);
    expect(core!.days).toHaveLength(28);
    expect(wallet).toMatchObject({ attainment: null, met: null, budgetUsed: null, totalEvents: 0, worstDays: [] });
    expect(reportMarkdown(report)).toContain('| Wallet spend success (`wallet-spend-success`) | 99.950% | no data | no data | no data |');
    const csv = reportCsv(report).split('\r\n');
    expect(csv[2]).toBe('2026-02,wallet-spend-success,Wallet spend success,success_rate,0.9995,0,0,0,,,0,,,,0,');
  });
});
