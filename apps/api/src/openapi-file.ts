import type { OpenAPIObject } from '@nestjs/swagger';

/** Sorts object keys recursively (arrays keep their order: enum order means something). */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => sortKeysDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeysDeep((value as Record<string, unknown>)[k])]),
    ) as T;
  }
  return value;
}

/** The committed form of the contract: sorted keys, two-space indent, trailing newline. */
export const serialiseContract = (document: OpenAPIObject): string => JSON.stringify(sortKeysDeep(document), null, 2) + '\n';

export function assertUniqueOperationIds(document: OpenAPIObject): void {
  const seen = new Map<string, string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item as Record<string, { operationId?: string }>)) {
      const id = op?.operationId;
      if (!id) continue;
      if (seen.has(id)) throw new Error(`operationId ${id} used by ${seen.get(id)} and ${method.toUpperCase()} ${path}`);
      seen.set(id, `${method.toUpperCase()} ${path}`);
    }
  }
}

export const CONTRACT_PATH = 'openapi/openapi.json';
