/** The public status page (issue #16): what the assemblies and entry points import. */
export { createStatusRoutes, STATUS_JSON_PATH, STATUS_PATH, STATUS_CACHE_SECONDS, STATUS_MEMO_MS, type StatusRouteOptions } from './status-routes';
export { loadStatusPage, DEFAULT_IDENTITY, type StatusPageSources, type StatusPageIdentity } from './build-status';
export type { StatusSummary, StatusPageData } from './summary';
