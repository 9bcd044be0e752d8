import { heartbeatTarget, sendHeartbeat } from '../../alerts/run/heartbeat';
import { channelsProbe } from '../../health/internal-health';
import { ConfigError, loadConfig, type ObservabilityConfig } from '../../shared/config';
import { probeCheck, type CheckResult } from './check';

/** loadConfig on the environment: the config, and the check line saying what was read or which variable is wrong. */
export function configCheck(env: Readonly<Record<string, string | undefined>>): { check: CheckResult; config?: ObservabilityConfig } {
  let config: ObservabilityConfig;
  try {
    config = loadConfig(env);
  } catch (error) {
    // A ConfigError names the variable and never carries a secret's value (shared/config.ts).
    const detail = error instanceof ConfigError ? error.message : `could not read the configuration: ${String(error)}`;
    return { check: { name: 'config', status: 'fail', detail } };
  }
  const warehouse = config.warehouse === 'duckdb' ? `duckdb ${config.duckdbPath}` : `bigquery ${config.bigqueryDataset}`;
  const detail = `environment ${config.environment}, warehouse ${warehouse}, provider ${config.provider}${config.projectId ? `, project ${config.projectId}` : ''}`;
  return { check: { name: 'config', status: 'ok', detail }, config };
}

const isProduction = (config: ObservabilityConfig) => config.environment === 'production';

/**
 * Which channels are set (names, never values): health's channelsProbe, which warns in production
 * when nobody can be paged (no PAGERDUTY_INTEGRATION_KEY). Outside production an unset channel
 * goes to the local outbox, which is how the local stack is meant to run.
 */
export async function channelsCheck(config: ObservabilityConfig, clock: () => number): Promise<CheckResult> {
  const check = await probeCheck('channels', channelsProbe(config), clock);
  const set = (value: unknown) => (value === undefined ? 'unset' : 'set');
  const variables = `Slack on-call ${set(config.slackOncallWebhook)}, Slack safety ${set(config.slackSafetyWebhook)}, PagerDuty ${set(config.pagerdutyIntegrationKey)}, SMTP ${set(config.smtpUrl)}`;
  return { ...check, detail: `${variables}; ${check.detail}` };
}

/**
 * OBS_HEARTBEAT_URL (the dead man's switch): set or not, warning when unset in production, where
 * nothing outside would notice the evaluator stop. With `ping`, sends one real ping and reports
 * the answer. Only the URL's host is printed.
 */
export async function heartbeatCheck(config: ObservabilityConfig, ping: boolean): Promise<CheckResult> {
  const name = 'heartbeat';
  if (!config.heartbeatUrl) {
    return isProduction(config)
      ? { name, status: 'warn', detail: 'OBS_HEARTBEAT_URL unset in production: nothing outside pages when the alert evaluator stops (docs/OPERATIONS.md, "Dead man\'s switch")' }
      : { name, status: 'ok', detail: `OBS_HEARTBEAT_URL unset (fine outside production; environment ${config.environment})` };
  }
  const target = heartbeatTarget(config.heartbeatUrl);
  if (!ping) return { name, status: 'ok', detail: `OBS_HEARTBEAT_URL set (host ${target}); --ping sends a test ping` };
  const result = await sendHeartbeat(config.heartbeatUrl);
  return result.ok
    ? { name, status: 'ok', detail: `OBS_HEARTBEAT_URL set (host ${target}); test ping answered HTTP ${result.status}` }
    : { name, status: 'fail', detail: `OBS_HEARTBEAT_URL set (host ${target}); test ping failed: ${result.reason}` };
}
