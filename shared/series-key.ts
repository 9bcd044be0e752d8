/**
 * The canonical series key of a tag set: keys sorted, `k=v` joined by `,`, with `\`, `,` and `=`
 * escaped by a backslash. Computed once at ingest; rollups group by (name, series_key, window).
 */
export function seriesKey(tags: Readonly<Record<string, string>>): string {
  const keys = Object.keys(tags).sort();
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) out += ',';
    out += escapePart(key) + '=' + escapePart(tags[key] as string);
  }
  return out;
}

function escapePart(part: string): string {
  return /[\\,=]/.test(part) ? part.replace(/[\\,=]/g, (c) => '\\' + c) : part;
}

/** Inverse of {@link seriesKey}. */
export function parseSeriesKey(key: string): Record<string, string> {
  // Entries then fromEntries: a tag named `__proto__` becomes an own property, not a prototype.
  const tags: Array<[string, string]> = [];
  if (key === '') return {};
  let field = '';
  let name: string | undefined;
  for (let i = 0; i < key.length; i++) {
    const c = key[i] as string;
    if (c === '\\' && i + 1 < key.length) {
      field += key[++i];
    } else if (c === '=' && name === undefined) {
      name = field;
      field = '';
    } else if (c === ',') {
      if (name !== undefined) tags.push([name, field]);
      name = undefined;
      field = '';
    } else {
      field += c;
    }
  }
  if (name !== undefined) tags.push([name, field]);
  return Object.fromEntries(tags);
}
