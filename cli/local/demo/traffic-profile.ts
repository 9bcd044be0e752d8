import type { CountName, GaugeName, TimingName } from '../../../emitter';

/** A counter emitted at a steady expected rate per minute. */
export interface CountStream {
  readonly kind: 'count';
  readonly metric: CountName;
  readonly tags: Readonly<Record<string, string>>;
  readonly perMinute: number;
}

/** Latency observations: a log-normal with this median (ms) and shape. */
export interface TimingStream {
  readonly kind: 'timing';
  readonly metric: TimingName;
  readonly tags: Readonly<Record<string, string>>;
  readonly perMinute: number;
  readonly medianMs: number;
  readonly sigma: number;
}

/** A level reported once per tick around `base`. */
export interface GaugeStream {
  readonly kind: 'gauge';
  readonly metric: GaugeName;
  readonly tags: Readonly<Record<string, string>>;
  readonly base: number;
  readonly jitter: number;
}

export type Stream = CountStream | TimingStream | GaugeStream;

const count = (metric: CountName, perMinute: number, tags: Record<string, string> = {}): CountStream => ({ kind: 'count', metric, tags, perMinute });
const timing = (metric: TimingName, perMinute: number, medianMs: number, sigma: number, tags: Record<string, string> = {}): TimingStream => ({ kind: 'timing', metric, tags, perMinute, medianMs, sigma });
const gauge = (metric: GaugeName, base: number, jitter: number, tags: Record<string, string> = {}): GaugeStream => ({ kind: 'gauge', metric, tags, base, jitter });

const http = (tier: string, endpoint: string, method: string, status: string) => ({ tier, endpoint, method, status_class: status });

/**
 * A healthy day of the application, per minute: every module reports, every SLO is comfortably
 * met (error rates well under budget) and no alert rule comes near its threshold. Latency
 * SLIs count timing observations, so their rates are sampled observations, not request volumes.
 */
export const HEALTHY_TRAFFIC: readonly Stream[] = [
  // Infrastructure — core availability 99.9%: 5xx at ~0.02% of core requests.
  count('infra.http.request.count', 240, http('core', '/api/messages', 'POST', '2xx')),
  count('infra.http.request.count', 0.05, http('core', '/api/messages', 'POST', '5xx')),
  count('infra.http.request.count', 120, http('core', '/api/wallet/spend', 'POST', '2xx')),
  count('infra.http.request.count', 6, http('core', '/api/wallet/spend', 'POST', '4xx')),
  count('infra.http.request.count', 60, http('secondary', '/api/feed', 'GET', '2xx')),
  count('infra.http.request.count', 0.1, http('secondary', '/api/feed', 'GET', '5xx')),
  timing('infra.http.request.latency_ms', 30, 110, 0.6, http('core', '/api/messages', 'POST', '2xx')),
  timing('infra.http.request.latency_ms', 10, 180, 0.5, http('secondary', '/api/feed', 'GET', '2xx')),
  count('infra.function.invocation.count', 90, { function: 'onMessageCreate', trigger: 'firestore' }),
  count('infra.function.error.count', 0.2, { function: 'onMessageCreate', error_code: 'deadline_exceeded' }),
  timing('infra.function.duration_ms', 6, 240, 0.5, { function: 'onMessageCreate', trigger: 'firestore' }),
  count('infra.db.query.count', 400, { collection: 'messages', operation: 'write' }),
  timing('infra.db.query.latency_ms', 6, 25, 0.5, { collection: 'messages', operation: 'write' }),
  count('infra.cache.hit.count', 300, { cache: 'profiles' }),
  count('infra.cache.miss.count', 20, { cache: 'profiles' }),
  gauge('infra.queue.depth', 12, 8, { queue: 'notifications' }),
  // Wallet — spend success 99.95%: failures ~0.005%.
  count('product.wallet.spend.success', 200, { feature: 'chat' }),
  count('product.wallet.spend.failed', 0.01, { feature: 'chat', reason: 'insufficient_funds' }),
  timing('product.wallet.spend.latency_ms', 6, 85, 0.4, { feature: 'chat' }),
  count('product.wallet.purchase.success', 4, { provider: 'stripe', package: 'tokens_500' }),
  count('product.wallet.payout.requested', 0.3, { method: 'bank_transfer' }),
  count('product.wallet.payout.success', 0.3, { method: 'bank_transfer' }),
  gauge('product.wallet.balance', 1_250_000, 5_000, { pool: 'creators' }),
  // Chat — delivery within 60 s, 99.8%.
  count('product.chat.message.count', 480, { channel: 'direct', message_type: 'text' }),
  timing('product.chat.delivery.latency_ms', 30, 250, 0.7, { channel: 'direct' }),
  count('product.chat.billing.charged.count', 60, { feature: 'paid_message' }),
  gauge('product.chat.session.active', 1_800, 150),
  // Calls — connection 98%: ~0.5% fail.
  count('product.call.started.count', 20, { call_type: 'video' }),
  count('product.call.connected.count', 19.9, { call_type: 'video' }),
  count('product.call.failed.count', 0.1, { call_type: 'video', reason: 'ice_failed' }),
  timing('product.call.setup_latency_ms', 10, 1_400, 0.35, { call_type: 'video' }),
  // Events, AI, safety, support, data rights, growth, fraud, audit.
  count('product.event.created.count', 1, { event_type: 'meetup' }),
  count('product.event.joined.count', 6, { event_type: 'meetup' }),
  count('product.ai.interaction.count', 50, { companion_type: 'coach', model: 'standard' }),
  timing('product.ai.response.latency_ms', 20, 900, 0.45, { companion_type: 'coach', model: 'standard' }),
  count('product.safety.report.created.count', 0.5, { report_type: 'spam' }),
  count('product.safety.incident.count', 0.05, { incident_type: 'harassment', severity: 'medium' }),
  count('product.enforcement.action.count', 0.3, { action: 'warn', reason: 'spam' }),
  count('product.support.ticket.created', 0.8, { category: 'billing', priority: 'normal' }),
  count('product.support.ticket.resolved', 0.7, { category: 'billing', priority: 'normal' }),
  gauge('product.support.backlog', 35, 5, { priority: 'normal' }),
  count('product.data_rights.request.count', 0.05, { request_type: 'export' }),
  gauge('product.data_rights.request.overdue', 0, 0, { request_type: 'export' }),
  count('product.growth.signup.count', 3, { channel: 'organic' }),
  count('product.growth.activation.count', 1.5, { channel: 'organic' }),
  gauge('product.growth.active_users', 42_000, 300),
  count('product.fraud.detection.count', 0.4, { rule: 'velocity', risk_level: 'medium' }),
  count('product.fraud.transaction.blocked.count', 0.1, { reason: 'velocity' }),
  count('product.audit.log.written.count', 150, { action_category: 'wallet' }),
  timing('product.audit.write.latency_ms', 4, 30, 0.4),
];

/**
 * The demo incident: a wallet payment provider times out for one minute. 25 failed spends in a
 * minute breach the P0 rule `wallet-spend-failures-critical` (> 10 in 10 minutes) — PagerDuty,
 * on-call Slack and finance e-mail — while the hour's error rate (~0.2%) stays under the
 * page-tier SLO burn, so once the failures stop the alert resolves and the banner turns GREEN.
 */
export const DEMO_INCIDENT = {
  startAfterMs: 2 * 60_000,
  durationMs: 60_000,
  streams: [count('product.wallet.spend.failed', 25, { feature: 'chat', reason: 'provider_timeout' }), timing('product.wallet.spend.latency_ms', 6, 4_000, 0.3, { feature: 'chat' })] as readonly Stream[],
} as const;
