/**
 * Runs ONE job against a DuckDB file and prints its peak RSS, so each job's memory is measured in
 * a process of its own (process.resourceUsage().maxRSS is the process' peak, in KiB).
 * Usage: tsx job-process.ts <duckdb path> <rollup|slo|alerts> <now ms>
 * Prints one JSON line: {"job", "maxRssMb", "durationMs", "detail"}.
 */
import { dataNeeds, evaluateRules } from '../../../alerts/evaluate/evaluate-rules';
import { WarehouseRuleDataSource } from '../../../alerts/evaluate/warehouse-rule-data';
import { defaultAlertRules } from '../../../alerts/rules/rule-set';
import { runRollupJob } from '../../../aggregator/rollup-job';
import { runSloJob } from '../../../aggregator/slo-job';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';

async function main(): Promise<void> {
  const [path, job, nowText] = process.argv.slice(2);
  const nowMs = Number(nowText);
  const warehouse = await DuckDbWarehouse.open(path as string);
  const started = performance.now();
  let detail: unknown;
  try {
    if (job === 'rollup') {
      const r = await runRollupJob(warehouse, { nowMs });
      detail = { newEvents: r.newEvents, changedMinutes: r.changedMinutes };
    } else if (job === 'slo') {
      const r = await runSloJob(warehouse, { nowMs, write: true });
      detail = { slos: r.statuses.length, withData: r.statuses.filter((s) => s.status !== 'no_data').length };
    } else if (job === 'alerts') {
      const rules = defaultAlertRules();
      const snapshot = await new WarehouseRuleDataSource(warehouse).fetch(dataNeeds(rules), nowMs);
      const observations = evaluateRules(rules, snapshot);
      detail = { rules: rules.length, breaching: observations.filter((o) => o.breaching).map((o) => `${o.ruleId}${o.labels.metric ? `{${o.labels.metric}}` : ''}`) };
    } else {
      throw new Error(`unknown job ${String(job)}`);
    }
  } finally {
    await warehouse.close();
  }
  const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ job, maxRssMb, durationMs: Math.round(performance.now() - started), detail })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`job-process: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
