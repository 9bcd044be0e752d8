import type { ModuleId } from './modules';

/** `count` adds up, `timing` is a duration in milliseconds (histogrammed), `gauge` is a level (last value wins). */
export type MetricKind = 'count' | 'timing' | 'gauge';

/**
 * One canonical metric. `tags` is the cardinality guard: the only tag keys an event of this
 * metric may carry (plus {@link COMMON_TAG_KEYS}). Values must be bounded enumerations —
 * route templates, status classes, reason codes — never identifiers or personal data.
 */
export interface MetricDefinition {
  readonly kind: MetricKind;
  readonly unit: string;
  readonly module: ModuleId;
  readonly description: string;
  readonly tags: readonly string[];
}

/** Tag keys every metric accepts: deployment facts with a handful of values each. */
export const COMMON_TAG_KEYS = ['region', 'platform', 'app_version'] as const;

const count = (module: ModuleId, unit: string, description: string, tags: readonly string[] = []) =>
  ({ kind: 'count', unit, module, description, tags }) as const;
const timing = (module: ModuleId, description: string, tags: readonly string[] = []) =>
  ({ kind: 'timing', unit: 'ms', module, description, tags }) as const;
const gauge = (module: ModuleId, unit: string, description: string, tags: readonly string[] = []) =>
  ({ kind: 'gauge', unit, module, description, tags }) as const;

const HTTP_TAGS = ['tier', 'endpoint', 'method', 'status_class'] as const;

/** The metric catalogue: every metric name the pipeline accepts. Names are `layer.area.thing[.outcome]`. */
export const METRICS = {
  // ── Infrastructure: HTTP ───────────────────────────────────────────────────────────────
  'infra.http.request.count': count('infrastructure', 'requests', 'HTTP requests served, by tier, route template, method and status class.', HTTP_TAGS),
  'infra.http.request.latency_ms': timing('infrastructure', 'HTTP request latency from first byte in to last byte out.', HTTP_TAGS),
  'infra.http.request.error.count': count('infrastructure', 'requests', 'HTTP requests that ended in an unhandled server error.', [...HTTP_TAGS, 'error_code']),
  // ── Infrastructure: database ───────────────────────────────────────────────────────────
  'infra.db.query.count': count('infrastructure', 'queries', 'Firestore reads, writes and queries issued.', ['collection', 'operation']),
  'infra.db.query.latency_ms': timing('infrastructure', 'Firestore operation latency.', ['collection', 'operation']),
  'infra.db.query.error.count': count('infrastructure', 'queries', 'Firestore operations that failed.', ['collection', 'operation', 'error_code']),
  'infra.db.transaction.retry.count': count('infrastructure', 'retries', 'Firestore transactions retried on contention.', ['collection']),
  // ── Infrastructure: cache ──────────────────────────────────────────────────────────────
  'infra.cache.hit.count': count('infrastructure', 'lookups', 'Cache lookups answered from the cache.', ['cache']),
  'infra.cache.miss.count': count('infrastructure', 'lookups', 'Cache lookups that fell through to the source.', ['cache']),
  'infra.cache.latency_ms': timing('infrastructure', 'Cache operation latency.', ['cache', 'operation']),
  // ── Infrastructure: queues ─────────────────────────────────────────────────────────────
  'infra.queue.published.count': count('infrastructure', 'messages', 'Messages published to a queue or topic.', ['queue']),
  'infra.queue.consumed.count': count('infrastructure', 'messages', 'Messages consumed and acknowledged.', ['queue', 'outcome']),
  'infra.queue.depth': gauge('infrastructure', 'messages', 'Messages waiting in a queue.', ['queue']),
  'infra.queue.oldest_age_ms': gauge('infrastructure', 'ms', 'Age of the oldest unacknowledged message.', ['queue']),
  // ── Infrastructure: functions ──────────────────────────────────────────────────────────
  'infra.function.invocation.count': count('infrastructure', 'invocations', 'Cloud Function invocations.', ['function', 'trigger']),
  'infra.function.error.count': count('infrastructure', 'errors', 'Cloud Function invocations that threw or timed out.', ['function', 'error_code']),
  'infra.function.duration_ms': timing('infrastructure', 'Cloud Function execution time.', ['function', 'trigger']),
  'infra.function.cold_start.count': count('infrastructure', 'instances', 'Cloud Function instances started cold.', ['function']),
  // ── Infrastructure: the metrics pipeline itself ────────────────────────────────────────
  'infra.metrics.emitter.emitted.count': count('infrastructure', 'events', 'Events handed to the emitter by pack code.', ['service']),
  'infra.metrics.emitter.published.count': count('infrastructure', 'events', 'Events the emitter published to the transport.', ['service', 'transport']),
  'infra.metrics.emitter.dropped.count': count('infrastructure', 'events', 'Events the emitter dropped, by reason.', ['service', 'reason']),
  'infra.metrics.emitter.buffered': gauge('infrastructure', 'events', 'Events waiting in the emitter buffer.', ['service']),
  'infra.metrics.ingest.events.count': count('infrastructure', 'events', 'Events processed by ingest, by outcome (stored, duplicate, dead_letter).', ['outcome']),
  'infra.metrics.ingest.latency_ms': timing('infrastructure', 'Time from event timestamp to warehouse insert.', []),
  // Derived, not emitted: the overflow series IS this metric. sql/queries/alert-rules.ts counts the
  // events of every metric's overflow series (tags.overflow = "true", ingest/cardinality-limiter.ts) under this name.
  'infra.metrics.ingest.series_overflow.count': count('infrastructure', 'events', 'Events ingest folded into the overflow series of `metric` because that metric reached its daily series limit (OBS_MAX_SERIES_PER_METRIC_PER_DAY).', ['metric']),
  // ── Infrastructure: the pipeline's own work (app/pipeline-metrics.ts; docs/OPERATIONS.md) ──
  // Ingest reports are summed per report interval (not per event, not per message): a few events per interval, whatever the traffic.
  'infra.pipeline.ingest.message.count': count('infrastructure', 'messages', 'Messages ingest handled (a redelivered message counts on each delivery).', []),
  'infra.pipeline.ingest.stored.count': count('infrastructure', 'events', 'Events ingest newly stored in metric_events.', []),
  'infra.pipeline.ingest.duplicate.count': count('infrastructure', 'events', 'Events ingest skipped because their id was already stored.', []),
  'infra.pipeline.ingest.dead_letter.count': count('infrastructure', 'dead letters', 'Rows ingest wrote to dead_letters, by their first reason code.', ['reason']),
  'infra.pipeline.ingest.retry.count': count('infrastructure', 'messages', 'Messages ingest left for redelivery because the warehouse failed.', []),
  'infra.pipeline.ingest.lag_ms': timing('infrastructure', 'Ingest time minus event time of the oldest event ingest handled in each report interval (the worst lag of the interval).', []),
  'infra.pipeline.rollup.duration_ms': timing('infrastructure', 'Wall time of one incremental rollup run.', []),
  'infra.pipeline.rollup.watermark_lag_ms': gauge('infrastructure', 'ms', 'How far the rollup watermark is behind the run time after a rollup run.', []),
  'infra.pipeline.rollup.changed_minutes.count': count('infrastructure', 'minutes', 'One-minute windows a rollup run recomputed.', []),
  'infra.pipeline.slo.duration_ms': timing('infrastructure', 'Wall time of one SLO status run.', []),
  'infra.pipeline.alerts.evaluation.duration_ms': timing('infrastructure', 'Wall time of one alert evaluation, deliveries and its job_state row included.', []),
  'infra.pipeline.alerts.transition.count': count('infrastructure', 'transitions', 'Alert lifecycle transitions, by the state entered and the severity.', ['to_state', 'severity']),
  'infra.pipeline.alerts.delivery.count': count('infrastructure', 'deliveries', 'Notification sends (one per grouped message), by channel and outcome (delivered, retry, failed).', ['channel', 'outcome']),
  'infra.pipeline.alerts.retry_waiting': gauge('infrastructure', 'notifications', 'Notifications an alert evaluation left pending for a retry by a later run.', []),
  'infra.pipeline.job.failure.count': count('infrastructure', 'runs', 'Scheduled job runs that threw, by job (rollup, slo, alerts, export job_state names).', ['job']),
  // The exporter stage (exporters/export-job.ts), one series per exporter (datadog, gcp, prometheus).
  'infra.pipeline.export.lag_ms': gauge('infrastructure', 'ms', 'How far behind the run time the end of the newest minute an exporter has sent is.', ['exporter']),
  'infra.pipeline.export.minutes.count': count('infrastructure', 'minutes', 'Closed minutes an exporter sent (its cursor moved past them).', ['exporter']),
  'infra.pipeline.export.points.count': count('infrastructure', 'points', 'Points (or, for Prometheus, series) an exporter sent.', ['exporter']),
  'infra.pipeline.export.dead_letter.count': count('infrastructure', 'batches', 'Batches a provider rejected with a 4xx other than 429, written to dead_letters (scope export).', ['exporter']),
  'infra.pipeline.export.failure.count': count('infrastructure', 'runs', 'Export runs of an exporter that stopped on a batch still failing after its retries (the cursor stays).', ['exporter']),
  // ── Wallet ─────────────────────────────────────────────────────────────────────────────
  'product.wallet.spend.success': count('wallet', 'transactions', 'Token spends that completed.', ['feature']),
  'product.wallet.spend.failed': count('wallet', 'transactions', 'Token spends that failed.', ['feature', 'reason']),
  'product.wallet.spend.latency_ms': timing('wallet', 'Token spend transaction latency.', ['feature']),
  'product.wallet.purchase.success': count('wallet', 'purchases', 'Token purchases that settled.', ['provider', 'package']),
  'product.wallet.purchase.failed': count('wallet', 'purchases', 'Token purchases that failed.', ['provider', 'reason']),
  'product.wallet.payout.requested': count('wallet', 'payouts', 'Creator payouts requested.', ['method']),
  'product.wallet.payout.success': count('wallet', 'payouts', 'Creator payouts completed.', ['method']),
  'product.wallet.payout.failed': count('wallet', 'payouts', 'Creator payouts that failed.', ['method', 'reason']),
  'product.wallet.balance': gauge('wallet', 'tokens', 'Tokens held across wallets, by pool.', ['pool']),
  // ── Chat ───────────────────────────────────────────────────────────────────────────────
  'product.chat.message.count': count('chat', 'messages', 'Chat messages sent.', ['channel', 'message_type']),
  'product.chat.message.failed': count('chat', 'messages', 'Chat messages that could not be delivered.', ['channel', 'reason']),
  'product.chat.delivery.latency_ms': timing('chat', 'Time from send to delivery acknowledgement.', ['channel']),
  'product.chat.billing.charged.count': count('chat', 'charges', 'Paid chat messages billed.', ['feature']),
  'product.chat.session.active': gauge('chat', 'sessions', 'Chat sessions open now.', []),
  // ── Calls ──────────────────────────────────────────────────────────────────────────────
  'product.call.started.count': count('calls', 'calls', 'Calls started (ringing).', ['call_type']),
  'product.call.connected.count': count('calls', 'calls', 'Calls that connected media.', ['call_type']),
  'product.call.failed.count': count('calls', 'calls', 'Calls that failed to connect or dropped.', ['call_type', 'reason']),
  'product.call.setup_latency_ms': timing('calls', 'Time from start to connected media.', ['call_type']),
  'product.call.duration_ms': timing('calls', 'Length of connected calls.', ['call_type']),
  'product.call.webrtc.error.count': count('calls', 'errors', 'WebRTC errors reported by clients.', ['call_type', 'error_code']),
  // ── Events & meetings ──────────────────────────────────────────────────────────────────
  'product.event.created.count': count('events', 'events', 'Events and meetings created.', ['event_type']),
  'product.event.joined.count': count('events', 'joins', 'Attendees joining events.', ['event_type']),
  'product.event.completed.count': count('events', 'events', 'Events that ran to completion.', ['event_type']),
  'product.event.cancelled.count': count('events', 'events', 'Events cancelled.', ['event_type', 'reason']),
  // ── AI companions ──────────────────────────────────────────────────────────────────────
  'product.ai.interaction.count': count('ai', 'interactions', 'AI companion interactions.', ['companion_type', 'model']),
  'product.ai.response.latency_ms': timing('ai', 'Time to a complete AI companion response.', ['companion_type', 'model']),
  'product.ai.error.count': count('ai', 'errors', 'AI companion requests that failed.', ['companion_type', 'model', 'reason']),
  'product.ai.tokens.used': count('ai', 'tokens', 'Model tokens consumed.', ['model']),
  // ── Safety & enforcement ───────────────────────────────────────────────────────────────
  'product.safety.incident.count': count('safety', 'incidents', 'Safety incidents opened.', ['incident_type', 'severity']),
  'product.safety.panic.triggered.count': count('safety', 'activations', 'Panic button activations.', ['source']),
  'product.safety.report.created.count': count('safety', 'reports', 'User reports filed.', ['report_type']),
  'product.safety.resolution_ms': timing('safety', 'Time from incident opened to resolved.', ['incident_type']),
  'product.enforcement.action.count': count('safety', 'actions', 'Enforcement actions taken (warn, restrict, ban).', ['action', 'reason']),
  // ── Data rights ────────────────────────────────────────────────────────────────────────
  'product.data_rights.request.count': count('data_rights', 'requests', 'Data subject requests received.', ['request_type']),
  'product.data_rights.export.completed.count': count('data_rights', 'exports', 'Data exports delivered.', []),
  'product.data_rights.deletion.completed.count': count('data_rights', 'deletions', 'Account deletions completed.', []),
  'product.data_rights.request.duration_ms': timing('data_rights', 'Time from request to fulfilment.', ['request_type']),
  'product.data_rights.request.overdue': gauge('data_rights', 'requests', 'Open requests past their statutory deadline.', ['request_type']),
  // ── Growth & retention ─────────────────────────────────────────────────────────────────
  'product.growth.signup.count': count('growth', 'signups', 'New accounts created.', ['channel']),
  'product.growth.activation.count': count('growth', 'users', 'New users reaching activation.', ['channel']),
  'product.growth.churn.count': count('growth', 'users', 'Users classified as churned.', ['segment']),
  'product.growth.winback.count': count('growth', 'users', 'Churned users won back.', ['campaign']),
  'product.growth.active_users': gauge('growth', 'users', 'Daily active users.', []),
  // ── Support ────────────────────────────────────────────────────────────────────────────
  'product.support.ticket.created': count('support', 'tickets', 'Support tickets opened.', ['category', 'priority']),
  'product.support.ticket.resolved': count('support', 'tickets', 'Support tickets resolved.', ['category', 'priority']),
  'product.support.first_response_ms': timing('support', 'Time to first agent response.', ['category', 'priority']),
  'product.support.backlog': gauge('support', 'tickets', 'Open tickets.', ['priority']),
  // ── Fraud & risk ───────────────────────────────────────────────────────────────────────
  'product.fraud.detection.count': count('fraud', 'detections', 'Fraud signals raised by the risk engine.', ['rule', 'risk_level']),
  'product.fraud.account.suspended.count': count('fraud', 'accounts', 'Accounts suspended for fraud.', ['reason']),
  'product.fraud.transaction.blocked.count': count('fraud', 'transactions', 'Transactions blocked by the risk engine.', ['reason']),
  'product.fraud.score.latency_ms': timing('fraud', 'Risk scoring latency.', ['rule']),
  // ── Audit ──────────────────────────────────────────────────────────────────────────────
  'product.audit.log.written.count': count('audit', 'entries', 'Audit log entries written.', ['action_category']),
  'product.audit.log.failed.count': count('audit', 'entries', 'Audit log writes that failed.', ['reason']),
  'product.audit.write.latency_ms': timing('audit', 'Audit log write latency.', []),
} as const satisfies Record<string, MetricDefinition>;

/** A metric name from the catalogue: a typo is a compile error. */
export type MetricName = keyof typeof METRICS;

/** Names of the metrics of one kind, so `metricTiming` only accepts timings. */
export type MetricNameOfKind<K extends MetricKind> = {
  [N in MetricName]: (typeof METRICS)[N]['kind'] extends K ? N : never;
}[MetricName];

export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function isMetricName(value: unknown): value is MetricName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(METRICS, value);
}

export function getMetric(name: MetricName): MetricDefinition {
  return METRICS[name];
}

const allowedTagSets = new Map<string, ReadonlySet<string>>(
  METRIC_NAMES.map((name) => [name, new Set<string>([...METRICS[name].tags, ...COMMON_TAG_KEYS])]),
);

/** The tag keys an event of `name` may carry; undefined for a name outside the catalogue. */
export function allowedTagKeys(name: string): ReadonlySet<string> | undefined {
  return allowedTagSets.get(name);
}
