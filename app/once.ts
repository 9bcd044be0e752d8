/** A value built on first call, then the same value: how the assemblies build each service only when something uses it. */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
