import { systemClock, type Clock } from '../../../shared/clock';

/**
 * The demo's clock. A real-time demo cannot show a 10-minute alert window fire *and* resolve
 * within five minutes, so `obs start` replays the recent past: the clock starts `leadMs` behind
 * real time and runs `speed` times faster until it has caught up, then runs in real time. Events
 * are therefore never from the future, and every part of the stack (emitter timestamps, ingest,
 * aggregation, alert evaluation, the dashboard) reads this one clock: it is the local assembly's
 * Clock (app/local.ts), the one clock shape of shared/clock.ts.
 */
export interface DemoClock extends Clock {
  /** True while the clock still runs faster than real time. */
  catchingUp(): boolean;
  readonly speed: number;
}

export function createDemoClock(options: { leadMs: number; speed: number; realNow?: () => number }): DemoClock {
  const realNow = options.realNow ?? Date.now;
  const realStart = realNow();
  const virtualStart = realStart - options.leadMs;
  const catchUpRealMs = options.speed > 1 ? options.leadMs / (options.speed - 1) : Infinity;
  return {
    speed: options.speed,
    // Waits (retry backoff, rate limits) are real time: only "now" is replayed.
    sleep: (ms) => systemClock.sleep(ms),
    now() {
      const elapsed = realNow() - realStart;
      return elapsed >= catchUpRealMs ? realNow() : virtualStart + elapsed * options.speed;
    },
    catchingUp() {
      return realNow() - realStart < catchUpRealMs;
    },
  };
}

/** The real clock, for `--no-demo`. */
export const realClock: DemoClock = { now: () => systemClock.now(), sleep: (ms) => systemClock.sleep(ms), catchingUp: () => false, speed: 1 };
