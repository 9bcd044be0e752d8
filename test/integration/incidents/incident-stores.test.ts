import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { FirestoreIncidentStore } from '../../../incidents/firestore-incident-store';
import { WarehouseIncidentStore } from '../../../incidents/warehouse-incident-store';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { describeWithEmulator } from '../../support/emulator-env';
import { incidentStoreContract } from './support/incident-store-contract';

describe('WarehouseIncidentStore on DuckDB (obs start, the CLI)', () => {
  incidentStoreContract(async () => {
    const warehouse = await DuckDbWarehouse.open(':memory:');
    await warehouse.createSchema();
    return { store: new WarehouseIncidentStore(warehouse), close: () => warehouse.close() };
  });
});

/** The production store against the real Firestore emulator; every test gets its own collection prefix. */
describeWithEmulator('FIRESTORE_EMULATOR_HOST', 'FirestoreIncidentStore against the Firestore emulator', () => {
  let app: App;
  beforeAll(() => {
    app = initializeApp({ projectId: process.env.GOOGLE_CLOUD_PROJECT ?? 'obs-test' }, `incidents-${randomUUID()}`);
  });
  afterAll(() => deleteApp(app));

  incidentStoreContract(() => Promise.resolve({ store: new FirestoreIncidentStore(getFirestore(app), `test_${randomUUID().slice(0, 8)}_`), close: () => Promise.resolve() }));
});
