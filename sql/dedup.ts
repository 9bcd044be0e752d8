/** Drops rows whose key appeared earlier in `rows` (the first one wins), keeping order; returns `rows` itself when nothing repeats. */
export function firstOfEachKey<R>(rows: readonly R[], key: (row: R) => string): readonly R[] {
  const seen = new Set<string>();
  let out: R[] | undefined;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as R;
    const k = key(row);
    if (seen.has(k)) {
      out ??= rows.slice(0, i);
      continue;
    }
    seen.add(k);
    out?.push(row);
  }
  return out ?? rows;
}
