import { isModuleId } from '../shared/modules';
import { maintenanceWindowDelete, maintenanceWindowsLoad } from '../sql/queries/maintenance';
import { numberOf } from '../sql/row-values';
import type { Row, Warehouse } from '../sql/warehouse';
import type { MaintenanceStore } from './maintenance-store';
import { checkRecurrence } from './recurrence';
import type { MaintenanceWindow } from './window';

/** The maintenance store on the warehouse table `maintenance_windows` (sql/tables.ts). */
export class WarehouseMaintenanceStore implements MaintenanceStore {
  constructor(private readonly warehouse: Warehouse) {}

  async save(window: MaintenanceWindow): Promise<void> {
    await this.warehouse.upsert('maintenance_windows', [windowToRow(window)]);
  }

  async list(): Promise<MaintenanceWindow[]> {
    return (await this.warehouse.query(maintenanceWindowsLoad)).map(rowToWindow);
  }

  async remove(id: string): Promise<MaintenanceWindow | undefined> {
    const window = (await this.list()).find((w) => w.id === id);
    if (window) await this.warehouse.execute(maintenanceWindowDelete, { window_id: id });
    return window;
  }
}

export function windowToRow(w: MaintenanceWindow): Row {
  return {
    window_id: w.id,
    module: w.module,
    title: w.title,
    exclude_from_budget: w.excludeFromBudget,
    starts_at: w.startsAtMs,
    ends_at: w.endsAtMs,
    recurrence: w.recurrence === null ? null : JSON.stringify(w.recurrence),
    created_at: w.createdAtMs,
    created_by: w.createdBy,
  };
}

/** A stored row back to a window; throws naming the row when it is not one (edited by hand). */
export function rowToWindow(row: Row): MaintenanceWindow {
  const id = String(row.window_id);
  try {
    if (!isModuleId(row.module)) throw new Error(`unknown module ${JSON.stringify(row.module)}`);
    const recurrenceText = row.recurrence;
    const recurrence = recurrenceText === null || recurrenceText === undefined || recurrenceText === 'null' ? null : checkRecurrence(JSON.parse(String(recurrenceText)));
    return {
      id,
      module: row.module,
      title: String(row.title),
      excludeFromBudget: row.exclude_from_budget === true || row.exclude_from_budget === 'true',
      startsAtMs: numberOf(row.starts_at_ms),
      endsAtMs: row.ends_at_ms === null || row.ends_at_ms === undefined ? null : numberOf(row.ends_at_ms),
      recurrence,
      createdAtMs: numberOf(row.created_at_ms),
      createdBy: String(row.created_by),
    };
  } catch (error) {
    throw new Error(`maintenance window ${id} in the warehouse is not valid: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
