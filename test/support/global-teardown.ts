export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.__obsEmulators ?? []).map((e) => e.stop()));
}
