import { CHANNELS, CHANNEL_IDS, type ObservabilityConfig } from '../shared';
import { VERSION } from '../shared/version';
import { json, type HttpRequest, type HttpResponse } from '../http/http';
import { checkInternalKey } from '../http/internal-auth';
import { overallStatus, runProbe, type ComponentHealth, type Probe } from './probes';

export interface NamedProbe {
  readonly name: string;
  readonly probe: Probe;
}

export interface InternalHealthBody {
  status: 'ok' | 'degraded' | 'error';
  version: string;
  timestamp: number;
  environment: string;
  components: ComponentHealth[];
}

/**
 * `GET /health/internal` (function `pack421_health_internal`). 401 without the right key (the
 * body never says which part was wrong, and never contains the key); otherwise every probe runs
 * concurrently under its own timeout and the overall status is the worst of them; 503 on `error`
 * so load balancers and uptime checks see it.
 */
export function createInternalHealthHandler(options: {
  config: Pick<ObservabilityConfig, 'internalHealthApiKey' | 'environment'>;
  probes: readonly NamedProbe[];
  clock?: () => number;
  probeTimeoutMs?: number;
}): (request: HttpRequest) => Promise<HttpResponse> {
  const clock = options.clock ?? Date.now;
  return async (request) => {
    const auth = checkInternalKey(request, options.config.internalHealthApiKey);
    if (!auth.ok) {
      const message = auth.reason === 'not_configured' ? 'internal health is disabled: INTERNAL_HEALTH_API_KEY is not set' : 'unauthorized';
      return json(401, { error: message }, { 'www-authenticate': 'X-Internal-Key' });
    }
    const components = await Promise.all(options.probes.map((p) => runProbe(p.name, p.probe, options.probeTimeoutMs, clock)));
    const status = overallStatus(components);
    const body: InternalHealthBody = { status, version: VERSION, timestamp: clock(), environment: options.config.environment, components };
    const headers: Record<string, string> = auth.via === 'query' ? { warning: '299 - "?key= is deprecated: send the X-Internal-Key header"' } : {};
    return json(status === 'error' ? 503 : 200, body, headers);
  };
}

/** Which notification channels have their variable set; the rest go to the outbox. */
export function channelsProbe(config: ObservabilityConfig): Probe {
  return () => {
    const values: Record<string, string | undefined> = {
      SLACK_ONCALL_WEBHOOK: config.slackOncallWebhook,
      SLACK_SAFETY_WEBHOOK: config.slackSafetyWebhook,
      PAGERDUTY_INTEGRATION_KEY: config.pagerdutyIntegrationKey,
      OPS_EMAIL: config.opsEmail && config.smtpUrl,
      FINANCE_EMAIL: config.financeEmail && config.smtpUrl,
    };
    const configured = CHANNEL_IDS.filter((id) => values[CHANNELS[id].env] !== undefined);
    const outbox = CHANNEL_IDS.filter((id) => !configured.includes(id));
    const detail = `configured: ${configured.join(', ') || 'none'}; to the outbox: ${outbox.join(', ') || 'none'}`;
    const paging = configured.includes('pagerduty');
    return Promise.resolve(config.environment === 'production' && !paging ? { status: 'degraded', detail: `${detail} — nobody can be paged` } : { status: 'ok', detail });
  };
}

/** Variables production cannot run without. Names only: values are never reported. */
export function environmentProbe(config: ObservabilityConfig): Probe {
  return () => {
    const required: Array<[string, unknown]> = [['INTERNAL_HEALTH_API_KEY', config.internalHealthApiKey]];
    if (config.provider === 'pubsub' || config.warehouse === 'bigquery') required.push(['GOOGLE_CLOUD_PROJECT', config.projectId]);
    if (config.environment === 'production') required.push(['OBSERVABILITY_PROVIDER=pubsub', config.provider === 'pubsub' ? 'ok' : undefined]);
    const missing = required.filter(([, v]) => v === undefined).map(([name]) => name);
    return Promise.resolve(missing.length > 0 ? { status: 'error', detail: `missing: ${missing.join(', ')}` } : { status: 'ok', detail: 'required variables present' });
  };
}
