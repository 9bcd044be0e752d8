import { describeWhenAvailable } from './ci-gate';

/**
 * Integration tests against the real emulators, through the one "fail under CI, skip otherwise"
 * rule (ci-gate.ts): the body gets the emulator's host.
 */
export type EmulatorVariable = 'PUBSUB_EMULATOR_HOST' | 'FIRESTORE_EMULATOR_HOST';

export function describeWithEmulator(variable: EmulatorVariable, name: string, body: (host: string) => void): void {
  const host = process.env[variable];
  describeWhenAvailable(name, { missing: host ? undefined : `${variable} is not set (the emulator is not installed or not running)`, inCi: '.ci/run must start the emulator' }, () => body(host ?? ''));
}
