import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { LocalApp } from '../../app/local';
import { WarehouseAlertLog } from '../../alerts/state/alert-log';
import { GateRequestError, parseGateRequest, type GateDecision } from '../../slo-gate/gate-policy';
import { answerGate } from '../../slo-gate/gate-service';
import { MODULE_IDS } from '../../shared/modules';
import { AT_OPTION, EXIT, formatHelp, JSON_OPTION, type CommandIo } from '../command';
import { nowFrom, usageOnError, UsageError, withWarehouse } from './aggregate';

/** `obs slo gate --help`. */
export function gateHelp(): string {
  return formatHelp({
    usage: 'obs slo gate --module MODULE [--emergency --reason TEXT] [--at ISO] [--json]',
    description:
      'The release gate: allow or deny a deploy of MODULE by the error-budget policy — deny while any of its SLOs has spent its error budget (remaining ≤ 0); SLOs without data do not block. An emergency fix is allowed with a reason, reported as an override and recorded in alert_log. The same answer as GET /api/slo/gate (docs/SLOS.md "Release gate").',
    options: [
      { flag: '--module MODULE', text: `the module to deploy (required): ${MODULE_IDS.join(', ')}` },
      { flag: '--emergency', text: 'an emergency fix: allowed whatever the budgets (needs --reason)', default: 'off' },
      { flag: '--reason TEXT', text: `what the emergency fixes (recorded; at most 500 characters)` },
      AT_OPTION,
      JSON_OPTION,
    ],
    notes: 'Exit 0 allow, 3 deny, 64 bad usage (an unknown module names the valid ones).',
    examples: ['obs slo gate --module wallet', 'obs slo gate --module wallet --emergency --reason "hotfix for the spend outage" --json'],
  });
}

function describe(d: GateDecision): string {
  const head = `${d.decision === 'allow' ? 'ALLOW' : 'DENY'} deploy of ${d.module}${d.override ? ' (emergency override, recorded)' : ''}`;
  const slos = d.slos.map((s) => `  ${s.id.padEnd(28)} ${s.budgetRemaining === null ? 'no data'.padStart(9) : `${(s.budgetRemaining * 100).toFixed(1)}%`.padStart(9)} left  ${s.status}`);
  return [head, ...d.reasons.map((r) => `- ${r}`), ...(slos.length > 0 ? ['SLOs (error budget left, status):', ...slos] : [])].join('\n');
}

/** `obs slo gate`: exit 0 allow, {@link EXIT.DENIED} deny. Runs through the stack when one runs (like `obs slo status`). */
export async function gateCommand(args: string[], io: CommandIo, app: LocalApp): Promise<number> {
  const { values } = usageOnError(() =>
    parseArgs({ args, options: { module: { type: 'string' }, emergency: { type: 'boolean' }, reason: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' } } }),
  );
  let request;
  try {
    request = parseGateRequest({ module: values.module, emergency: values.emergency, reason: values.reason });
  } catch (error) {
    if (error instanceof GateRequestError) throw new UsageError(error.message.replace(/^module is required/, '--module is required').replace(/^an emergency needs a reason/, '--emergency needs --reason').replace(/^reason is only taken with emergency=true/, '--reason is only taken with --emergency'));
    throw error;
  }
  const nowMs = nowFrom(values.at, app.clock);
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the record says "unknown".
  }
  const decision = await withWarehouse(app, (warehouse) => answerGate({ warehouse, log: new WarehouseAlertLog(warehouse, app.redactor) }, request, nowMs, `cli:${user}`));
  io.out(values.json ? JSON.stringify(decision, null, 2) : describe(decision));
  return decision.decision === 'allow' ? EXIT.OK : EXIT.DENIED;
}
