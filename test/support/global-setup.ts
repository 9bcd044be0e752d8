import { emulatorInstalled, startEmulator, type RunningEmulator } from '../../cli/local/emulators';

declare global {
  var __obsEmulators: RunningEmulator[] | undefined;
}

/**
 * `.ci/run` starts the emulators and exports PUBSUB_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST.
 * When `npm test` runs on its own (a developer's laptop), start any installed emulator that is not
 * configured yet, so the integration tests run there too. Workers inherit the environment.
 */
export default async function globalSetup(): Promise<void> {
  const started: RunningEmulator[] = [];
  const wanted = [
    { kind: 'pubsub' as const, env: 'PUBSUB_EMULATOR_HOST' },
    { kind: 'firestore' as const, env: 'FIRESTORE_EMULATOR_HOST' },
  ];
  await Promise.all(
    wanted.map(async ({ kind, env }) => {
      if (process.env[env] || !emulatorInstalled(kind)) return;
      const emulator = await startEmulator(kind);
      process.env[env] = emulator.host;
      started.push(emulator);
    }),
  );
  process.env.GOOGLE_CLOUD_PROJECT ??= 'obs-test';
  // No GCE metadata server off Google Cloud: stop google-auth probing for one (it only warns).
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  globalThis.__obsEmulators = started;
  // If jest dies before global teardown, do not leave JVMs behind.
  process.once('exit', () => {
    for (const e of started) {
      try {
        process.kill(-e.pid, 'SIGKILL');
      } catch {
        // already stopped by teardown
      }
    }
  });
}
