import {
  ALERT_RULES,
  METRICS,
  METRIC_NAMES,
  MODULE_IDS,
  SLOS,
  errorBudgetMinutes,
  getAlertsBySeverity,
  isModuleId,
  type MetricName,
} from '../../../shared';

describe('the metric catalogue', () => {
  it('has at least 60 metrics, each with a kind, unit, description, owning module and tag allow-list', () => {
    expect(METRIC_NAMES.length).toBeGreaterThanOrEqual(60);
    for (const name of METRIC_NAMES) {
      const m = METRICS[name];
      expect(['count', 'timing', 'gauge']).toContain(m.kind);
      expect(m.unit.length).toBeGreaterThan(0);
      expect(m.description.length).toBeGreaterThan(10);
      expect(isModuleId(m.module)).toBe(true);
      expect(Array.isArray(m.tags)).toBe(true);
      if (m.kind === 'timing') expect(m.unit).toBe('ms');
    }
  });

  it('contains the names other parts rely on', () => {
    const required: MetricName[] = [
      'infra.http.request.count', 'infra.http.request.latency_ms', 'infra.function.error.count',
      'product.wallet.spend.success', 'product.wallet.spend.failed', 'product.wallet.payout.failed', 'product.wallet.balance',
      'product.chat.message.count', 'product.chat.message.failed', 'product.chat.delivery.latency_ms',
      'product.call.started.count', 'product.call.connected.count', 'product.call.failed.count', 'product.call.setup_latency_ms',
      'product.ai.response.latency_ms', 'product.safety.incident.count', 'product.support.ticket.created',
    ];
    for (const name of required) expect(METRIC_NAMES).toContain(name);
    expect(METRICS['infra.http.request.count'].tags).toEqual(['tier', 'endpoint', 'method', 'status_class']);
  });

  it('never allows a tag key that names personal data', () => {
    const forbidden = /user|uid|email|phone|ip_?addr|card|name|address|device_id|session_id/i;
    for (const name of METRIC_NAMES) for (const key of METRICS[name].tags) expect(key).not.toMatch(forbidden);
  });

  it('covers all twelve modules', () => {
    expect(MODULE_IDS).toHaveLength(12);
    for (const module of MODULE_IDS) expect(METRIC_NAMES.some((n) => METRICS[n].module === module)).toBe(true);
  });
});

describe('the SLO catalogue', () => {
  it('has the seven SLOs with their objectives over a rolling 30 days', () => {
    expect(Object.fromEntries(SLOS.map((s) => [s.id, s.objective]))).toEqual({
      'core-api-availability': 0.999,
      'secondary-api-availability': 0.995,
      'api-latency': 0.95,
      'wallet-spend-success': 0.9995,
      'chat-delivery': 0.998,
      'call-connection': 0.98,
      'ai-response-latency': 0.95,
    });
    for (const slo of SLOS) expect(slo.windowDays).toBe(30);
  });

  it('gives each SLI a total and exactly one of good or bad, over catalogue metrics with allowed tags', () => {
    for (const slo of SLOS) {
      expect(slo.sli.total.length).toBeGreaterThan(0);
      expect(Number(slo.sli.good !== undefined) + Number(slo.sli.bad !== undefined)).toBe(1);
      for (const selector of [...slo.sli.total, ...(slo.sli.good ?? []), ...(slo.sli.bad ?? [])]) {
        const metric = METRICS[selector.metric];
        for (const key of Object.keys(selector.where ?? {})) expect(metric.tags).toContain(key);
        if (selector.maxMs !== undefined) expect(metric.kind).toBe('timing');
      }
    }
  });

  it('turns 99.9% over 30 days into 43.2 minutes of budget, and 99.5% into 3.6 hours', () => {
    const byId = (id: string) => SLOS.find((s) => s.id === id)!;
    expect(errorBudgetMinutes(byId('core-api-availability'))).toBeCloseTo(43.2, 9);
    expect(errorBudgetMinutes(byId('secondary-api-availability')) / 60).toBeCloseTo(3.6, 9);
  });
});

describe('the seed alert rules', () => {
  it('has three rules at each of P0, P1 and P2 with unique ids', () => {
    expect(getAlertsBySeverity('P0')).toHaveLength(3);
    expect(getAlertsBySeverity('P1')).toHaveLength(3);
    expect(getAlertsBySeverity('P2')).toHaveLength(3);
    expect(new Set(ALERT_RULES.map((r) => r.id)).size).toBe(ALERT_RULES.length);
  });

  it('keeps the seed thresholds: wallet spend failures > 10 in 10 min is a P0 (routing.test.ts checks it goes to PagerDuty and finance)', () => {
    const rule = ALERT_RULES.find((r) => r.id === 'wallet-spend-failures-critical')!;
    expect(rule).toMatchObject({ severity: 'P0', metric: 'product.wallet.spend.failed', comparator: '>', threshold: 10, windowSeconds: 600 });
  });

  it('names only metrics that exist, p95 only on timings, and a runbook', () => {
    for (const rule of ALERT_RULES) {
      if (rule.aggregation === 'p95') expect(METRICS[rule.metric].kind).toBe('timing');
      expect(rule.runbook).toMatch(/^docs\/OPERATIONS\.md#runbook-/);
    }
  });
});
