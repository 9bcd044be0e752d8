import { IANAZone } from 'luxon';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { burnFactor } from '../alerts/rules/burn-rate-rules';
import { BURN_RATE_TABLE } from '../alerts/rules/burn-rate-windows';
import { allowedTagKeys, getMetric, isMetricName } from '../shared/metric-catalogue';
import { isModuleId } from '../shared/modules';
import type { EventSelector, SloCategory, SloSpec } from '../shared/slo-catalogue';
import { OBS_METRIC_SOURCE, OPENSLO_API_VERSION } from './openslo-model';

/**
 * Reads OpenSLO v1 YAML (multi-document) into catalogue SLOs — the inverse of openslo-export.ts,
 * whose mapping openslo-model.ts describes — and checks EVERYTHING before giving up: every
 * problem of every document is collected as `{where, problem}` (file:line, the document and the
 * field path), so one run names them all. Nothing is half-imported: with any problem, the caller
 * (slo-file.ts) uses no SLO of the file.
 *
 * Supported: kinds SLO, SLI, AlertPolicy, AlertCondition (a `Service` document is accepted and
 * ignored); `budgetingMethod: Occurrences`; one `timeWindow`, rolling whole days (`28d`, `30d`)
 * or a calendar month (`duration: 1M`, `isRolling: false`, `calendar.timeZone`); one objective;
 * `ratioMetric` (counter) or `thresholdMetric` (with `op: lte`); metric sources of `type: obs`.
 * Alert policies, when given, must be the pipeline's own burn-rate table (an imported SLO is
 * alerted on exactly like a built-in one); another policy is a problem, not silently replaced.
 */

export interface SloFileProblem {
  /** `slos.yaml:12 (document 2, SLO wallet-refunds) spec.objectives[0].target` */
  readonly where: string;
  readonly problem: string;
  /** 1-based line in the file, when known (problems are listed in line order). */
  readonly line?: number;
}

export interface ImportResult {
  /** Every SLO that read without a problem (with problems elsewhere, still not to be used). */
  readonly slos: SloSpec[];
  readonly problems: SloFileProblem[];
}

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const CATEGORIES: readonly SloCategory[] = ['availability', 'latency', 'success_rate'];
const KINDS = ['SLO', 'SLI', 'AlertPolicy', 'AlertCondition', 'Service'] as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface DocContext {
  readonly index: number;
  readonly kind: string;
  readonly name: string;
  readonly doc: Document;
  readonly body: Json;
}

class Problems {
  readonly list: SloFileProblem[] = [];
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  /** A problem at `path` (dot/bracket path inside the document) of `ctx`. */
  at(ctx: DocContext | { index: number; doc?: Document; kind?: string; name?: string }, path: Array<string | number>, problem: string): void {
    const node = ctx.doc && path.length > 0 ? (ctx.doc.getIn(path, true) as { range?: [number, number, number] } | undefined) : undefined;
    const offset = node?.range?.[0] ?? (ctx.doc?.range?.[0] ?? 0);
    const line = this.lines.linePos(offset).line;
    const what = ctx.kind ? `${ctx.kind}${ctx.name ? ` ${ctx.name}` : ''}` : '';
    const field = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
    this.list.push({ line, where: `${this.file}:${line} (document ${ctx.index + 1}${what ? `, ${what}` : ''})${field ? ` ${field}` : ''}`, problem });
  }
}

/** Reads and checks a whole file; `file` is the name used in problems. */
export function importOpenSlo(text: string, file: string): ImportResult {
  const lines = new LineCounter();
  const problems = new Problems(file, lines);
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
  const contexts: DocContext[] = [];
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) problems.at({ index: 0 }, [], 'not a YAML stream');
  list.forEach((doc, index) => {
    for (const error of doc.errors) problems.at({ index, doc }, [], `YAML: ${error.message.split('\n')[0]}`);
    if (doc.errors.length > 0) return;
    const body: unknown = doc.toJS();
    if (body === null || body === undefined) return; // an empty document (a trailing ---)
    if (!isObject(body)) return problems.at({ index, doc }, [], 'a document must be a mapping (apiVersion, kind, metadata, spec)');
    const kind = typeof body.kind === 'string' ? body.kind : '';
    const metadata = isObject(body.metadata) ? body.metadata : {};
    const name = typeof metadata.name === 'string' ? metadata.name : '';
    const ctx: DocContext = { index, kind, name, doc, body };
    if (body.apiVersion !== OPENSLO_API_VERSION) problems.at(ctx, ['apiVersion'], `must be ${OPENSLO_API_VERSION}, got ${JSON.stringify(body.apiVersion ?? null)}`);
    if (!(KINDS as readonly string[]).includes(kind)) return problems.at(ctx, ['kind'], `must be one of ${KINDS.join(', ')}, got ${JSON.stringify(body.kind ?? null)}`);
    if (!isObject(body.metadata)) problems.at(ctx, ['metadata'], 'is required (with a name)');
    else if (!NAME.test(name)) problems.at(ctx, ['metadata', 'name'], `must be a lower-case DNS label (a-z, 0-9, -; at most 63 characters), got ${JSON.stringify(metadata.name ?? null)}`);
    if (!isObject(body.spec)) return problems.at(ctx, ['spec'], 'is required');
    contexts.push(ctx);
  });

  const byKind = (kind: string) => contexts.filter((c) => c.kind === kind);
  for (const kind of KINDS) {
    const seen = new Map<string, DocContext>();
    for (const c of byKind(kind)) {
      const first = seen.get(c.name);
      if (first && c.name) problems.at(c, ['metadata', 'name'], `a second ${kind} named ${c.name} (the first is document ${first.index + 1})`);
      else seen.set(c.name, c);
    }
  }
  const slis = new Map(byKind('SLI').map((c) => [c.name, c]));
  const policies = new Map(byKind('AlertPolicy').map((c) => [c.name, c]));
  const conditions = new Map(byKind('AlertCondition').map((c) => [c.name, c]));

  const slos: SloSpec[] = [];
  const usedSlis = new Set<string>();
  for (const ctx of byKind('SLO')) {
    const slo = readSlo(ctx, { slis, policies, conditions, usedSlis }, problems);
    if (slo) slos.push(slo);
  }
  // An SLI no SLO names is still checked (its threshold, if any, would come from an SLO).
  for (const ctx of byKind('SLI')) {
    if (!usedSlis.has(ctx.name)) readSli(ctx.body.spec as Json, 'lte', 1, (path, text) => problems.at(ctx, ['spec', ...path], text));
  }
  // One problem once (an SLI two SLOs name is read twice), in line order.
  const unique = [...new Map(problems.list.map((p) => [`${p.where}\u0000${p.problem}`, p])).values()];
  return { slos, problems: unique.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
}

interface Refs {
  readonly slis: ReadonlyMap<string, DocContext>;
  readonly policies: ReadonlyMap<string, DocContext>;
  readonly conditions: ReadonlyMap<string, DocContext>;
  readonly usedSlis: Set<string>;
}

function readSlo(ctx: DocContext, refs: Refs, problems: Problems): SloSpec | undefined {
  const spec = ctx.body.spec as Json;
  const before = problems.list.length;
  const p = (path: Array<string | number>, problem: string) => problems.at(ctx, ['spec', ...path], problem);
  const metadata = ctx.body.metadata as Json;

  if (!isModuleId(spec.service)) p(['service'], `must be a module id of the catalogue (shared/modules.ts), got ${JSON.stringify(spec.service ?? null)}`);
  if (spec.budgetingMethod !== 'Occurrences') p(['budgetingMethod'], `must be Occurrences (the pipeline counts good and total events), got ${JSON.stringify(spec.budgetingMethod ?? null)}`);
  if (spec.description !== undefined && typeof spec.description !== 'string') p(['description'], 'must be a string');

  // The time window: rolling whole days, or a calendar month in a time zone.
  let windowDays = 30;
  let calendar: SloSpec['calendar'];
  const windows = spec.timeWindow;
  if (!Array.isArray(windows) || windows.length !== 1 || !isObject(windows[0])) p(['timeWindow'], 'must be a list of exactly one time window');
  else {
    const w = windows[0];
    if (w.isRolling === true) {
      const days = typeof w.duration === 'string' ? /^([1-9]\d{0,2})d$/.exec(w.duration) : null;
      if (!days) p(['timeWindow', 0, 'duration'], `a rolling window must be whole days (e.g. 30d), got ${JSON.stringify(w.duration ?? null)}`);
      else windowDays = Number(days[1]);
    } else if (w.isRolling === false) {
      if (w.duration !== '1M') p(['timeWindow', 0, 'duration'], `a calendar window must be 1M (one month), got ${JSON.stringify(w.duration ?? null)}`);
      const cal = w.calendar;
      if (!isObject(cal)) p(['timeWindow', 0, 'calendar'], 'is required for a calendar window (startTime, timeZone)');
      else {
        if (typeof cal.timeZone !== 'string' || !IANAZone.isValidZone(cal.timeZone)) p(['timeWindow', 0, 'calendar', 'timeZone'], `must be an IANA time zone such as Europe/Berlin or UTC, got ${JSON.stringify(cal.timeZone ?? null)}`);
        else calendar = { unit: 'month', timeZone: cal.timeZone };
        if (typeof cal.startTime !== 'string' || !/^\d{4}-\d{2}-01[ T]00:00:00$/.test(cal.startTime)) p(['timeWindow', 0, 'calendar', 'startTime'], `must be the start of a month, e.g. "2026-01-01 00:00:00", got ${JSON.stringify(cal.startTime ?? null)}`);
      }
    } else p(['timeWindow', 0, 'isRolling'], 'must be true (rolling days) or false (a calendar month)');
  }

  // The objective.
  let objective = NaN;
  let op: unknown;
  let value: unknown;
  const objectives = spec.objectives;
  if (!Array.isArray(objectives) || objectives.length !== 1 || !isObject(objectives[0])) p(['objectives'], 'must be a list of exactly one objective');
  else {
    const o = objectives[0];
    if (o.target !== undefined && o.targetPercent !== undefined) p(['objectives', 0], 'give target or targetPercent, not both');
    const target = o.target !== undefined ? o.target : typeof o.targetPercent === 'number' ? o.targetPercent / 100 : undefined;
    if (typeof target !== 'number' || !(target > 0 && target < 1)) p(['objectives', 0, o.target !== undefined ? 'target' : 'targetPercent'], `must be a fraction between 0 and 1 exclusive (target: 0.999) or a percentage (targetPercent: 99.9), got ${JSON.stringify(o.target ?? o.targetPercent ?? null)}`);
    else objective = target;
    op = o.op;
    value = o.value;
  }

  // The indicator: a reference to an SLI document, or inline.
  let sliCtx: DocContext | undefined;
  if ((spec.indicatorRef === undefined) === (spec.indicator === undefined)) p(['indicatorRef'], 'give exactly one of indicatorRef or indicator');
  else if (spec.indicatorRef !== undefined) {
    sliCtx = typeof spec.indicatorRef === 'string' ? refs.slis.get(spec.indicatorRef) : undefined;
    if (!sliCtx) p(['indicatorRef'], `names no SLI document in the file: ${JSON.stringify(spec.indicatorRef)}`);
    else refs.usedSlis.add(sliCtx.name);
  } else if (!isObject(spec.indicator) || !isObject(spec.indicator.spec)) p(['indicator'], 'must be an SLI (metadata, spec)');
  const sliSpec = sliCtx ? (sliCtx.body.spec as Json) : isObject(spec.indicator) && isObject(spec.indicator.spec) ? spec.indicator.spec : undefined;
  const sliProblem = sliCtx ? (path: Array<string | number>, problem: string) => problems.at(sliCtx, ['spec', ...path], problem) : (path: Array<string | number>, problem: string) => p(['indicator', 'spec', ...path], problem);
  const sli = sliSpec ? readSli(sliSpec, op, value, sliProblem) : undefined;
  if (sliSpec && sli === undefined && problems.list.length === before) sliProblem([], 'is not a usable SLI');
  if (op !== undefined && !(sliSpec && isObject(sliSpec.thresholdMetric))) p(['objectives', 0, 'op'], 'op and value belong to a thresholdMetric SLI only');

  const labels = isObject(metadata.labels) ? metadata.labels : {};
  const categoryLabel: unknown = Array.isArray(labels.category) ? (labels.category as unknown[])[0] : labels.category;
  let category: SloCategory = sliSpec && isObject(sliSpec.thresholdMetric) ? 'latency' : 'success_rate';
  if (categoryLabel !== undefined) {
    if (!(CATEGORIES as readonly unknown[]).includes(categoryLabel)) problems.at(ctx, ['metadata', 'labels', 'category'], `must be one of ${CATEGORIES.join(', ')}, got ${JSON.stringify(categoryLabel)}`);
    else category = categoryLabel as SloCategory;
  }

  const draft = { id: ctx.name, windowDays };
  readPolicies(spec, draft, refs, p, problems);

  if (problems.list.length > before || !sli || !isModuleId(spec.service)) return undefined;
  const displayName = typeof metadata.displayName === 'string' && metadata.displayName.trim() !== '' ? metadata.displayName : ctx.name;
  return {
    id: ctx.name,
    name: displayName,
    module: spec.service,
    category,
    objective,
    windowDays,
    ...(calendar ? { calendar } : {}),
    description: typeof spec.description === 'string' ? spec.description : '',
    sli,
  };
}

/** The selectors of one metricSource, checked against the metric catalogue. */
function readSource(source: unknown, path: Array<string | number>, problem: (path: Array<string | number>, text: string) => void): EventSelector[] | undefined {
  const wrapped = isObject(source) ? source.metricSource : undefined;
  if (!isObject(wrapped)) return void problem(path, 'must have a metricSource (type: obs, spec.metrics)');
  const at = [...path, 'metricSource'];
  if (wrapped.type !== OBS_METRIC_SOURCE) problem([...at, 'type'], `must be ${OBS_METRIC_SOURCE} (this pipeline's event log), got ${JSON.stringify(wrapped.type ?? null)}`);
  const metrics = isObject(wrapped.spec) ? wrapped.spec.metrics : undefined;
  if (!Array.isArray(metrics) || metrics.length === 0) return void problem([...at, 'spec', 'metrics'], 'must be a non-empty list of {metric, where?, maxMs?}');
  const out: EventSelector[] = [];
  let ok = wrapped.type === OBS_METRIC_SOURCE;
  metrics.forEach((m: unknown, i) => {
    const mp = [...at, 'spec', 'metrics', i];
    if (!isObject(m)) return void ((ok = false), problem(mp, 'must be a mapping {metric, where?, maxMs?}'));
    if (!isMetricName(m.metric)) return void ((ok = false), problem([...mp, 'metric'], `is not a metric of the catalogue (obs catalog lists them): ${JSON.stringify(m.metric ?? null)}`));
    const kind = getMetric(m.metric).kind;
    if (kind === 'gauge') return void ((ok = false), problem([...mp, 'metric'], `${m.metric} is a gauge; an SLI counts events (count or timing metrics)`));
    const selector: { metric: typeof m.metric; where?: Record<string, string>; maxMs?: number } = { metric: m.metric };
    if (m.where !== undefined) {
      if (!isObject(m.where) || !Object.values(m.where).every((v) => typeof v === 'string')) {
        ok = false;
        problem([...mp, 'where'], 'must map tag names to string values');
      } else {
        const allowed = allowedTagKeys(m.metric);
        for (const key of Object.keys(m.where)) {
          if (allowed && !allowed.has(key)) {
            ok = false;
            problem([...mp, 'where', key], `${m.metric} has no tag ${key} (its tags: ${[...allowed].sort().join(', ')})`);
          }
        }
        if (Object.keys(m.where).length > 0) selector.where = m.where as Record<string, string>;
      }
    }
    if (m.maxMs !== undefined) {
      if (kind !== 'timing') {
        ok = false;
        problem([...mp, 'maxMs'], `applies to timing metrics only, not ${m.metric}`);
      } else if (typeof m.maxMs !== 'number' || !(m.maxMs > 0) || !Number.isFinite(m.maxMs)) {
        ok = false;
        problem([...mp, 'maxMs'], `must be a positive number of milliseconds, got ${JSON.stringify(m.maxMs)}`);
      } else selector.maxMs = m.maxMs;
    }
    out.push(selector);
  });
  return ok ? out : undefined;
}

function readSli(spec: Json, op: unknown, value: unknown, problem: (path: Array<string | number>, text: string) => void): SloSpec['sli'] | undefined {
  if (isObject(spec.ratioMetric) === isObject(spec.thresholdMetric)) return void problem([], 'give exactly one of ratioMetric or thresholdMetric');
  if (isObject(spec.thresholdMetric)) {
    const selectors = readSource(spec.thresholdMetric, ['thresholdMetric'], problem);
    let ok = true;
    if (op !== 'lte') {
      ok = false;
      problem(['thresholdMetric'], `the SLO's objective needs op: lte (good = at or under the threshold), got ${JSON.stringify(op ?? null)}`);
    }
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
      ok = false;
      problem(['thresholdMetric'], `the SLO's objective needs value: the threshold in milliseconds, got ${JSON.stringify(value ?? null)}`);
    }
    if (!selectors || !ok) return undefined;
    if (selectors.length !== 1) return void problem(['thresholdMetric', 'metricSource', 'spec', 'metrics'], 'a thresholdMetric reads exactly one metric');
    const [only] = selectors as [EventSelector];
    if (getMetric(only.metric).kind !== 'timing') return void problem(['thresholdMetric', 'metricSource', 'spec', 'metrics', 0, 'metric'], `a thresholdMetric needs a timing metric, not ${only.metric}`);
    if (only.maxMs !== undefined) return void problem(['thresholdMetric', 'metricSource', 'spec', 'metrics', 0, 'maxMs'], "the threshold is the objective's value, not maxMs");
    return { total: [only], good: [{ ...only, maxMs: value as number }] };
  }
  const ratio = spec.ratioMetric as Json;
  if (ratio.counter !== undefined && ratio.counter !== true) problem(['ratioMetric', 'counter'], 'must be true: the SLI counts events');
  if ((ratio.good === undefined) === (ratio.bad === undefined)) return void problem(['ratioMetric'], 'give total and exactly one of good or bad');
  const total = ratio.total === undefined ? void problem(['ratioMetric', 'total'], 'is required') : readSource(ratio.total, ['ratioMetric', 'total'], problem);
  const goodOrBad = ratio.good !== undefined ? 'good' : 'bad';
  const part = readSource(ratio[goodOrBad], ['ratioMetric', goodOrBad], problem);
  if (total?.some((s) => s.maxMs !== undefined)) return void problem(['ratioMetric', 'total'], 'total selectors take no maxMs (a threshold picks good events)');
  if (!total || !part || ratio.counter === false) return undefined;
  return goodOrBad === 'good' ? { total, good: part } : { total, bad: part };
}

/** Alert policies, inline or by name: each must be a row of the pipeline's burn-rate table. */
function readPolicies(spec: Json, slo: { id: string; windowDays: number }, refs: Refs, p: (path: Array<string | number>, text: string) => void, problems: Problems): void {
  const list = spec.alertPolicies;
  if (list === undefined) return;
  if (!Array.isArray(list)) return p(['alertPolicies'], 'must be a list of AlertPolicy names or inline AlertPolicies');
  list.forEach((entry: unknown, i) => {
    let policy: Json | undefined;
    let at = (path: Array<string | number>, text: string) => p(['alertPolicies', i, ...path], text);
    if (typeof entry === 'string') {
      const ctx = refs.policies.get(entry);
      if (!ctx) return at([], `names no AlertPolicy document in the file: ${JSON.stringify(entry)}`);
      policy = ctx.body.spec as Json;
      at = (path, text) => problems.at(ctx, ['spec', ...path], text);
    } else if (isObject(entry) && isObject(entry.spec)) {
      policy = entry.spec;
      at = (path, text) => p(['alertPolicies', i, 'spec', ...path], text);
    } else return at([], 'must be an AlertPolicy name or an inline AlertPolicy');
    const conditions = policy.conditions;
    if (!Array.isArray(conditions) || conditions.length !== 1) return at(['conditions'], 'must hold exactly one condition (OpenSLO v1)');
    const c0: unknown = conditions[0];
    let condition: Json | undefined;
    if (isObject(c0) && typeof c0.conditionRef === 'string') {
      const ctx = refs.conditions.get(c0.conditionRef);
      if (!ctx) return at(['conditions', 0, 'conditionRef'], `names no AlertCondition document in the file: ${JSON.stringify(c0.conditionRef)}`);
      condition = ctx.body.spec as Json;
    } else if (isObject(c0) && isObject(c0.spec)) condition = c0.spec;
    else return at(['conditions', 0], 'must be an inline AlertCondition or a conditionRef');
    const cond = isObject(condition.condition) ? condition.condition : {};
    const row = BURN_RATE_TABLE.find((r) => r.tier === condition.severity && r.longWindow === cond.lookbackWindow && r.shortWindow === cond.alertAfter);
    const table = BURN_RATE_TABLE.map((r) => `${r.tier} ${burnFactor(r, slo.windowDays)}× over ${r.longWindow}/${r.shortWindow}`).join('; ');
    if (cond.kind !== 'burnrate' || cond.op !== 'gt' || !row || cond.threshold !== burnFactor(row, slo.windowDays)) {
      return at(['conditions', 0], `is not one of the pipeline's burn-rate alerts for this SLO (${table}); got ${JSON.stringify({ severity: condition.severity, ...cond })}. Imported SLOs are alerted on with the pipeline's table; leave alertPolicies out or use these`);
    }
  });
}
