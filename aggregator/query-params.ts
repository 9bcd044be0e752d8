import { paramsUsedBy, type SqlQuery } from '../sql/dialect';
import type { Params } from '../sql/warehouse';

/**
 * The subset of `params` that `query` references as `@name`. The jobs build one parameter set per
 * step and run several queries with it; DuckDB rejects a parameter a statement does not use.
 */
export function paramsFor(query: SqlQuery, params: Params): Params {
  return paramsUsedBy(query.text, params);
}
