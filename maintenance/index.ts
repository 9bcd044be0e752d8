/** Maintenance windows (issue #16): what other parts of the project import. */
export { NO_MAINTENANCE, activeMaintenance, isActiveAt, type MaintenanceOccurrence, type MaintenanceSource } from './occurrence';
