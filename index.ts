/**
 * Firebase entry point: exports every Cloud Function. Wiring only — each function parses its
 * input, calls a framework-free handler, and acks or throws.
 *
 * Not built yet: the ingest trigger (#4), aggregation and SLO schedules (#5), the alert schedule
 * (#6) and the health functions (#7) are added here as their handlers land.
 */
export {};
