/** The incidents module (issue #16): what other parts of the project import. */
export { NO_PUBLIC_INCIDENTS, type PublicIncident, type PublicIncidentSource } from './public-incident';
/** The status page's source on an incident store: `storePublicIncidents(() => store)` (production: ProductionApp.incidents()). */
export { storePublicIncidents, toPublicIncident } from './public-incidents';
export type { Incident, IncidentEntry } from './incident';
export type { IncidentStore } from './incident-store';
export { WarehouseIncidentStore } from './warehouse-incident-store';
