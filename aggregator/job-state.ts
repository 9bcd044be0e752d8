/** Moved to sql/job-state.ts, beside the warehouse port every layer uses it through; re-exported for existing imports. */
export { ALERTS_JOB, readJobState, recordJobRun, ROLLUP_JOB, SLO_JOB, writeJobState, type JobState } from '../sql/job-state';
