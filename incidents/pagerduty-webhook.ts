import { createHmac, timingSafeEqual } from 'node:crypto';
import { dedupKeyOf } from '../alerts/notifiers/pagerduty/pagerduty-event';
import { json, methodNotAllowed, readBody, type HttpRequest, type HttpResponse } from '../http/http';
import type { Logger } from '../shared/logger';
import type { Incident } from './incident';
import { acknowledgeIncident, resolveIncident } from './incident-actions';
import type { IncidentStore } from './incident-store';

export const PAGERDUTY_WEBHOOK_PATH = '/webhooks/pagerduty';

/** A v3 webhook body is a few kilobytes; anything over this is refused (413) before it is verified. */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

/** How far back an incident is looked for by its PagerDuty incident_key. */
const MATCH_LOOKBACK_MS = 30 * 86_400_000;

/** The events that change an incident; every other event type (and `pagey.ping`) is answered 200 and ignored. */
const HANDLED = new Set(['incident.acknowledged', 'incident.resolved']);

/**
 * PagerDuty's v3 webhook signature check (developer.pagerduty.com, "Verifying Signatures"):
 * `X-PagerDuty-Signature` holds one or more comma-separated `v1=<hex>` values, each the
 * HMAC-SHA256 of the raw request body with the subscription's signing secret (several during a
 * secret rotation). The request is genuine when one of them matches; compared in constant time.
 */
export function verifyPagerDutySignature(rawBody: string, header: string | undefined, secret: string): boolean {
  if (!header || !secret) return false;
  const expected = createHmac('sha256', secret).update(Buffer.from(rawBody, 'utf8')).digest();
  let ok = false;
  for (const part of header.split(',')) {
    const value = part.trim();
    if (!value.startsWith('v1=')) continue;
    const hex = value.slice(3);
    if (hex.length !== expected.length * 2 || !/^[0-9a-f]+$/i.test(hex)) continue;
    // Every candidate is compared (no early exit), so the time does not tell which one matched.
    if (timingSafeEqual(Buffer.from(hex, 'hex'), expected)) ok = true;
  }
  return ok;
}

/** The signature header for a body: what PagerDuty sends (tests, and `curl` examples in the docs). */
export function pagerDutySignature(rawBody: string, secret: string): string {
  return `v1=${createHmac('sha256', secret).update(Buffer.from(rawBody, 'utf8')).digest('hex')}`;
}

interface WebhookEvent {
  readonly id: string;
  readonly eventType: string;
  readonly occurredAtMs: number | null;
  readonly agent: string;
  readonly incidentKey: string | null;
  readonly pagerDutyIncident: string | null;
}

function parseEvent(text: string): WebhookEvent | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  const event = (body as { event?: unknown } | null)?.event as Record<string, unknown> | undefined;
  if (!event || typeof event !== 'object') return 'body has no "event" object (PagerDuty v3 webhook)';
  if (typeof event.event_type !== 'string') return 'event.event_type is missing';
  const data = (event.data ?? {}) as Record<string, unknown>;
  const agent = (event.agent ?? {}) as Record<string, unknown>;
  const summary = typeof agent.summary === 'string' ? agent.summary : '';
  const occurred = typeof event.occurred_at === 'string' ? Date.parse(event.occurred_at) : NaN;
  return {
    id: typeof event.id === 'string' ? event.id : '',
    eventType: event.event_type,
    occurredAtMs: Number.isFinite(occurred) ? occurred : null,
    agent: summary.length > 0 ? summary.slice(0, 200) : 'PagerDuty',
    incidentKey: typeof data.incident_key === 'string' ? data.incident_key : null,
    pagerDutyIncident: typeof data.id === 'string' ? data.id : null,
  };
}

/**
 * Ours for a PagerDuty incident: the one holding an alert whose dedup_key (the PagerDuty notifier's,
 * alerts/notifiers/pagerduty) is the PagerDuty incident's `incident_key`; an unresolved one first,
 * then the newest.
 */
export function incidentForKey(incidents: readonly Incident[], incidentKey: string): Incident | undefined {
  const matching = incidents.filter((i) => i.alerts.some((a) => dedupKeyOf(a.fingerprint, a.ruleId) === incidentKey));
  return matching.find((i) => i.status !== 'resolved') ?? matching.sort((a, b) => b.openedAtMs - a.openedAtMs)[0];
}

export interface PagerDutyWebhookOptions {
  /** PAGERDUTY_WEBHOOK_SECRET; unset → 503 (nothing can be verified). */
  readonly secret: () => string | undefined;
  readonly store: () => IncidentStore | Promise<IncidentStore>;
  readonly clock: () => number;
  readonly logger?: Logger;
}

/**
 * `POST /webhooks/pagerduty`: PagerDuty's v3 webhook. `incident.acknowledged` acknowledges our
 * incident (reminders stop), `incident.resolved` resolves it, both as PagerDuty's agent (the
 * person). A missing or wrong signature gets 401 and changes nothing; an event for no incident of
 * ours, or of another type, gets 200 (PagerDuty would retry anything else).
 */
export function createPagerDutyWebhookRoute(options: PagerDutyWebhookOptions): (request: HttpRequest) => Promise<HttpResponse | undefined> {
  return async (request) => {
    if (request.path !== PAGERDUTY_WEBHOOK_PATH) return undefined;
    if (request.method !== 'POST') return methodNotAllowed(['POST']);
    const secret = options.secret();
    if (!secret) return json(503, { error: 'PAGERDUTY_WEBHOOK_SECRET is not set: webhooks cannot be verified (docs/ALERTS.md, "Incidents")' });
    const body = await readBody(request, MAX_WEBHOOK_BYTES);
    if (!body.ok) return body.response;
    if (!verifyPagerDutySignature(body.text, request.headers['x-pagerduty-signature'], secret)) {
      options.logger?.warn('pagerduty webhook refused: bad or missing signature', { path: PAGERDUTY_WEBHOOK_PATH });
      return json(401, { error: 'invalid or missing X-PagerDuty-Signature' });
    }
    const event = parseEvent(body.text);
    if (typeof event === 'string') return json(400, { error: event });
    if (!HANDLED.has(event.eventType)) return json(200, { ignored: event.eventType });
    if (!event.incidentKey) return json(200, { matched: false, reason: 'the PagerDuty incident has no incident_key' });
    const nowMs = options.clock();
    const store = await options.store();
    const incident = incidentForKey(await store.load(nowMs - MATCH_LOOKBACK_MS), event.incidentKey);
    if (!incident) return json(200, { matched: false, reason: 'no incident of ours has an alert with this incident_key' });
    const atMs = nowMs;
    const key = event.id || `${event.pagerDutyIncident ?? ''}:${event.occurredAtMs ?? atMs}`;
    const result =
      event.eventType === 'incident.acknowledged'
        ? await acknowledgeIncident(store, incident.id, event.agent, 'pagerduty', atMs, key)
        : await resolveIncident(store, incident.id, event.agent, 'pagerduty', atMs, key);
    options.logger?.info(`incident ${event.eventType === 'incident.acknowledged' ? 'acknowledged' : 'resolved'} from PagerDuty`, { incident: incident.id, by: event.agent, changed: result.changed });
    return json(200, { matched: true, incident: incident.id, status: result.incident.status, changed: result.changed });
  };
}
