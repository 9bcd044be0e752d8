/** The incidents module (issue #16): what other parts of the project import. */
export { NO_PUBLIC_INCIDENTS, type PublicIncident, type PublicIncidentSource } from './public-incident';
