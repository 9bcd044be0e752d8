import { runProbe, type ComponentStatus, type Probe } from '../../health/probes';

/**
 * One line of `obs doctor`: what was checked, how it stands, and a sentence that never carries a
 * secret. `skip` is a check that does not apply to this configuration (Pub/Sub when nothing
 * publishes to it) and is not a problem; `warn` and `fail` make the exit status 1 (cli/commands/doctor.ts).
 */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

/** A probe that reaches another system gets this long (longer than the health endpoint's 1.5 s: a person is waiting, not a load balancer). */
export const DOCTOR_PROBE_TIMEOUT_MS = 5_000;

const FROM_PROBE: Record<ComponentStatus, CheckStatus> = { ok: 'ok', degraded: 'warn', error: 'fail', skipped: 'skip' };

/** The health probe's status in doctor's words: degraded → warn, error → fail, skipped → skip. */
export function checkStatusOf(status: ComponentStatus): CheckStatus {
  return FROM_PROBE[status];
}

/** Runs one of the health probes (health/) under a timeout, as a doctor check. Never throws. */
export async function probeCheck(name: string, probe: Probe, clock: () => number, timeoutMs = DOCTOR_PROBE_TIMEOUT_MS): Promise<CheckResult> {
  const health = await runProbe(name, probe, timeoutMs, clock);
  return { name, status: checkStatusOf(health.status), detail: health.detail ?? health.status };
}

export function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
