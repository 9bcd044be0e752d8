/** The part of Cloud Scheduler's event the scheduled functions read (firebase-functions' ScheduledEvent). */
export interface ScheduledEventLike {
  readonly scheduleTime?: string;
}

/**
 * "now" of a scheduled run: the schedule time, so a retried run computes the same windows as the
 * first attempt; the clock only for a manual run (no usable scheduleTime).
 */
export function scheduledNowMs(event: ScheduledEventLike, clock: () => number): number {
  const parsed = event.scheduleTime === undefined ? Number.NaN : Date.parse(event.scheduleTime);
  return Number.isFinite(parsed) ? parsed : clock();
}
