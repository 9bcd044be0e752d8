import { maxGoodBucket, effectiveThresholdMs } from '../../shared/latency-threshold';
import { seriesKey } from '../../shared/series-key';
import { type EventSelector, type SloSpec } from '../../shared/slo-catalogue';

/**
 * What the SLO queries need from the SLO catalogue (shared/slo-catalogue.ts): its distinct SLI
 * selectors, numbered, as a `selectors` CTE the queries join series to. The queries are
 * generated from these at load time, so the golden files show the SQL for today's catalogue and a
 * catalogue change shows up in review as a golden-file change.
 *
 * This module defines no queries (no `QUERIES` export).
 */

/** A selector's identity: metric, `where` as a canonical series key, threshold. Equal selectors share a key. */
export const selectorKey = (s: EventSelector): string => `${s.metric}|${seriesKey(s.where ?? {})}|${s.maxMs ?? ''}`;

/** Every distinct selector of `slos`, in first-seen order (its index is its `selector_id` in SQL). */
export function distinctSelectors(slos: readonly SloSpec[]): EventSelector[] {
  const seen = new Map<string, EventSelector>();
  for (const slo of slos) {
    for (const s of [...slo.sli.total, ...(slo.sli.good ?? []), ...(slo.sli.bad ?? [])]) if (!seen.has(selectorKey(s))) seen.set(selectorKey(s), s);
  }
  return [...seen.values()];
}

/** A selector with its `selector_id` in SQL (its index in {@link distinctSelectors}). */
export type NumberedSelector = readonly [id: number, selector: EventSelector];

/**
 * The distinct selectors of `slos`, numbered, split by the table they read: the rollups (no
 * threshold: events and value sums) and the histograms (maxMs: good observations). Numbered over
 * all of them, so one id means one selector in every query built from the same `slos`.
 */
export function numberedSelectors(slos: readonly SloSpec[]): { rollups: NumberedSelector[]; histograms: NumberedSelector[] } {
  const all = distinctSelectors(slos).map((s, id) => [id, s] as const);
  return { rollups: all.filter(([, s]) => s.maxMs === undefined), histograms: all.filter(([, s]) => s.maxMs !== undefined) };
}

// Catalogue text rendered into SQL literals: refuse anything that would need escaping, whose
// rules differ between the engines (a backslash is an escape in BigQuery strings, not in DuckDB's).
const SAFE_LITERAL = /^[A-Za-z0-9_.:/ =,+-]*$/;
const literal = (s: string): string => {
  if (!SAFE_LITERAL.test(s)) throw new Error(`SLO selector text ${JSON.stringify(s)} has characters the SLO queries do not render; use letters, digits and _.:/ =,+-`);
  return `'${s}'`;
};

/**
 * A CTE `selectors(selector_id, name, max_bucket, needle_1 … needle_k)`: one row per selector.
 * A series matches when its name is the selector's metric and `,series_key,` contains every
 * non-NULL needle `,k=v,` — exactly "the series' tags include every where tag", because series
 * keys are canonical (shared/series-key.ts: `k=v` joined by unescaped commas, with `,` `=` `\`
 * escaped inside keys and values) and tag keys are catalogue identifiers.
 */
export function selectorsCte(selectors: ReadonlyArray<readonly [id: number, selector: EventSelector]>): { cte: string; needles: number } {
  const needles = Math.max(0, ...selectors.map(([, s]) => Object.keys(s.where ?? {}).length));
  const rows = selectors.map(([id, s]) => {
    const where = Object.keys(s.where ?? {})
      .sort()
      .map((k) => literal(`,${seriesKey({ [k]: (s.where as Record<string, string>)[k] as string })},`));
    const columns = [`${id} AS selector_id`, `${literal(s.metric)} AS name`, `${s.maxMs === undefined ? 'CAST(NULL AS INT64)' : maxGoodBucket(s.maxMs)} AS max_bucket`];
    for (let i = 0; i < needles; i++) columns.push(`${where[i] ?? 'CAST(NULL AS STRING)'} AS needle_${i + 1}`);
    const comment = s.maxMs === undefined ? '' : ` -- good: ≤ ${effectiveThresholdMs(s.maxMs).toFixed(1)} ms`;
    return `SELECT ${columns.join(', ')}${comment}`;
  });
  if (rows.length === 0) rows.push(`SELECT -1 AS selector_id, CAST(NULL AS STRING) AS name, CAST(NULL AS INT64) AS max_bucket`);
  return { cte: `selectors AS (\n  ${rows.join('\n  UNION ALL ')}\n)`, needles };
}

/** `column IN (…)` over the selectors' metrics (lets BigQuery prune clusters before the join). */
export function selectorMetricFilter(column: string, selectors: ReadonlyArray<readonly [number, EventSelector]>): string {
  const names = [...new Set(selectors.map(([, s]) => s.metric))].sort();
  return names.length === 0 ? 'FALSE' : `${column} IN (${names.map(literal).join(', ')})`;
}

/** The selector's tag conditions on a series key column. */
export function selectorMatch(seriesKeyColumn: string, needles: number, alias = 's.'): string {
  const conditions: string[] = [];
  for (let i = 1; i <= needles; i++) {
    conditions.push(`(${alias}needle_${i} IS NULL OR STRPOS(CONCAT(',', ${seriesKeyColumn}, ','), ${alias}needle_${i}) > 0)`);
  }
  return conditions.length === 0 ? 'TRUE' : conditions.join('\n    AND ');
}
