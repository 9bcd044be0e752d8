/**
 * The alert-history and dead-letter queries of docs/ANALYSTS.md (sql/queries/analysts.ts), run on
 * DuckDB over rows the real code wrote: alert_log from the alert evaluator (events → aggregator →
 * evaluateAlerts every two minutes, through an hour with two bursts of failed wallet spends), and
 * dead_letters from the ingest handler (malformed messages and events, a poison message delivered
 * twice). The answers are checked against the evaluator's own reports and the messages sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAggregation } from '../../../aggregator/aggregate';
import { FakeClock } from '../../../shared/clock';
import { silentLogger } from '../../../shared/logger';
import type { Transition } from '../../../alerts/model/alert-instance';
import { evaluateAlerts } from '../../../alerts/run/evaluate-run';
import { createAlertRuntime } from '../../../alerts/run/runtime';
import { IngestHandler } from '../../../ingest/ingest-handler';
import { loadConfig } from '../../../shared/config';
import { defineQuery } from '../../../sql/dialect';
import { analystsAlertHistory, analystsDeadLettersByReason } from '../../../sql/queries/analysts';
import type { EventRow } from '../../../sql/warehouse';
import { event, MINUTE, openMemoryWarehouse } from '../aggregator/support';

const T0 = Date.UTC(2026, 10, 26, 9, 0);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** An hour of wallet and API traffic; failed spends burst in minutes 20–27 (3 a minute) and 45–46 (6 a minute). */
function traffic(): EventRow[] {
  const rows: EventRow[] = [];
  for (let m = 0; m < 60; m++) {
    const t = T0 + m * MINUTE;
    rows.push(event('product.wallet.spend.success', 'count', 10, t + 1_000, { feature: 'chat' }));
    rows.push(event('infra.http.request.count', 'count', 100, t + 2_000, { tier: 'core', status_class: '2xx' }));
    const failures = m >= 20 && m < 28 ? 3 : m >= 45 && m < 47 ? 6 : 0;
    if (failures > 0) rows.push(event('product.wallet.spend.failed', 'count', failures, t + 3_000, { feature: 'chat', reason: 'timeout' }));
  }
  return rows;
}

describe('analysts’ alert_log query on the evaluator’s own log', () => {
  it('counts firings and resolutions per rule and measures each firing episode, as the evaluator reported them', async () => {
    const warehouse = await openMemoryWarehouse();
    const dir = mkdtempSync(join(tmpdir(), 'obs-analysts-alerts-'));
    try {
      await warehouse.insertEvents(traffic());
      const runtime = createAlertRuntime({
        warehouse,
        config: loadConfig({ OBS_ENVIRONMENT: 'test' }),
        clock: new FakeClock(T0),
        logger: silentLogger,
        outboxPath: join(dir, 'outbox.jsonl'),
      });
      const transitions: Transition[] = [];
      try {
        for (let t = T0 + 2 * MINUTE; t <= T0 + 80 * MINUTE; t += 2 * MINUTE) {
          await runAggregation(warehouse, t + 15_000);
          transitions.push(...(await evaluateAlerts(runtime, t + 20_000)).transitions);
        }
      } finally {
        runtime.close();
      }

      // The independent answer: the reports' transitions, grouped the way the query describes.
      const expected = (fromMs: number, toMs: number) => {
        const inRange = transitions.filter((x) => x.atMs >= fromMs && x.atMs < toMs).sort((a, b) => a.atMs - b.atMs);
        const byRule = new Map<string, { rule_id: string; severity: string; firings: number; resolutions: number; fired: number[]; episodes: number[] }>();
        for (const x of inRange) {
          const key = `${x.ruleId}|${x.severity}`;
          const g = byRule.get(key) ?? { rule_id: x.ruleId, severity: x.severity, firings: 0, resolutions: 0, fired: [], episodes: [] };
          if (x.to === 'firing') {
            g.firings++;
            g.fired.push(x.atMs);
            const next = inRange.find((y) => y.fingerprint === x.fingerprint && y.atMs > x.atMs);
            if (next?.to === 'resolved') g.episodes.push((next.atMs - x.atMs) / MINUTE);
          }
          if (x.to === 'resolved') g.resolutions++;
          byRule.set(key, g);
        }
        return [...byRule.values()]
          .filter((g) => g.firings > 0)
          .sort((a, b) => b.firings - a.firings || cmp(a.severity, b.severity) || cmp(a.rule_id, b.rule_id))
          .map((g) => ({
            rule_id: g.rule_id,
            severity: g.severity,
            firings: g.firings,
            resolutions: g.resolutions,
            first_fired_ms: Math.min(...g.fired),
            last_fired_ms: Math.max(...g.fired),
            shortest_firing_minutes: g.episodes.length ? Math.min(...g.episodes) : null,
            longest_firing_minutes: g.episodes.length ? Math.max(...g.episodes) : null,
          }));
      };

      const whole = await warehouse.query(analystsAlertHistory, { from_ms: T0, to_ms: T0 + 2 * 3_600_000 });
      expect(whole).toEqual(expected(T0, T0 + 2 * 3_600_000));
      // What the data should show: the wallet P0 fired for each burst and resolved both times.
      const wallet = whole.find((r) => r.rule_id === 'wallet-spend-failures-critical');
      expect(wallet).toMatchObject({ severity: 'P0', firings: 2, resolutions: 2 });
      expect(wallet?.shortest_firing_minutes as number).toBeGreaterThan(0);

      // A range that cuts the second episode: its resolution is outside, so it has no length.
      const firstHalf = await warehouse.query(analystsAlertHistory, { from_ms: T0, to_ms: T0 + 50 * MINUTE });
      expect(firstHalf).toEqual(expected(T0, T0 + 50 * MINUTE));
      expect(firstHalf.find((r) => r.rule_id === 'wallet-spend-failures-critical')).toMatchObject({ firings: 2, resolutions: 1 });
    } finally {
      await warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('analysts’ dead-letter query on what ingest set aside', () => {
  it('counts dead letters by reasons, scope and service once each, a poison message delivered twice included', async () => {
    const warehouse = await openMemoryWarehouse();
    try {
      const at = (minute: number) => T0 + minute * MINUTE;
      let now = at(0);
      const ingest = new IngestHandler({ warehouse, now: () => now });
      const source = { service: 'wallet', environment: 'test' };
      const ok = (id: string) => ({ id, name: 'product.wallet.spend.success', kind: 'count', value: 1, ts: now - 1_000, tags: { feature: 'chat' } });
      const send = async (id: string, data: unknown) => {
        await ingest.handle({ id, data: typeof data === 'string' ? data : JSON.stringify(data) });
      };

      await send('m1', '{"schema": "metrics.v1", "events": [');
      now = at(5);
      await send('m2', { schema: 'metrics.v1', source, events: [ok('e1'), { ...ok('e2'), name: 'product.wallet.nope' }, { ...ok('e3'), tags: { feature: 'a@b.example' } }] });
      now = at(9);
      await send('m3', { schema: 'metrics.v1', source: { service: 'chat', environment: 'test' }, events: [{ ...ok('e4'), name: 'product.chat.nope' }] });
      now = at(12);
      await send('m1', '{"schema": "metrics.v1", "events": ['); // the poison message again
      await send('m4', { schema: 'metrics.v1', source, events: [{ ...ok('e5'), name: 'product.wallet.nope' }] });

      const stored = await warehouse.query(
        defineQuery('test', 'SELECT dead_letter_id, reason_codes, scope, service, UNIX_MILLIS(received_at) AS received_ms FROM {{dead_letters}}'),
      );
      expect(stored).toHaveLength(5); // m1 (once), e2, e3, e4, e5

      // The independent answer: the stored rows grouped here.
      const groups = new Map<string, { reason_codes: string; scope: string; service: string | null; ids: string[]; times: number[] }>();
      for (const r of stored) {
        const key = JSON.stringify([r.reason_codes, r.scope, r.service]);
        const g = groups.get(key) ?? { reason_codes: r.reason_codes as string, scope: r.scope as string, service: r.service as string | null, ids: [], times: [] };
        g.ids.push(r.dead_letter_id as string);
        g.times.push(r.received_ms as number);
        groups.set(key, g);
      }
      const expected = [...groups.values()]
        .map((g) => ({
          reason_codes: g.reason_codes,
          scope: g.scope,
          service: g.service,
          dead_letter_count: g.ids.length,
          first_ms: Math.min(...g.times),
          last_ms: Math.max(...g.times),
          example_dead_letter_id: [...g.ids].sort(cmp)[0],
        }))
        .sort((a, b) => b.dead_letter_count - a.dead_letter_count || cmp(a.reason_codes, b.reason_codes) || cmp(a.scope, b.scope) || cmp(a.service ?? '\uffff', b.service ?? '\uffff'));

      const rows = await warehouse.query(analystsDeadLettersByReason, { from_ms: at(0), to_ms: at(60) });
      expect(rows).toEqual(expected);
      expect(rows[0]).toMatchObject({ reason_codes: 'unknown_metric', scope: 'event', service: 'wallet', dead_letter_count: 2, first_ms: at(5), last_ms: at(12) });
      expect(rows.find((r) => r.scope === 'message')).toMatchObject({ reason_codes: 'invalid_json', dead_letter_count: 1, first_ms: at(0) });
      expect(rows.find((r) => r.reason_codes === 'personal_data')).toMatchObject({ scope: 'event', dead_letter_count: 1 });

      // The range bounds received_at; and stored twice (as BigQuery can), every dead letter still counts once.
      expect(await warehouse.query(analystsDeadLettersByReason, { from_ms: at(10), to_ms: at(60) })).toEqual([
        expect.objectContaining({ reason_codes: 'unknown_metric', dead_letter_count: 1 }),
      ]);
      const run = (sql: string) => warehouse.execute(defineQuery('test', sql));
      await run('CREATE TABLE dead_letters_unkeyed AS SELECT * FROM dead_letters');
      await run('DROP TABLE dead_letters');
      await run('ALTER TABLE dead_letters_unkeyed RENAME TO dead_letters');
      await run('INSERT INTO dead_letters SELECT * FROM dead_letters');
      expect(await warehouse.query(analystsDeadLettersByReason, { from_ms: at(0), to_ms: at(60) })).toEqual(expected);
    } finally {
      await warehouse.close();
    }
  });
});
