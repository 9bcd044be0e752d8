import { WarehouseAlertStore } from '../../../alerts/state/warehouse-alert-store';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { overlappingRunsScenario } from './support/concurrent-runs';
import { alertStoreContract } from './support/store-contract';

async function openStore() {
  const warehouse = await DuckDbWarehouse.open(':memory:');
  await warehouse.createSchema();
  return { store: new WarehouseAlertStore(warehouse), close: () => warehouse.close() };
}

describe('WarehouseAlertStore (DuckDB): the AlertStore contract', () => {
  alertStoreContract(openStore);
});

describe('WarehouseAlertStore (DuckDB): overlapping evaluator runs', () => {
  overlappingRunsScenario(openStore);
});
