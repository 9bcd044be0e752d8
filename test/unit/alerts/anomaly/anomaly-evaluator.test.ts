import { anomalyRanges } from '../../../../alerts/anomaly/anomaly-data';
import { anomalyNeed, evaluateAnomalyRule } from '../../../../alerts/anomaly/anomaly-evaluator';
import type { AnomalyMinuteRow } from '../../../../alerts/anomaly/anomaly-data';
import { anomalyRules } from '../../../../alerts/anomaly/anomaly-rules';
import { RuleDataSnapshot } from '../../../../alerts/evaluate/rule-data';

const END = Date.UTC(2026, 10, 23, 12, 0);
const MINUTE = 60_000;

/** A snapshot holding the given per-minute rows for the rule's read. */
function snapshotOf(rule: ReturnType<typeof anomalyRules>[number], rowAt: (minuteMs: number) => AnomalyMinuteRow | undefined): RuleDataSnapshot {
  const ranges = anomalyRanges(anomalyNeed(rule), END);
  const rows: AnomalyMinuteRow[] = [];
  for (const [from, to] of [...ranges.weeks, ranges.recent]) {
    for (let m = from; m < to; m += MINUTE) {
      const row = rowAt(m);
      if (row) rows.push(row);
    }
  }
  return new RuleDataSnapshot(END + 30_000).setAnomalyMinutes(anomalyNeed(rule), { endMs: END, rows });
}

describe('anomaly evaluator', () => {
  const wallet = anomalyRules().find((r) => r.id === 'wallet-spend-volume-anomaly')!;

  it('counts what a count metric counted (its values), not its calls: one event a minute carrying 200 spends', () => {
    const dropped = (m: number) => m >= END - 5 * MINUTE;
    const snapshot = snapshotOf(wallet, (m) => ({ seriesKey: 'feature=chat', minuteMs: m, eventCount: 1, valueSum: dropped(m) ? 40 : 200, lastValue: null }));
    const [observation] = evaluateAnomalyRule(wallet, snapshot);
    expect(observation).toMatchObject({ breaching: true, value: 40, detail: { baseline: 200, band: 'seasonal', weeksOfHistory: 4 } });
  });

  it('reads a minute without a rollup row of a covered range as zero spends: a silent minute is a drop', () => {
    const snapshot = snapshotOf(wallet, (m) => (m >= END - 5 * MINUTE ? undefined : { seriesKey: 'feature=chat', minuteMs: m, eventCount: 1, valueSum: 200, lastValue: null }));
    const [observation] = evaluateAnomalyRule(wallet, snapshot);
    expect(observation).toMatchObject({ breaching: true, value: 0 });
  });

  it('labels an instance with the rule, kind anomaly, and its group; a direction-down rule ignores a surge', () => {
    const surged = (m: number) => m >= END - 30 * MINUTE;
    const snapshot = snapshotOf(wallet, (m) => ({ seriesKey: 'feature=chat', minuteMs: m, eventCount: 1, valueSum: surged(m) ? 2_000 : 200, lastValue: null }));
    const [observation] = evaluateAnomalyRule(wallet, snapshot);
    expect(observation).toMatchObject({ breaching: false, value: 2_000, labels: { alertname: 'wallet-spend-volume-anomaly', kind: 'anomaly', severity: 'P2', module: 'wallet' } });
    expect(observation!.threshold).toBe((observation!.detail as { upper: number }).upper);
  });
});
