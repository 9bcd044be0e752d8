import { PIPELINE_ALERT_RULES, type Comparator, type PipelineCheck, type PipelineRule } from '../../shared/alert-rules';
import type { PipelineAlertRule } from '../model/alert-rule';

/** How a check's value reads: "12 min >= 10 min", "2.5 % > 1 %", "0 <= 0". */
function display(check: PipelineCheck): { comparator: Comparator; threshold: number; unit: string } {
  switch (check.type) {
    case 'job-stale':
      return { comparator: '>', threshold: check.maxAgeSeconds / 60, unit: 'min' };
    case 'dead-letter-ratio':
      return { comparator: '>', threshold: check.maxPercent, unit: '%' };
    case 'module-absent':
      return { comparator: '<=', threshold: 0, unit: 'events' };
    case 'channel-failing':
      return { comparator: '>=', threshold: check.failingForSeconds / 60, unit: 'min' };
  }
}

/**
 * The catalogue's pipeline rules (shared/alert-rules.ts) as alert rules. Bad configuration fails
 * here, at start-up, with the rule named.
 */
export function pipelineRules(source: readonly PipelineRule[] = PIPELINE_ALERT_RULES): PipelineAlertRule[] {
  return source.map((rule) => {
    const problem = checkRule(rule);
    if (problem) throw new Error(`alert rule ${rule.id}: ${problem}`);
    return {
      kind: 'pipeline',
      id: rule.id,
      name: rule.name,
      severity: rule.severity,
      module: rule.module,
      check: rule.check,
      ...display(rule.check),
      forSeconds: rule.forSeconds,
      keepFiringForSeconds: rule.keepFiringForSeconds,
      summary: rule.summary,
      runbook: rule.runbook,
    };
  });
}

const wholeMinutes = (seconds: number) => Number.isInteger(seconds / 60) && seconds > 0;

function checkRule(rule: PipelineRule): string | undefined {
  if (rule.forSeconds < 0 || rule.keepFiringForSeconds < 0) return 'forSeconds and keepFiringForSeconds must not be negative';
  const check = rule.check;
  switch (check.type) {
    case 'job-stale':
      return check.maxAgeSeconds > 0 ? undefined : 'maxAgeSeconds must be positive';
    case 'dead-letter-ratio':
      if (!wholeMinutes(check.windowSeconds)) return `windowSeconds must be a positive multiple of 60, got ${check.windowSeconds}`;
      if (!(check.maxPercent > 0 && check.maxPercent < 100)) return `maxPercent must be between 0 and 100, got ${check.maxPercent}`;
      return check.minMessages >= 1 ? undefined : 'minMessages must be at least 1';
    case 'module-absent':
      // The silent window is read from the 1-minute rollups, the active days from the day rollups.
      if (!wholeMinutes(check.silentSeconds)) return `silentSeconds must be a positive multiple of 60 (rollups are 1-minute windows), got ${check.silentSeconds}`;
      if (!Number.isInteger(check.activeDays) || check.activeDays < 1 || check.activeDays > 30) return `activeDays must be a whole number of days from 1 to 30, got ${check.activeDays}`;
      return Number.isInteger(check.maxSilentDays) && check.maxSilentDays >= 0 ? undefined : `maxSilentDays must be a whole number of days, got ${check.maxSilentDays}`;
    case 'channel-failing':
      if (!(check.failingForSeconds > 0)) return 'failingForSeconds must be positive';
      return check.lookbackSeconds > check.failingForSeconds ? undefined : 'lookbackSeconds must be longer than failingForSeconds';
  }
}
