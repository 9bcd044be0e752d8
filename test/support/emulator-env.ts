/**
 * Integration tests against the real emulators. Under CI=true a missing emulator *fails* the
 * suite (one failing test says which variable is missing); elsewhere the suite is skipped with a
 * note, so a laptop without the Google Cloud SDK can still run the unit tests.
 */
export type EmulatorVariable = 'PUBSUB_EMULATOR_HOST' | 'FIRESTORE_EMULATOR_HOST';

export function describeWithEmulator(variable: EmulatorVariable, name: string, body: (host: string) => void): void {
  const host = process.env[variable];
  if (host) {
    describe(name, () => body(host));
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${variable}: the emulator must be running under CI`, () => {
        throw new Error(`${variable} is not set and CI=true: .ci/run must start the emulator; integration tests do not skip in CI`);
      });
    });
    return;
  }
  describe.skip(`${name} (skipped: ${variable} not set and the emulator is not installed)`, () => body(''));
}
