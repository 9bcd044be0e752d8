import { readFileSync } from 'node:fs';
import { PRICE_IDS, PRICES, type Price, type PriceId, type PriceTable } from '../../shared/prices';

/** OBS_PRICES_FILE: a JSON file overriding list prices (docs/COST.md, "Your prices"). */
export const PRICES_FILE_ENV = 'OBS_PRICES_FILE';

const OVERRIDABLE = ['usd', 'freeUnitsPerMonth', 'source', 'recorded'] as const;

/**
 * The price table with the overrides of `text` (the file's content): an object keyed by price id
 * (shared/prices.ts), each value an object of `usd`, `freeUnitsPerMonth` (numbers ≥ 0), `source`,
 * `recorded` (strings). Throws, naming the file and the problem, on anything else: a typo must not
 * silently leave a list price in place.
 */
export function applyPriceOverrides(text: string, file: string): PriceTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${PRICES_FILE_ENV}=${file}: not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${PRICES_FILE_ENV}=${file}: must be a JSON object keyed by price id (${PRICE_IDS.join(', ')})`);
  const table: Record<PriceId, Price> = { ...PRICES };
  for (const [id, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!(PRICE_IDS as string[]).includes(id)) throw new Error(`${PRICES_FILE_ENV}=${file}: unknown price "${id}"; the prices are ${PRICE_IDS.join(', ')}`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${PRICES_FILE_ENV}=${file}: "${id}" must be an object such as {"usd": 0.03}`);
    const patch: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (!(OVERRIDABLE as readonly string[]).includes(key)) throw new Error(`${PRICES_FILE_ENV}=${file}: "${id}.${key}" cannot be set; use ${OVERRIDABLE.join(', ')}`);
      const numeric = key === 'usd' || key === 'freeUnitsPerMonth';
      if (numeric ? typeof v !== 'number' || !Number.isFinite(v) || v < 0 : typeof v !== 'string') {
        throw new Error(`${PRICES_FILE_ENV}=${file}: "${id}.${key}" must be ${numeric ? 'a number ≥ 0' : 'a string'}`);
      }
      patch[key] = v;
    }
    table[id as PriceId] = { ...PRICES[id as PriceId], ...patch, ...(patch.source === undefined && patch.usd !== undefined ? { source: file } : {}) };
  }
  return table;
}

/** The prices in force: the list prices, overridden by OBS_PRICES_FILE when it is set. */
export function loadPrices(env: Readonly<Record<string, string | undefined>> = process.env): PriceTable {
  const file = env[PRICES_FILE_ENV];
  if (file === undefined || file === '') return PRICES;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${PRICES_FILE_ENV}=${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
  return applyPriceOverrides(text, file);
}
