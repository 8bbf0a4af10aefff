import { createHmac } from 'node:crypto';
import schemaV1 from '../schemas/puente-clk-v1.json';

/**
 * Puente's CLK encoder (cryptographic long-term key: a Bloom filter of the n-grams of the identifying
 * fields, Schnell et al. 2009; the anonlink/clkhash family). Pure TypeScript over node:crypto, no Nest
 * dependency: the same code runs in the server (to encode records submitted with plaintext names) and
 * in the agency-side tool (`npm run cli -- clk:encode`), so both produce identical encodings. Every rule
 * comes from the published, versioned schema file (schemas/puente-clk-v1.json), never from code that
 * might change with the matching engine.
 */
export interface ClkSchema {
  id: string;
  version: number;
  bits: number;
  normalisation: {
    particles: string[];
    diminutives: Record<string, string[]>;
    phonetic: Array<[string, string]>;
  };
  fields: Array<{ name: 'firstName' | 'surnames'; k: number }>;
}

/** The identifying fields a CLK encodes (the `names` of a victim record). */
export interface ClkNames {
  firstName?: string | null;
  middleName?: string | null;
  paternalSurname?: string | null;
  maternalSurname?: string | null;
}

export const CLK_SCHEMAS: Readonly<Record<string, ClkSchema>> = { [schemaV1.id]: schemaV1 as unknown as ClkSchema };
export const CLK_SCHEMA_IDS = Object.keys(CLK_SCHEMAS);
export const CURRENT_CLK_SCHEMA = schemaV1.id;

export function clkSchema(id: string): ClkSchema {
  const s = CLK_SCHEMAS[id];
  if (!s) throw new Error(`unknown CLK schema ${id} (known: ${CLK_SCHEMA_IDS.join(', ')})`);
  return s;
}

/** Length in bytes of an encoding of the schema. */
export const clkBytes = (schema: ClkSchema | string): number => (typeof schema === 'string' ? clkSchema(schema) : schema).bits / 8;

const compiled = new WeakMap<ClkSchema, { particles: Set<string>; dim: Map<string, string[]>; rules: Array<[RegExp, string]> }>();
function rulesOf(schema: ClkSchema) {
  let c = compiled.get(schema);
  if (!c) {
    c = {
      particles: new Set(schema.normalisation.particles),
      dim: new Map(Object.entries(schema.normalisation.diminutives)),
      rules: schema.normalisation.phonetic.map(([re, to]) => [new RegExp(re, 'g'), to] as [RegExp, string]),
    };
    compiled.set(schema, c);
  }
  return c;
}

/** NFD, combining marks removed, lower case, a–z and single spaces only. */
export function clkText(s: string | null | undefined): string {
  if (!s) return '';
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z\s]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The normalised tokens of each field (after particles, diminutives and phonetic rewriting). */
export function clkTokens(names: ClkNames, schema: ClkSchema = clkSchema(CURRENT_CLK_SCHEMA)): { firstName: string[]; surnames: string[] } {
  const { particles, dim, rules } = rulesOf(schema);
  const words = (s: string | null | undefined) =>
    clkText(s)
      .split(' ')
      .filter((t) => t && !particles.has(t));
  const phon = (t: string) => rules.reduce((acc, [re, to]) => acc.replace(re, to), t);
  const first = words(`${names.firstName ?? ''} ${names.middleName ?? ''}`).flatMap((t) => dim.get(t) ?? [t]);
  const pat = words(names.paternalSurname);
  const mat = words(names.maternalSurname);
  const surnames = pat.length >= 2 && !mat.length ? [pat[0], pat.slice(1).join('')] : [pat.join(''), mat.join('')].filter((s) => s.length > 0);
  return { firstName: [...new Set(first.map(phon))], surnames: [...new Set(surnames.map(phon))] };
}

const bigrams = (prefix: string, token: string): string[] => {
  const p = `_${token}_`;
  const out: string[] = [];
  for (let i = 0; i + 1 < p.length; i++) out.push(prefix + p.slice(i, i + 2));
  return out;
};

/** The n-gram features of each field, as hashed (a set per field). */
export function clkFeatures(names: ClkNames, schema: ClkSchema = clkSchema(CURRENT_CLK_SCHEMA)): Record<'firstName' | 'surnames', string[]> {
  const t = clkTokens(names, schema);
  return {
    firstName: [...new Set(t.firstName.flatMap((x) => bigrams('f:', x)))],
    surnames: [...new Set(t.surnames.flatMap((x) => bigrams('s:', x)))],
  };
}

/** Field key K_f = HMAC-SHA256(secret, schemaId \0 field). */
const fieldKey = (secret: string, schemaId: string, field: string): Buffer => createHmac('sha256', secret).update(`${schemaId}\0${field}`).digest();

/** Check value of a secret (first 16 hex of HMAC(secret, schemaId \0 'key-check')): shows a CLK was made with the same secret. */
export function clkKeyCheck(secret: string, schemaId: string = CURRENT_CLK_SCHEMA): string {
  return createHmac('sha256', secret).update(`${schemaId}\0key-check`).digest('hex').slice(0, 16);
}

/**
 * A reusable encoder for one schema and secret (field keys derived once). `encode()` returns the raw
 * filter (bits/8 bytes), or null when there is nothing to encode (no name at all).
 */
export class ClkEncoder {
  readonly schema: ClkSchema;
  private readonly keys: Map<string, Buffer>;
  readonly keyCheck: string;

  constructor(secret: string, schemaId: string = CURRENT_CLK_SCHEMA) {
    if (!secret || secret.length < 16) throw new Error('the CLK secret must have at least 16 characters');
    this.schema = clkSchema(schemaId);
    this.keys = new Map(this.schema.fields.map((f) => [f.name, fieldKey(secret, this.schema.id, f.name)]));
    this.keyCheck = clkKeyCheck(secret, this.schema.id);
  }

  encode(names: ClkNames): Buffer | null {
    const feats = clkFeatures(names, this.schema);
    const bits = this.schema.bits;
    const out = Buffer.alloc(bits / 8);
    let any = false;
    for (const f of this.schema.fields) {
      const key = this.keys.get(f.name)!;
      for (const token of feats[f.name]) {
        any = true;
        let set = 0;
        for (let j = 0; set < f.k; j++) {
          const block = createHmac('sha256', key).update(Buffer.from([j])).update(token, 'utf8').digest();
          for (let w = 0; w < 32 && set < f.k; w += 2, set++) {
            const p = block.readUInt16BE(w) % bits;
            out[p >> 3] |= 0x80 >> (p & 7);
          }
        }
      }
    }
    return any ? out : null;
  }

  /** Base64 of encode(), or null. */
  encodeBase64(names: ClkNames): string | null {
    return this.encode(names)?.toString('base64') ?? null;
  }
}

const POP = new Uint8Array(256).map((_, i) => {
  let n = 0;
  for (let x = i; x; x >>= 1) n += x & 1;
  return n;
});

/** Number of set bits. */
export function popcount(a: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += POP[a[i]];
  return n;
}

/** Sørensen–Dice coefficient of two filters of equal length: 2·|a∧b| / (|a| + |b|); 0 when both are empty. */
export function dice(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error('filters of different lengths');
  let both = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    both += POP[a[i] & b[i]];
    na += POP[a[i]];
    nb += POP[b[i]];
  }
  return na + nb === 0 ? 0 : (2 * both) / (na + nb);
}

/**
 * Strict decoding of a base64 CLK: returns the filter, or the reason it is not one of the schema
 * (`base64`: not canonical base64; `length`: wrong number of bytes; `empty`: no bit set).
 */
export function decodeClk(b64: string, schemaId: string): { ok: true; filter: Buffer } | { ok: false; reason: 'schema' | 'base64' | 'length' | 'empty'; expected?: number; got?: number } {
  const schema = CLK_SCHEMAS[schemaId];
  if (!schema) return { ok: false, reason: 'schema' };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return { ok: false, reason: 'base64' };
  const buf = Buffer.from(b64, 'base64');
  if (buf.toString('base64') !== b64) return { ok: false, reason: 'base64' };
  if (buf.length !== schema.bits / 8) return { ok: false, reason: 'length', expected: schema.bits / 8, got: buf.length };
  if (popcount(buf) === 0) return { ok: false, reason: 'empty' };
  return { ok: true, filter: buf };
}
