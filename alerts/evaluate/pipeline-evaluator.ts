import { compare, type PipelineCheck } from '../../shared/alert-rules';
import { METRICS } from '../../shared/metric-catalogue';
import { MODULE_IDS, type ModuleId } from '../../shared/modules';
import type { Observation } from '../model/alert-instance';
import { ruleLabels, type PipelineAlertRule } from '../model/alert-rule';
import { FAILING_CHANNEL_LABEL, fingerprintOf } from '../model/labels';
import type { MetricActivity } from './pipeline-data';
import type { RuleDataSnapshot } from './rule-data';

const DAY_MS = 86_400_000;
type Check<T extends PipelineCheck['type']> = Extract<PipelineCheck, { type: T }>;

/** Minutes to one decimal, rounded down: what "12.3 min >= 10 min" shows. */
const minutes = (ms: number): number => Math.floor(ms / 6_000) / 10;

/**
 * Evaluates one of the pipeline's own rules on a snapshot taken at `data.nowMs` (the semantics of
 * each check are in docs/ALERTS.md, "Alerts about the pipeline"). Pure. Missing data never
 * breaches: a job that never ran, a window without messages, a channel without attempts.
 */
export function evaluatePipelineRule(rule: PipelineAlertRule, data: RuleDataSnapshot): Observation[] {
  const nowMs = data.nowMs;
  const check = rule.check;
  if (nowMs === null) return check.type === 'job-stale' || check.type === 'dead-letter-ratio' ? [single(rule, null, {})] : [];
  switch (check.type) {
    case 'job-stale':
      return [jobStale(rule, check, data, nowMs)];
    case 'dead-letter-ratio':
      return [deadLetters(rule, check, data)];
    case 'module-absent':
      return moduleAbsent(rule, check, data, nowMs);
    case 'channel-failing':
      return channelFailing(rule, check, data, nowMs);
  }
}

/** An ungrouped observation: breaching when the value compares true against the rule's threshold. */
function single(rule: PipelineAlertRule, value: number | null, detail: Record<string, unknown>, guard = true): Observation {
  return {
    fingerprint: fingerprintOf(rule.id, {}),
    ruleId: rule.id,
    labels: ruleLabels(rule),
    value,
    threshold: rule.threshold,
    breaching: guard && value !== null && compare(rule.comparator, value, rule.threshold),
    detail: { check: rule.check.type, ...detail },
  };
}

/**
 * `job-stale`: the age of the job's clock — the rollup watermark (events ingested up to it are
 * rolled up) or the last successful run — at evaluation time, or, with `behindJob`, at that other
 * job's last run. The evaluator reads its own row before this run records itself, so the age is
 * the gap since the previous successful evaluation: a run after a gap fires, and the next run on
 * schedule resolves it.
 */
function jobStale(rule: PipelineAlertRule, check: Check<'job-stale'>, data: RuleDataSnapshot, nowMs: number): Observation {
  const row = data.jobState(check.job);
  const atMs = row === undefined ? null : check.clock === 'watermark' ? (row.watermarkMs ?? row.lastRunMs) : row.lastRunMs;
  const otherRunMs = check.behindJob === undefined ? nowMs : (data.jobState(check.behindJob)?.lastRunMs ?? null);
  const untilMs = otherRunMs === null ? null : Math.min(nowMs, otherRunMs);
  const detail = { job: check.job, clock: check.clock, atMs, untilMs, behindJob: check.behindJob ?? null, maxAgeSeconds: check.maxAgeSeconds, neverRan: atMs === null };
  return single(rule, atMs === null || untilMs === null ? null : minutes(Math.max(0, untilMs - atMs)), detail);
}

/**
 * `dead-letter-ratio`: dead-lettered messages ÷ messages received, in percent, over the window.
 * Below `minMessages` the ratio is shown but never breaches: with 20 messages one bad message is
 * 5%. (A total ingest failure at low volume still pages: the modules go silent.)
 */
function deadLetters(rule: PipelineAlertRule, check: Check<'dead-letter-ratio'>, data: RuleDataSnapshot): Observation {
  const counts = data.deadLetters(check.windowSeconds);
  if (!counts || counts.messages === 0) return single(rule, counts ? 0 : null, { windowSeconds: check.windowSeconds, ...counts });
  const percent = Math.round(((100 * counts.deadLetteredMessages) / counts.messages) * 100) / 100;
  const lowTraffic = counts.messages < check.minMessages;
  return single(rule, percent, { windowSeconds: check.windowSeconds, ...counts, minMessages: check.minMessages, lowTraffic }, !lowTraffic);
}

/** Per module: events per UTC day start, and events in the silent window. */
function activityByModule(rows: readonly MetricActivity[]): Map<ModuleId, { days: Map<number, number>; recent: number }> {
  const out = new Map<ModuleId, { days: Map<number, number>; recent: number }>();
  for (const row of rows) {
    const module = (METRICS as Readonly<Record<string, { module: ModuleId } | undefined>>)[row.metric]?.module;
    if (!module) continue;
    let entry = out.get(module);
    if (!entry) out.set(module, (entry = { days: new Map(), recent: 0 }));
    if (row.dayStartMs === null) entry.recent += row.events;
    else entry.days.set(row.dayStartMs, (entry.days.get(row.dayStartMs) ?? 0) + row.events);
  }
  return out;
}

/**
 * `module-absent`, one instance per module that counts as active: events on each of the
 * `activeDays` complete UTC days before its current silence, where the silence may already span
 * up to `maxSilentDays` whole days (so an alert keeps firing through a day-long outage, instead of
 * resolving at midnight because yesterday no longer had events). It breaches when the module has
 * no events in the `silentSeconds` before the rollup watermark (or now, when the rollups are
 * current): stale rollups do not make every module look silent — `pipeline-stale-rollups` pages
 * for them — and do not end an absence already under way either.
 */
function moduleAbsent(rule: PipelineAlertRule, check: Check<'module-absent'>, data: RuleDataSnapshot, nowMs: number): Observation[] {
  const read = data.moduleActivity(check.activeDays + check.maxSilentDays, check.silentSeconds);
  if (!read) return [];
  const todayMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const byModule = activityByModule(read.rows);
  const observations: Observation[] = [];
  for (const module of MODULE_IDS) {
    const activity = byModule.get(module);
    if (!activity) continue;
    const eventsOn = (daysAgo: number) => activity.days.get(todayMs - daysAgo * DAY_MS) ?? 0;
    let silentDays = 0;
    while (silentDays < check.maxSilentDays && eventsOn(silentDays + 1) === 0) silentDays++;
    const activeDays = Array.from({ length: check.activeDays }, (_, i) => eventsOn(silentDays + 1 + i));
    if (activeDays.some((events) => events === 0)) continue;
    const meanPerDay = activeDays.reduce((sum, events) => sum + events, 0) / activeDays.length;
    if ((meanPerDay * check.silentSeconds) / 86_400 < check.minExpectedEvents) continue; // too quiet for silence to mean anything
    observations.push({
      fingerprint: fingerprintOf(rule.id, { module }),
      ruleId: rule.id,
      labels: { ...ruleLabels(rule), module },
      value: activity.recent,
      threshold: rule.threshold,
      breaching: compare(rule.comparator, activity.recent, rule.threshold),
      detail: { check: check.type, silentSeconds: check.silentSeconds, windowEndMs: read.windowEndMs, recentEvents: activity.recent, activeDayEvents: activeDays, expectedEvents: Math.round((meanPerDay * check.silentSeconds) / 86_400), silentDays },
    });
  }
  return observations;
}

/**
 * `channel-failing`, one instance per channel with delivery attempts in the lookback: the minutes
 * since the first failed attempt after the channel's last success. It breaches once every attempt
 * has failed for `failingForSeconds`. Looking back further than that (an hour) bridges the retry
 * backoff, which spaces a stuck notification's attempts up to 30 minutes apart: requiring an
 * attempt in every 10-minute window would resolve and re-fire along the backoff. One success
 * ends the run of failures and the alert resolves.
 */
function channelFailing(rule: PipelineAlertRule, check: Check<'channel-failing'>, data: RuleDataSnapshot, nowMs: number): Observation[] {
  const rows = data.channelDeliveries(check.lookbackSeconds) ?? [];
  return rows.map((row) => {
    const failingSinceMs = row.failuresSinceSuccess > 0 ? row.firstFailureSinceSuccessMs : null;
    const value = failingSinceMs === null ? 0 : minutes(Math.max(0, nowMs - failingSinceMs));
    const groupTags = { [FAILING_CHANNEL_LABEL]: row.channel };
    return {
      fingerprint: fingerprintOf(rule.id, groupTags),
      ruleId: rule.id,
      labels: { ...groupTags, ...ruleLabels(rule) },
      value,
      threshold: rule.threshold,
      breaching: failingSinceMs !== null && compare(rule.comparator, value, rule.threshold),
      detail: { check: check.type, channel: row.channel, attempts: row.attempts, failuresSinceSuccess: row.failuresSinceSuccess, failingSinceMs, lastSuccessMs: row.lastSuccessMs, lastFailureMs: row.lastFailureMs },
    };
  });
}
