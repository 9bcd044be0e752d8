import { createHash } from 'node:crypto';
import { computeSloStatuses } from '../aggregator/slo-job';
import type { AlertLog } from '../alerts/state/alert-log';
import { activeSlos } from '../shared/slo-catalogue';
import type { Warehouse } from '../sql/warehouse';
import { decideGate, type GateDecision, type GateRequest } from './gate-policy';

/** alert_log's entry_type of a recorded emergency (sql/tables.ts); rule_id is {@link GATE_LOG_RULE_ID}. */
export const GATE_LOG_ENTRY_TYPE = 'gate_emergency';
export const GATE_LOG_RULE_ID = 'slo-gate';

export interface GateDeps {
  readonly warehouse: Warehouse;
  /** Where emergencies are recorded: the warehouse's alert_log (its detail passes the redactor). */
  readonly log: AlertLog;
}

/**
 * Answers one gate request at `nowMs`: the budgets of the module's SLOs, computed by the SLO job's
 * own maths for that instant (aggregator/slo-job.ts, both SQL dialects), then the policy
 * (gate-policy.ts). Every emergency request is appended to alert_log (entry_type
 * `gate_emergency`, rule_id `slo-gate`, detail: module, reason, who, whether it overrode a deny and
 * the SLOs it overrode) before the answer is given: an override that cannot be recorded is not
 * granted (the error propagates, the caller answers 500 / exits non-zero).
 *
 * @param who the caller as the auth saw it (`gate-token`, an admin uid, `cli:<user>`); recorded.
 */
export async function answerGate(deps: GateDeps, request: GateRequest, nowMs: number, who: string): Promise<GateDecision> {
  const slos = activeSlos().filter((s) => s.module === request.module);
  const statuses = slos.length === 0 ? [] : await computeSloStatuses(deps.warehouse, nowMs, slos);
  const decision = decideGate(request, statuses, nowMs);
  if (request.emergency) {
    const exhausted = decision.slos.filter((s) => s.budgetRemaining !== null && s.budgetRemaining <= 0).map((s) => s.id);
    await deps.log.append([
      {
        logId: createHash('sha256').update(['gate', request.module, nowMs, who, request.reason ?? ''].join('\u0000')).digest('hex').slice(0, 32),
        loggedAtMs: nowMs,
        entryType: GATE_LOG_ENTRY_TYPE,
        fingerprint: `${GATE_LOG_RULE_ID}|${request.module}`,
        ruleId: GATE_LOG_RULE_ID,
        // alert_log requires a severity: the gate's record is an audit line, filed at the lowest tier.
        severity: 'P3',
        fromState: null,
        toState: null,
        channel: null,
        deliveryStatus: null,
        detail: { module: request.module, reason: request.reason ?? '', by: who, decision: decision.decision, override: decision.override, exhaustedSlos: exhausted },
      },
    ]);
  }
  return decision;
}
