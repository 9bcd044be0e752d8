import { BURN_RATE_TABLE, BURN_RATE_TABLE_SOURCE, BURN_RATE_TABLE_SLO_DAYS } from '../../../alerts/rules/burn-rate-windows';
import { burnFactor, burnRateRules } from '../../../alerts/rules/burn-rate-rules';
import { defaultAlertRules } from '../../../alerts/rules/rule-set';
import { ALERT_RULES } from '../../../shared/alert-rules';
import { SLOS, type SloSpec } from '../../../shared/slo-catalogue';

describe('SLO burn-rate rules (SRE Workbook ch. 5, table 5-8)', () => {
  it('the table cites its source', () => {
    expect(BURN_RATE_TABLE_SOURCE).toMatch(/Site Reliability Workbook.*ch\. 5.*table 5-8/);
  });

  it.each(BURN_RATE_TABLE.map((row) => [row.tier, row.longWindow, row.shortWindow, row.factorAt30Days, row] as const))(
    'the %s row %s AND %s derives the Workbook factor %s× for a 30-day SLO',
    (_tier, _long, _short, factor, row) => {
      expect(burnFactor(row, BURN_RATE_TABLE_SLO_DAYS)).toBe(factor);
    },
  );

  it('pages at 14.4× over 1h AND 5m and at 6× over 6h AND 30m; tickets at 3× over 1d AND 2h and 1× over 3d AND 6h', () => {
    const rules = burnRateRules([SLOS.find((s) => s.id === 'wallet-spend-success') as SloSpec]);
    expect(rules.map((r) => [r.tier, r.severity, r.windows.map((w) => [w.longWindow, w.shortWindow, w.factor])])).toEqual([
      ['page', 'P1', [['1h', '5m', 14.4], ['6h', '30m', 6]]],
      ['ticket', 'P3', [['1d', '2h', 3], ['3d', '6h', 1]]],
    ]);
  });

  it('scales the factors with the SLO window: a 7-day SLO pages at 3.36× over 1h', () => {
    const weekly: SloSpec = { ...(SLOS[0] as SloSpec), id: 'weekly', windowDays: 7 };
    const [page] = burnRateRules([weekly]);
    expect(page!.windows.map((w) => w.factor)).toEqual([3.36, 1.4]);
  });

  it('generates a page and a ticket rule for every SLO, with unique ids next to the threshold rules', () => {
    const rules = defaultAlertRules();
    expect(rules.filter((r) => r.kind === 'slo_burn')).toHaveLength(SLOS.length * 2);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(rules.filter((r) => r.kind === 'threshold')).toHaveLength(ALERT_RULES.length);
  });
});
