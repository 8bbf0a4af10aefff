import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const NULL_CODES = ['SI', 'NA', 'NR', 'RESERVED'] as const;
export type NullCode = (typeof NULL_CODES)[number];
export const isNullCode = (code: string): code is NullCode => (NULL_CODES as readonly string[]).includes(code);

export interface CatalogEntryData {
  code: string;
  labelEs: string;
  labelEn: string;
  parent: string | null;
  retiredOn?: string;
  [attribute: string]: unknown;
}

export interface CatalogData {
  name: string;
  version: string;
  validFrom: string;
  labelEs: string;
  labelEn: string;
  description: string;
  multiValued: boolean;
  nullCodes: boolean;
  entries: CatalogEntryData[];
}

/** Where the catalog JSON files live (copied next to the compiled code by nest-cli assets). */
export const CATALOG_DATA_DIR = join(__dirname, '..', 'data');

/**
 * The standard code lists shipped with the code (libs/catalogs/data), held in memory for validation
 * at the API boundary: a code check is a Set lookup, no query. The catalog migration loads the same
 * files into the database, which serves them (with history) at /v1/catalogs.
 */
export class CatalogRegistry {
  private readonly catalogs = new Map<string, CatalogData>();
  private readonly active = new Map<string, Set<string>>();

  constructor(dir = CATALOG_DATA_DIR) {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { catalogs: string[] };
    for (const name of index.catalogs) {
      const data = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as CatalogData;
      this.catalogs.set(name, data);
      const codes = new Set(data.entries.filter((e) => !e.retiredOn).map((e) => e.code));
      if (data.nullCodes) for (const n of NULL_CODES) codes.add(n);
      this.active.set(name, codes);
    }
  }

  names(): string[] {
    return [...this.catalogs.keys()];
  }

  get(name: string): CatalogData | undefined {
    return this.catalogs.get(name);
  }

  /** True when `code` is a current (not retired) code of `catalog`, null codes included when the catalog has them. */
  has(catalog: string, code: string): boolean {
    return this.active.get(catalog)?.has(code) ?? false;
  }

  /** Current codes, for error messages (`allowed`). */
  allowed(catalog: string): string[] {
    return [...(this.active.get(catalog) ?? [])];
  }

  version(catalog: string): string | undefined {
    return this.catalogs.get(catalog)?.version;
  }

  entry(catalog: string, code: string): CatalogEntryData | undefined {
    return this.catalogs.get(catalog)?.entries.find((e) => e.code === code);
  }
}

let shared: CatalogRegistry | undefined;
/** Process-wide registry (the files are immutable at run time). */
export const catalogRegistry = (): CatalogRegistry => (shared ??= new CatalogRegistry());
