/** Moved to shared/clock.ts (one Clock for every layer); kept so existing imports still resolve. */
export { FakeClock, systemClock, type Clock } from '../shared/clock';
