import { existsSync } from 'node:fs';
import { describeWhenAvailable } from './ci-gate';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for headless Chromium on these machines (no network beyond loopback, running as root). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Browser tests: under CI=true a missing Chromium fails (.ci/run installs it); elsewhere they skip (ci-gate.ts). */
export function describeWithChromium(name: string, body: () => void): void {
  describeWhenAvailable(name, { missing: existsSync(CHROMIUM_PATH) ? undefined : `Chromium is not installed at ${CHROMIUM_PATH}`, inCi: '.ci/run must install it (apt-get install chromium)' }, body);
}
