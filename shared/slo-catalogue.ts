import type { MetricName } from './metric-catalogue';
import type { ModuleId } from './modules';

/**
 * Selects events of one metric: every event whose tags include all of `where`, and for timing
 * metrics with `maxMs`, only those at or under the threshold (a latency SLI's "good" events).
 */
export interface EventSelector {
  readonly metric: MetricName;
  readonly where?: Readonly<Record<string, string>>;
  readonly maxMs?: number;
}

/**
 * A ratio SLI in the OpenSLO manner: `total` events, and either the `good` or the `bad` ones.
 * For count metrics an event contributes its value; for timing metrics, one per observation.
 * Selectors within a list are summed.
 */
export interface SliSpec {
  readonly total: readonly EventSelector[];
  readonly good?: readonly EventSelector[];
  readonly bad?: readonly EventSelector[];
}

/** `availability` SLOs also report their budget in minutes of full outage. */
export type SloCategory = 'availability' | 'latency' | 'success_rate';

/**
 * A calendar-month window in an IANA time zone (OpenSLO `timeWindow` with `isRolling: false` and a
 * `calendar`): the budget resets at 00:00 on the 1st of each month there, and the window holds the
 * events from then to now. docs/SLOS.md "Calendar-month windows".
 */
export interface CalendarWindow {
  readonly unit: 'month';
  readonly timeZone: string;
}

/** A service level objective over a rolling window (OpenSLO-like: objective, time window, SLI). */
export interface SloSpec {
  readonly id: string;
  readonly name: string;
  readonly module: ModuleId;
  readonly category: SloCategory;
  /** Target fraction of good events, e.g. 0.999. */
  readonly objective: number;
  /**
   * The rolling window in days; for a calendar-month SLO, the nominal 30 days its burn-rate
   * factors are scaled to (the Workbook's table is defined for 30 days).
   */
  readonly windowDays: number;
  /** Set for a calendar-month window instead of the rolling `windowDays`. */
  readonly calendar?: CalendarWindow;
  readonly description: string;
  readonly sli: SliSpec;
}

export const SLO_WINDOW_DAYS = 30;

export const SLOS: readonly SloSpec[] = [
  {
    id: 'core-api-availability',
    name: 'Core API availability',
    module: 'infrastructure',
    category: 'availability',
    objective: 0.999,
    windowDays: SLO_WINDOW_DAYS,
    description: 'Core-tier HTTP requests that do not end in a 5xx. 43.2 minutes of full outage a month.',
    sli: {
      total: [{ metric: 'infra.http.request.count', where: { tier: 'core' } }],
      bad: [{ metric: 'infra.http.request.count', where: { tier: 'core', status_class: '5xx' } }],
    },
  },
  {
    id: 'secondary-api-availability',
    name: 'Secondary API availability',
    module: 'infrastructure',
    category: 'availability',
    objective: 0.995,
    windowDays: SLO_WINDOW_DAYS,
    description: 'Secondary-tier HTTP requests that do not end in a 5xx. 3.6 hours of full outage a month.',
    sli: {
      total: [{ metric: 'infra.http.request.count', where: { tier: 'secondary' } }],
      bad: [{ metric: 'infra.http.request.count', where: { tier: 'secondary', status_class: '5xx' } }],
    },
  },
  {
    id: 'api-latency',
    name: 'API latency',
    module: 'infrastructure',
    category: 'latency',
    objective: 0.95,
    windowDays: SLO_WINDOW_DAYS,
    description: '95% of HTTP requests complete within 500 ms (p95 < 500 ms).',
    sli: {
      total: [{ metric: 'infra.http.request.latency_ms' }],
      good: [{ metric: 'infra.http.request.latency_ms', maxMs: 500 }],
    },
  },
  {
    id: 'wallet-spend-success',
    name: 'Wallet spend success',
    module: 'wallet',
    category: 'success_rate',
    objective: 0.9995,
    windowDays: SLO_WINDOW_DAYS,
    description: 'Token spends that succeed; a failed spend is bad.',
    sli: {
      total: [{ metric: 'product.wallet.spend.success' }, { metric: 'product.wallet.spend.failed' }],
      bad: [{ metric: 'product.wallet.spend.failed' }],
    },
  },
  {
    id: 'chat-delivery',
    name: 'Chat delivery',
    module: 'chat',
    category: 'latency',
    objective: 0.998,
    windowDays: SLO_WINDOW_DAYS,
    description: 'Chat messages delivered within 60 s; a message that fails to deliver is bad.',
    sli: {
      total: [{ metric: 'product.chat.delivery.latency_ms' }, { metric: 'product.chat.message.failed' }],
      good: [{ metric: 'product.chat.delivery.latency_ms', maxMs: 60_000 }],
    },
  },
  {
    id: 'call-connection',
    name: 'Call connection',
    module: 'calls',
    category: 'success_rate',
    objective: 0.98,
    windowDays: SLO_WINDOW_DAYS,
    description: 'Calls that connect; a failed call is bad.',
    sli: {
      total: [{ metric: 'product.call.connected.count' }, { metric: 'product.call.failed.count' }],
      good: [{ metric: 'product.call.connected.count' }],
    },
  },
  {
    id: 'ai-response-latency',
    name: 'AI response latency',
    module: 'ai',
    category: 'latency',
    objective: 0.95,
    windowDays: SLO_WINDOW_DAYS,
    description: '95% of AI companion responses complete within 3 s (p95 < 3 s).',
    sli: {
      total: [{ metric: 'product.ai.response.latency_ms' }],
      good: [{ metric: 'product.ai.response.latency_ms', maxMs: 3_000 }],
    },
  },
];

let active: readonly SloSpec[] = SLOS;

/**
 * The catalogue in use: the built-in {@link SLOS}, or, when OBS_SLO_FILE names an OpenSLO file,
 * the built-in SLOs merged with it (slo-as-code/slo-file.ts). Every part that lists SLOs (the SLO
 * job, burn-rate rules, dashboard, health, monthly report, `obs catalog`) reads this, so an
 * imported SLO behaves exactly like a built-in one. Set once per process by the entry points
 * (cli/obs.ts, app/production.ts) through {@link useSloCatalogue}.
 */
export function activeSlos(): readonly SloSpec[] {
  return active;
}

/** Makes `slos` the catalogue in use (see {@link activeSlos}); the built-in one is {@link SLOS}. */
export function useSloCatalogue(slos: readonly SloSpec[]): void {
  active = slos;
}

export function getSlo(id: string): SloSpec | undefined {
  return active.find((slo) => slo.id === id);
}

/** Allowed bad fraction: 1 − objective. */
export function errorBudgetFraction(slo: SloSpec): number {
  return 1 - slo.objective;
}

/**
 * The error budget as minutes of full outage over the SLO window:
 * (1 − objective) × window. 99.9% over 30 days → 43.2 minutes.
 */
export function errorBudgetMinutes(slo: SloSpec): number {
  return errorBudgetFraction(slo) * slo.windowDays * 24 * 60;
}
