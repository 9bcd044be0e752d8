import { systemClock, type Clock } from '../../../shared/clock';

/**
 * The demo's clock. A real-time demo cannot show a 10-minute alert window fire *and* resolve
 * within five minutes, so `obs start` replays the recent past: the clock stays `leadMs` behind
 * real time (running in real time) while the stack prepares its history, and from
 * {@link DemoClock.startReplay} — when live traffic starts — runs `speed` times faster until it
 * has caught up, then runs in real time. A slow backfill therefore costs no replay time (the demo
 * incident is scheduled from the replay's start), events are never from the future, and every
 * part of the stack (emitter timestamps, ingest, aggregation, alert evaluation, the dashboard, the
 * commands other shells forward into it) reads this one clock: it is the local assembly's Clock
 * (app/local.ts), the one clock shape of shared/clock.ts.
 */
export interface DemoClock extends Clock {
  /** True while the clock is behind real time (before the replay and while it runs faster). */
  catchingUp(): boolean;
  readonly speed: number;
  /** Starts the fast replay from the clock's current time; later calls do nothing. */
  startReplay(): void;
}

export function createDemoClock(options: { leadMs: number; speed: number; realNow?: () => number }): DemoClock {
  const realNow = options.realNow ?? Date.now;
  const catchUpRealMs = options.speed > 1 ? options.leadMs / (options.speed - 1) : Infinity;
  // Until the replay starts, the clock runs in real time `leadMs` behind; from then, `speed` times faster.
  let replay: { realStart: number; virtualStart: number } | undefined;
  return {
    speed: options.speed,
    // Waits (retry backoff, rate limits) are real time: only "now" is replayed.
    sleep: (ms) => systemClock.sleep(ms),
    now() {
      if (!replay) return realNow() - options.leadMs;
      const elapsed = realNow() - replay.realStart;
      return elapsed >= catchUpRealMs ? realNow() : replay.virtualStart + elapsed * options.speed;
    },
    catchingUp() {
      return !replay || realNow() - replay.realStart < catchUpRealMs;
    },
    startReplay() {
      const real = realNow();
      replay ??= { realStart: real, virtualStart: real - options.leadMs };
    },
  };
}

/** The real clock, for `--no-demo`. */
export const realClock: DemoClock = { now: () => systemClock.now(), sleep: (ms) => systemClock.sleep(ms), catchingUp: () => false, speed: 1, startReplay: () => undefined };
