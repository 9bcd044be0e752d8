import { prometheusBucketBoundsMs, prometheusEventSeries } from '../shared/provider-metric-names';
import type { EventSelector, SloSpec } from '../shared/slo-catalogue';

/**
 * An SLI in PromQL over the series the Prometheus exporter writes (shared/provider-metric-names.ts).
 * Every selector is `sum(increase(<series>{<where>}[w]))`, `or vector(0)` when it has no series
 * yet, so a sum is defined (0) before any series exists and the ratio reads NaN — no alert — without events; the rules are the pipeline's own
 * (aggregator/slo-sli.ts): total = Σ total selectors; bad = Σ bad selectors, or total − Σ good.
 *
 * `increase` over a counter sampled once a minute, at the minute, reads exactly the events of the
 * closed minutes in [now − w, now): Prometheus 2.x selects samples in [now − w, now] and, with a
 * sample at both ends, does not extrapolate — the same minutes the pipeline's windows hold
 * (windows end at "now" rounded down to the minute, exclusive).
 */

/** A PromQL string literal (double-quoted, backslash and quote escaped). */
export function promString(text: string): string {
  return JSON.stringify(text);
}

/** The series selector `metric{k="v",…}` of an event selector. */
export function promSelector(selector: EventSelector): string {
  const series = prometheusEventSeries(selector.metric, selector.maxMs);
  const matchers = Object.keys(selector.where ?? {})
    .sort()
    .map((k) => `${k}=${promString((selector.where as Record<string, string>)[k] as string)}`);
  if (series.le !== undefined) matchers.push(`le=${promString(series.le)}`);
  return matchers.length === 0 ? series.metric : `${series.metric}{${matchers.join(',')}}`;
}

/** Σ over selectors of the events in the window `window` (a PromQL duration, or a template such as `{{.window}}`). */
export function promSum(selectors: readonly EventSelector[], window: string): string {
  return selectors.map((s) => `(sum(increase(${promSelector(s)}[${window}])) or vector(0))`).join(' + ');
}

/** The SLI's total events over `window`. */
export function promTotal(slo: SloSpec, window: string): string {
  return promSum(slo.sli.total, window);
}

/** The SLI's bad events over `window`: Σ bad, or total − Σ good. */
export function promBad(slo: SloSpec, window: string): string {
  if (slo.sli.bad !== undefined) return promSum(slo.sli.bad, window);
  return `(${promTotal(slo, window)}) - (${promSum(slo.sli.good ?? [], window)})`;
}

/** bad ÷ total over `window` (NaN, so no alert, without events — the pipeline's "no data"). */
export function promErrorRatio(slo: SloSpec, window: string): string {
  return `(${promBad(slo, window)})\n/\n(${promTotal(slo, window)})`;
}

/**
 * Why an SLO cannot be read from the Prometheus exporter's series, or undefined when it can: a
 * latency threshold must be one of the exporter's `le` bounds, or `_bucket{le="<maxMs>"}` does not
 * exist and the SLI would read every observation as bad. The bounds are
 * shared/provider-metric-names.ts prometheusBucketBoundsMs(), the function the exporter builds its
 * histograms with: the fixed ladder plus every threshold of the SLO catalogue in use (built-in and
 * OBS_SLO_FILE), so every SLO of that catalogue is expressible. What is left is an SLO given to a
 * generator from outside the catalogue in use, with a threshold off the ladder: left out of the
 * Prometheus outputs and named, never guessed.
 */
export function prometheusUnsupportedReason(slo: SloSpec, boundsMs: readonly number[] = prometheusBucketBoundsMs()): string | undefined {
  const missing = [...slo.sli.total, ...(slo.sli.good ?? []), ...(slo.sli.bad ?? [])].filter((s) => s.maxMs !== undefined && !boundsMs.includes(s.maxMs));
  if (missing.length === 0) return undefined;
  return `its latency threshold ${[...new Set(missing.map((s) => `${s.maxMs} ms`))].join(', ')} is not a bucket bound of the Prometheus exporter, which adds the thresholds of the SLO catalogue in use (the built-in SLOs and OBS_SLO_FILE) to its ladder (le = ${boundsMs.join(', ')} ms); this SLO is not in that catalogue`;
}

/** The SLOs the Prometheus outputs can express, and the others with the reason. */
export function prometheusExpressible(slos: readonly SloSpec[]): { slos: SloSpec[]; unsupported: Array<{ sloId: string; reason: string }> } {
  const out: SloSpec[] = [];
  const unsupported: Array<{ sloId: string; reason: string }> = [];
  const boundsMs = prometheusBucketBoundsMs();
  for (const slo of slos) {
    const reason = prometheusUnsupportedReason(slo, boundsMs);
    if (reason === undefined) out.push(slo);
    else unsupported.push({ sloId: slo.id, reason });
  }
  return { slos: out, unsupported };
}
