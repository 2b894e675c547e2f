import type { KeyValueBackend } from './key-value-backend';

/**
 * Narrow reads for the lazy history load. Backends that only have `readAll`
 * (the reliability suites' memory device, say) still answer, by reading
 * more than asked and filtering: correct, only slower.
 */
export async function listKeys(backend: KeyValueBackend, prefix: string): Promise<string[]> {
  if (backend.listKeys) return backend.listKeys(prefix);
  return (await backend.readAll(prefix)).map(([key]) => key);
}

export async function readKeys(backend: KeyValueBackend, keys: string[]): Promise<[string, unknown][]> {
  if (keys.length === 0) return [];
  if (backend.readKeys) return backend.readKeys(keys);
  const found = await Promise.all(keys.map(async (key) => (await backend.readAll(key)).filter(([k]) => k === key)));
  return found.flat();
}
