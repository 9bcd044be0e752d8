import { buildMonthlyReport } from '../../../aggregator/slo-report';
import { reportMarkdown } from '../../../aggregator/slo-report-format';
import { incidentEntry, incidentIdOf, type IncidentEntry } from '../../../incidents/incident';
import { WarehouseIncidentStore } from '../../../incidents/warehouse-incident-store';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';

const MIN = 60_000;
const NOV = Date.UTC(2026, 10, 1);

/** An incident of `module` at `severity` opened at `openedMs`, acknowledged and resolved after the given minutes (null: not). */
function incident(module: string, severity: string, openedMs: number, ackAfterMin: number | null, resolveAfterMin: number | null): IncidentEntry[] {
  const id = incidentIdOf(`module=${module}`, openedMs);
  const entries = [
    incidentEntry(id, 'opened', openedMs, { groupKey: `module=${module}`, module, severity }),
    incidentEntry(id, 'alert_fired', openedMs, { fingerprint: `${module}-r`, ruleId: `${module}-r`, severity, name: 'r', episodeStartMs: openedMs }, 'a'),
  ];
  if (ackAfterMin !== null) entries.push(incidentEntry(id, 'acknowledged', openedMs + ackAfterMin * MIN, { by: 'dana', via: 'pagerduty' }, 'k'));
  if (resolveAfterMin !== null) entries.push(incidentEntry(id, 'resolved', openedMs + resolveAfterMin * MIN, { by: 'alerts', via: 'alerts' }, 'alerts'));
  return entries;
}

/** `obs slo report --month`: MTTA and MTTR of the month's incidents per tier and module, from the incident table. */
describe('the monthly report\'s incidents (issue #16)', () => {
  it('counts the incidents opened in the month and averages their times to acknowledge and to resolve, per tier and per module', async () => {
    const warehouse = await DuckDbWarehouse.open(':memory:');
    try {
      await warehouse.createSchema();
      await new WarehouseIncidentStore(warehouse).append([
        ...incident('wallet', 'P0', NOV + 86_400_000, 4, 40), // ack 4 min, resolved 40 min
        ...incident('wallet', 'P0', NOV + 10 * 86_400_000, 8, 20), // ack 8, resolved 20
        ...incident('calls', 'P1', NOV + 12 * 86_400_000, null, 90), // never acknowledged, resolved 90
        ...incident('chat', 'P2', NOV + 20 * 86_400_000, 30, null), // still open
        ...incident('chat', 'P0', NOV - 86_400_000, 1, 5), // October: not in November's report
      ]);
      const report = await buildMonthlyReport(warehouse, '2026-11', undefined, { maintenance: null });
      expect(report.incidents).toEqual({
        incidents: 4,
        acknowledged: 3,
        resolved: 3,
        mttaMs: ((4 + 8 + 30) / 3) * MIN,
        mttrMs: ((40 + 20 + 90) / 3) * MIN,
        byTier: [
          { tier: 'P0', incidents: 2, acknowledged: 2, resolved: 2, mttaMs: 6 * MIN, mttrMs: 30 * MIN },
          { tier: 'P1', incidents: 1, acknowledged: 0, resolved: 1, mttaMs: null, mttrMs: 90 * MIN },
          { tier: 'P2', incidents: 1, acknowledged: 1, resolved: 0, mttaMs: 30 * MIN, mttrMs: null },
        ],
        byModule: [
          { module: 'calls', incidents: 1, acknowledged: 0, resolved: 1, mttaMs: null, mttrMs: 90 * MIN },
          { module: 'chat', incidents: 1, acknowledged: 1, resolved: 0, mttaMs: 30 * MIN, mttrMs: null },
          { module: 'wallet', incidents: 2, acknowledged: 2, resolved: 2, mttaMs: 6 * MIN, mttrMs: 30 * MIN },
        ],
      });
      const md = reportMarkdown(report);
      expect(md).toContain('## Incidents: time to acknowledge and to resolve');
      expect(md).toContain('| tier P0 | 2 | 2 | 6.0 min | 2 | 30.0 min |');
      expect(md).toContain('| tier P1 | 1 | 0 | — | 1 | 1.5 h |');
      expect(md).toContain('| module wallet | 2 | 2 | 6.0 min | 2 | 30.0 min |');
      const empty = reportMarkdown(await buildMonthlyReport(warehouse, '2026-09', undefined, { maintenance: null }));
      expect(empty).toContain('No incident opened in the month.');
    } finally {
      await warehouse.close();
    }
  });
});
