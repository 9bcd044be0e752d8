import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { FirestoreAlertStore } from '../../../alerts/state/firestore-alert-store';
import { describeWithEmulator } from '../../support/emulator-env';
import { overlappingRunsScenario } from './support/concurrent-runs';
import { alertStoreContract } from './support/store-contract';

/**
 * The production alert store against the real Firestore emulator (firebase-admin picks up
 * FIRESTORE_EMULATOR_HOST). Every test gets its own collection prefix.
 */
describeWithEmulator('FIRESTORE_EMULATOR_HOST', 'FirestoreAlertStore against the Firestore emulator', () => {
  let app: App;
  beforeAll(() => {
    app = initializeApp({ projectId: process.env.GOOGLE_CLOUD_PROJECT ?? 'obs-test' }, `alerts-${randomUUID()}`);
  });
  afterAll(() => deleteApp(app));

  const openStore = () => Promise.resolve({ store: new FirestoreAlertStore(getFirestore(app), `test_${randomUUID().slice(0, 8)}_`), close: () => Promise.resolve() });

  describe('the AlertStore contract', () => {
    alertStoreContract(openStore);
  });

  describe('overlapping evaluator runs', () => {
    overlappingRunsScenario(openStore);
  });
});
