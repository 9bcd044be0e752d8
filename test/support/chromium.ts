import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for headless Chromium on these machines (no network beyond loopback, running as root). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Browser tests: under CI=true a missing Chromium fails (.ci/run installs it); elsewhere they skip. */
export function describeWithChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM_PATH)) describe(name, body);
  else if (process.env.CI === 'true') {
    describe(name, () => it('needs Chromium at /usr/bin/chromium', () => {
      throw new Error('Chromium is not installed and CI=true: .ci/run must install it (apt-get install chromium)');
    }));
  } else describe.skip(`${name} (skipped: no Chromium at ${CHROMIUM_PATH})`, body);
}
