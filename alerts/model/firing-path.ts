import type { AlertInstance, FiringPath } from './alert-instance';

/**
 * Which path fired an instance's current episode (firing) or its last one (resolved), as
 * `obs alerts list` and the dashboard show it (issue #15). Null for pending and inactive
 * instances: they have no episode of their own, and a `firedBy` they still carry belongs to an
 * earlier one.
 *
 * An instance written before the path was recorded has no `firedBy`: it was fired by the
 * scheduled evaluator, the only path there was, so it reads `scheduled` (as
 * `EvaluationReport.firing[].firedBy` does).
 */
export function firingPathOf(instance: Pick<AlertInstance, 'state' | 'firedBy'>): FiringPath | null {
  if (instance.state !== 'firing' && instance.state !== 'resolved') return null;
  return instance.firedBy ?? 'scheduled';
}
