import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { SLOS, type SloSpec } from '../shared/slo-catalogue';
import { importOpenSlo, type SloFileProblem } from './openslo-import';

/**
 * OBS_SLO_FILE / `obs slo import FILE`: an OpenSLO v1 file merged with the built-in catalogue.
 *
 * Name clash rules (docs/SLOS.md "Importing SLOs"): an imported SLO whose id (metadata.name) is a
 * built-in SLO's must be identical to it — then it is the same SLO and nothing changes (so the
 * file `obs slo export --format openslo` writes imports cleanly); a different definition under a
 * built-in id is a problem (built-in SLOs are changed in shared/slo-catalogue.ts, in review). Ids
 * are unique within the file. Imported SLOs follow the built-in ones, in file order.
 */

export class SloFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly SloFileProblem[],
    /** True when the file could not be read at all (missing, a folder, unreadable). */
    readonly unreadable = false,
  ) {
    super(unreadable ? `${file}: ${problems[0]?.problem ?? 'cannot be read'}` : `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${p.where}: ${p.problem}`).join('\n')}`);
    this.name = 'SloFileError';
  }
}

export interface MergedCatalogue {
  readonly slos: readonly SloSpec[];
  /** The imported SLOs that are not built-in ones. */
  readonly added: readonly SloSpec[];
  /** Imported SLOs identical to a built-in one (no change). */
  readonly same: readonly string[];
}

/** Merges imported SLOs into `builtIn` by the clash rules above; problems (with `earlier` ones) name each clash. */
export function mergeCatalogue(builtIn: readonly SloSpec[], imported: readonly SloSpec[], file: string, earlier: readonly SloFileProblem[] = []): MergedCatalogue {
  const problems: SloFileProblem[] = [...earlier];
  const added: SloSpec[] = [];
  const same: string[] = [];
  for (const slo of imported) {
    const existing = builtIn.find((b) => b.id === slo.id);
    if (!existing) added.push(slo);
    else if (isDeepStrictEqual(normalise(existing), normalise(slo))) same.push(slo.id);
    else problems.push({ where: `${file} (SLO ${slo.id})`, problem: `clashes with the built-in SLO ${slo.id} (shared/slo-catalogue.ts) and differs from it; give it another metadata.name` });
  }
  if (problems.length > 0) throw new SloFileError(file, problems);
  return { slos: [...builtIn, ...added], added, same };
}

/** A spec as plain data (undefined fields dropped), for comparing an import with a built-in. */
export function normalise(slo: SloSpec): unknown {
  return JSON.parse(JSON.stringify(slo));
}

/** Reads, checks and merges a file; throws {@link SloFileError} naming every problem. */
export function loadSloFile(file: string, builtIn: readonly SloSpec[] = SLOS): MergedCatalogue {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SloFileError(file, [{ where: file, problem: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }], true);
  }
  const result = importOpenSlo(text, file);
  if (result.slos.length === 0 && result.problems.length === 0) throw new SloFileError(file, [{ where: file, problem: 'has no SLO document' }]);
  return mergeCatalogue(builtIn, result.slos, file, result.problems);
}
