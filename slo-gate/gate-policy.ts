import type { SloStatus } from '../aggregator/slo-status';
import type { SloHealth } from '../aggregator/slo-math';
import { MODULE_IDS, isModuleId, type ModuleId } from '../shared/modules';

/**
 * The release gate's error-budget policy (issue #16; docs/SLOS.md "Release gate"), pure:
 *
 * - **deny** while any SLO of the module has spent its error budget (remaining ≤ 0, the status
 *   `exhausted` of `obs slo status`);
 * - an SLO with **no data** (no events in its window) does not block: there is no evidence of
 *   unreliability, and a new module must be able to ship its first release. It is named in the
 *   reasons so a pipeline that expected data notices;
 * - a module **without SLOs** is allowed, and the reason says so;
 * - an **emergency** fix is allowed whatever the budgets, with a reason; when the budget would
 *   have denied it, the answer is an override (`override: true`) and is recorded (gate-service.ts).
 */

export type GateVerdict = 'allow' | 'deny';

/** One SLO of the module as the gate judged it. */
export interface GateSlo {
  readonly id: string;
  readonly name: string;
  /** Fraction of the error budget left (negative when overspent); null = no data. */
  readonly budgetRemaining: number | null;
  readonly status: SloHealth;
}

/** The gate's answer: the JSON body of GET /api/slo/gate and of `obs slo gate --json`. */
export interface GateDecision {
  readonly module: ModuleId;
  readonly decision: GateVerdict;
  /** Why, in sentences: every exhausted SLO, every SLO without data, the override. */
  readonly reasons: readonly string[];
  readonly slos: readonly GateSlo[];
  readonly emergency: boolean;
  /** True when an emergency turned a deny into an allow (recorded in alert_log). */
  readonly override: boolean;
  /** The emergency's reason as given (absent without an emergency). */
  readonly emergencyReason?: string;
  /** When the budgets were computed (ISO). */
  readonly at: string;
}

/** The longest emergency reason kept: it is stored and shown, not a document. */
export const MAX_REASON_CHARS = 500;

/** A request the gate cannot answer (unknown module, emergency without a reason): HTTP 400, CLI exit 64. */
export class GateRequestError extends Error {}

export interface GateRequest {
  readonly module: ModuleId;
  readonly emergency: boolean;
  readonly reason?: string;
}

/** Checks the raw inputs (query parameters, CLI flags); throws {@link GateRequestError} naming the problem. */
export function parseGateRequest(raw: { module: string | undefined; emergency?: string | boolean | undefined; reason?: string | undefined }): GateRequest {
  if (raw.module === undefined || raw.module === '') throw new GateRequestError(`module is required: one of ${MODULE_IDS.join(', ')}`);
  if (!isModuleId(raw.module)) throw new GateRequestError(`unknown module "${raw.module.slice(0, 64)}": one of ${MODULE_IDS.join(', ')}`);
  let emergency: boolean;
  if (raw.emergency === undefined || raw.emergency === false) emergency = false;
  else if (raw.emergency === true || raw.emergency === 'true' || raw.emergency === '1') emergency = true;
  else if (raw.emergency === 'false' || raw.emergency === '0') emergency = false;
  else throw new GateRequestError(`emergency must be true or false, not "${String(raw.emergency).slice(0, 16)}"`);
  const reason = raw.reason?.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (!emergency && reason) throw new GateRequestError('reason is only taken with emergency=true');
  if (emergency && !reason) throw new GateRequestError('an emergency needs a reason (what is being fixed), e.g. reason=hotfix for INC-42');
  if (reason && reason.length > MAX_REASON_CHARS) throw new GateRequestError(`reason is ${reason.length} characters; at most ${MAX_REASON_CHARS}`);
  return { module: raw.module, emergency, ...(reason ? { reason } : {}) };
}

const percent = (v: number) => `${Number((v * 100).toFixed(2))}%`;

/** The decision for `request` from the statuses of the module's SLOs. Pure. */
export function decideGate(request: GateRequest, statuses: readonly Pick<SloStatus, 'sloId' | 'name' | 'budget' | 'status'>[], atMs: number): GateDecision {
  const slos: GateSlo[] = statuses.map((s) => ({ id: s.sloId, name: s.name, budgetRemaining: s.budget.remaining, status: s.status }));
  const reasons: string[] = [];
  const exhausted = slos.filter((s) => s.budgetRemaining !== null && s.budgetRemaining <= 0);
  for (const s of exhausted) reasons.push(`${s.id}: error budget exhausted (${percent(s.budgetRemaining as number)} left)`);
  for (const s of slos.filter((x) => x.budgetRemaining === null)) reasons.push(`${s.id}: no data in its window; not judged`);
  if (slos.length === 0) reasons.push(`module ${request.module} has no SLOs; nothing to judge`);
  const budgetSays: GateVerdict = exhausted.length > 0 ? 'deny' : 'allow';
  const override = request.emergency && budgetSays === 'deny';
  if (override) reasons.push(`emergency override: ${request.reason ?? ''}`);
  else if (request.emergency) reasons.push(`emergency: ${request.reason ?? ''} (no budget is exhausted, so nothing was overridden)`);
  if (budgetSays === 'allow' && exhausted.length === 0 && slos.some((s) => s.budgetRemaining !== null)) reasons.unshift('every SLO with data has error budget left');
  return {
    module: request.module,
    decision: override ? 'allow' : budgetSays,
    reasons,
    slos,
    emergency: request.emergency,
    override,
    ...(request.reason ? { emergencyReason: request.reason } : {}),
    at: new Date(atMs).toISOString(),
  };
}
