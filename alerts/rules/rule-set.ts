import { anomalyRules } from '../anomaly/anomaly-rules';
import type { AlertRule } from '../model/alert-rule';
import { burnRateRules } from './burn-rate-rules';
import { forecastRules } from './forecast-rules';
import { pipelineRules } from './pipeline-rules';
import { thresholdRules } from './threshold-rules';

/** Every rule the evaluator runs: the catalogue's threshold rules, the generated SLO burn-rate and budget-forecast rules, then the pipeline's own rules, then the anomaly rules (alerts/anomaly/anomaly-rules.ts). */
export function defaultAlertRules(): AlertRule[] {
  const rules: AlertRule[] = [...thresholdRules(), ...burnRateRules(), ...forecastRules(), ...pipelineRules(), ...anomalyRules()];
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.id)) throw new Error(`two alert rules share the id ${rule.id}`);
    seen.add(rule.id);
  }
  return rules;
}
