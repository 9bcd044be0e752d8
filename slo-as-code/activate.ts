import { ConfigError } from '../shared/config';
import { SLOS, useSloCatalogue, type SloSpec } from '../shared/slo-catalogue';
import { loadSloFile, SloFileError } from './slo-file';

/**
 * OBS_SLO_FILE: the OpenSLO file merged with the built-in catalogue for the whole process
 * (shared/slo-catalogue.ts activeSlos). Called once by each entry point before any job runs:
 * `obs` (cli/obs.ts, so `obs start` and every command) and the Cloud Functions assembly
 * (app/production.ts). A bad file is a configuration error (exit 78, or a function that fails
 * fast) naming every problem. Unset: the built-in catalogue.
 */
export const SLO_FILE_VARIABLE = 'OBS_SLO_FILE';

export function sloCatalogueFromEnv(env: Readonly<Record<string, string | undefined>>): readonly SloSpec[] {
  const file = env[SLO_FILE_VARIABLE]?.trim();
  if (!file) return SLOS;
  try {
    return loadSloFile(file).slos;
  } catch (error) {
    if (error instanceof SloFileError) throw new ConfigError(SLO_FILE_VARIABLE, `${SLO_FILE_VARIABLE}=${error.message}`);
    throw error;
  }
}

/** Makes the catalogue of `env` the one in use; returns it. */
export function activateSloCatalogue(env: Readonly<Record<string, string | undefined>> = process.env): readonly SloSpec[] {
  const slos = sloCatalogueFromEnv(env);
  useSloCatalogue(slos);
  return slos;
}
