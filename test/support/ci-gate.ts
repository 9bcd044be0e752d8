/**
 * Suites that need something installed or running (an emulator, Chromium, firebase-tools): under
 * CI=true a missing prerequisite *fails* the suite — one failing test says what is missing and
 * what CI must do — and elsewhere the suite is skipped with a note, so a laptop without the Google
 * Cloud SDK can still run the rest (STYLE.md, "Tests"). The one copy of that rule.
 */
export interface Prerequisite {
  /** What is missing, as a sentence fragment ("the Pub/Sub emulator is not installed"); undefined when all is there. */
  readonly missing: string | undefined;
  /** What CI must do about it (".ci/run must start the emulator"). */
  readonly inCi: string;
}

export function describeWhenAvailable(name: string, prerequisite: Prerequisite, body: () => void): void {
  const { missing } = prerequisite;
  if (missing === undefined) describe(name, body);
  else if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs what is missing under CI: ${missing}`, () => {
        throw new Error(`${missing} and CI=true: ${prerequisite.inCi}; integration tests do not skip in CI`);
      });
    });
  } else describe.skip(`${name} (skipped: ${missing})`, body);
}
