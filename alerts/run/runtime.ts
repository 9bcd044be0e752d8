import { randomUUID } from 'node:crypto';
import type { ObservabilityConfig } from '../../shared/config';
import type { Warehouse } from '../../sql/warehouse';
import { systemClock, type Clock } from '../../shared/clock';
import { WarehouseRuleDataSource, type RuleDataSource } from '../evaluate/warehouse-rule-data';
import { redactingLogger, type Logger } from '../../shared/logger';
import { stderrLogger } from '../logger';
import type { AlertRule } from '../model/alert-rule';
import { INHIBIT_RULES, type InhibitRule } from '../mute/inhibition';
import { createLinks, type LinkOptions } from '../notifiers/links';
import type { Notifier } from '../notifiers/notifier';
import { DEFAULT_OUTBOX_PATH } from '../notifiers/outbox/outbox-notifier';
import { buildNotifiers } from '../notifiers/registry';
import { DELIVERY_LIMITS, checkDeliveryLimits, type DeliveryLimits } from '../notify/delivery-limits';
import { MinIntervalLimiter } from '../notify/rate-limiter';
import { redactorFor, type Redactor } from '../../shared/redaction';
import { RETRY_POLICY, type RetryPolicy } from '../notify/retry-policy';
import { ROUTES } from '../routing/routes';
import type { RouteNode } from '../routing/route-tree';
import { defaultAlertRules } from '../rules/rule-set';
import { WarehouseAlertLog } from '../state/alert-log';
import type { AlertStore } from '../state/alert-store';
import { WarehouseAlertStore } from '../state/warehouse-alert-store';
import type { AlertRuntime } from './evaluate-run';
import type { MaintenanceSource } from '../../maintenance/occurrence';
import { storeMaintenanceSource } from '../../maintenance/store-source';
import { WarehouseMaintenanceStore } from '../../maintenance/warehouse-maintenance-store';
import type { IncidentStore } from '../../incidents/incident-store';
import { incidentRecorder } from '../../incidents/incident-recorder';
import { WarehouseIncidentStore } from '../../incidents/warehouse-incident-store';

/** Slack: one message per second per webhook (https://api.slack.com/docs/rate-limits#incoming-webhooks). */
export const SLACK_MIN_INTERVAL_MS = 1_000;
/**
 * A claim not completed within this is presumed abandoned (its run died) and taken over. The
 * delivery limits are checked against it at construction (notify/delivery-limits.ts).
 */
const DEFAULT_CLAIM_TIMEOUT_MS = 5 * 60_000;

export interface RuntimeOptions {
  readonly warehouse: Warehouse;
  readonly config: ObservabilityConfig;
  /** Default: the warehouse tables (local). Production passes the Firestore store. */
  readonly store?: AlertStore;
  /** Incidents (issue #16). Default: the warehouse table (local). Production passes the Firestore store. */
  readonly incidents?: IncidentStore;
  readonly source?: RuleDataSource;
  readonly clock?: Clock;
  /** Redacted here with the redactor below (default: the lines of stderrLogger). */
  readonly logger?: Logger;
  /** Default: the configuration's (shared/redaction.ts redactorFor); the assemblies in app/ pass theirs. */
  readonly redactor?: Redactor;
  readonly outboxPath?: string;
  readonly links?: Partial<LinkOptions>;
  readonly rules?: readonly AlertRule[];
  readonly routes?: RouteNode;
  readonly inhibitRules?: readonly InhibitRule[];
  readonly policy?: RetryPolicy;
  /** Pool sizes and deadlines of delivery; any left out take DELIVERY_LIMITS' value. */
  readonly deliveryLimits?: Partial<DeliveryLimits>;
  readonly claimTimeoutMs?: number;
  readonly notifiers?: ReadonlyMap<string, Notifier>;
  /** Maintenance windows that mute their module's alerts. Default: the warehouse's (maintenance_windows), read each run. */
  readonly maintenance?: MaintenanceSource;
}

/** The secrets of a configuration: the one list is shared/redaction.ts; re-exported for existing imports. */
export { configSecrets } from '../../shared/redaction';

export interface BuiltRuntime extends AlertRuntime {
  readonly redactor: Redactor;
  /** Closes SMTP connections. */
  close(): void;
}

/** Wires the alert pipeline from configuration: rules, routes, notifiers, store, log. */
export function createAlertRuntime(options: RuntimeOptions): BuiltRuntime {
  const { config, warehouse } = options;
  const redactor = options.redactor ?? redactorFor(config);
  const clock = options.clock ?? systemClock;
  const logger = redactingLogger(options.logger ?? stderrLogger, redactor);
  const links = createLinks({ dashboardBaseUrl: options.links?.dashboardBaseUrl ?? `http://localhost:${config.port}`, ...(options.links?.runbookBaseUrl ? { runbookBaseUrl: options.links.runbookBaseUrl } : {}) });
  const claimTimeoutMs = options.claimTimeoutMs ?? DEFAULT_CLAIM_TIMEOUT_MS;
  const deliveryLimits: DeliveryLimits = { ...DELIVERY_LIMITS, ...options.deliveryLimits };
  checkDeliveryLimits(deliveryLimits, claimTimeoutMs);
  const notifiers =
    (options.notifiers as AlertRuntime['notifiers'] | undefined) ??
    buildNotifiers(
      { config, links, clock, redactor, logger, slackLimiter: new MinIntervalLimiter(SLACK_MIN_INTERVAL_MS, clock), timeoutMs: deliveryLimits.requestTimeoutMs },
      options.outboxPath ?? DEFAULT_OUTBOX_PATH,
    );
  return {
    rules: options.rules ?? defaultAlertRules(),
    routes: options.routes ?? ROUTES,
    inhibitRules: options.inhibitRules ?? INHIBIT_RULES,
    source: options.source ?? new WarehouseRuleDataSource(warehouse),
    store: options.store ?? new WarehouseAlertStore(warehouse),
    maintenance: options.maintenance ?? storeMaintenanceSource(new WarehouseMaintenanceStore(warehouse)),
    log: new WarehouseAlertLog(warehouse, redactor),
    notifiers,
    clock,
    logger,
    policy: options.policy ?? RETRY_POLICY,
    claimTimeoutMs,
    deliveryLimits,
    incidents: incidentRecorder(options.incidents ?? new WarehouseIncidentStore(warehouse, redactor), logger),
    newRunId: () => randomUUID(),
    redactor,
    close() {
      for (const notifier of notifiers.values()) (notifier as { close?: () => void }).close?.();
    },
  };
}
