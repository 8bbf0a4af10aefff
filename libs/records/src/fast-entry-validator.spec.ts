import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { catalogRegistry } from '@app/catalogs';
import { prng, syntheticVictim } from '@app/synthetic';
import { compact } from './canonical';
import { compileEntryValidator } from './fast-entry-validator';
import {
  AccusedPersonBatchEntryDto,
  CaseBatchEntryDto,
  JudicialOutcomeBatchEntryDto,
  ReportBatchEntryDto,
  VictimBatchEntryDto,
} from './index';

/**
 * Differential test of the compiled accept-check against class-validator (the batch's options):
 * whatever the compiled check accepts, class-validator must accept too, and the document the batch
 * then works on must be the same. Entries it does not accept go through class-validator (errors
 * unchanged), so it only needs to accept the common, valid case — which is asserted as well.
 */
const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } };
const classValidatorAccepts = (cls: new () => object, raw: object) => validateSync(plainToInstance(cls, raw), OPTIONS).length === 0;
const docOf = (entry: object) => {
  const { localId: _id, ...doc } = entry as { localId: string };
  return compact(doc);
};

type Meta = { propertyName: string; name?: string; constraints: unknown[] };
const propertiesOf = (cls: Function): Meta[] =>
  (getMetadataStorage() as unknown as { getTargetValidationMetadatas(t: Function, s: string, a: boolean, g: boolean): Meta[] }).getTargetValidationMetadatas(cls, '', false, false);

/** Random values for a property: codes of its catalog, plausible strings, wrong types, nesting. */
function valueFor(r: () => number, cls: Function, property: string, depth = 0): unknown {
  const metas = propertiesOf(cls).filter((m) => m.propertyName === property);
  const catalog = metas.find((m) => m.name === 'isCode')?.constraints[0] as string | undefined;
  const codes = catalog ? catalogRegistry().allowed(catalog) : [];
  const strings = ['2020-01-01', '2031-02-30', 'LOMM900101MDFPRR09', '+52 55 1234 5678', 'V-1', '123', 'x', '', ' María ', 'SI', 'NA', 'MEX', '09', 'female'];
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const scalar = (): unknown => {
    const k = r();
    if (codes.length && k < 0.45) return pick(codes);
    if (k < 0.7) return pick(strings);
    if (k < 0.8) return pick([0, 17, -1, 121, 1.5, 3]);
    if (k < 0.87) return pick([true, false]);
    if (k < 0.92) return null;
    return depth < 2 ? { firstName: 'Ana', [pick(['sintra', 'bogus', 'paternalSurname'])]: pick(strings) } : 'y';
  };
  const k = r();
  if (k < 0.55) return scalar();
  if (k < 0.95) return Array.from({ length: Math.floor(r() * 3) }, scalar);
  return depth < 2 ? randomEntry(r, cls, depth + 1) : {};
}

function randomEntry(r: () => number, cls: Function, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of new Set(propertiesOf(cls).map((m) => m.propertyName))) if (r() < 0.6) out[p] = valueFor(r, cls, p, depth);
  if (r() < 0.1) out.unknownField = 'x';
  return out;
}

/** A valid victim with one random change (a field dropped, replaced or added; a nested change). */
function mutatedVictim(r: () => number, i: number): Record<string, unknown> {
  const v = JSON.parse(JSON.stringify(syntheticVictim(i))) as Record<string, unknown>;
  const props = [...new Set(propertiesOf(VictimBatchEntryDto).map((m) => m.propertyName))];
  const p = props[Math.floor(r() * props.length)];
  const k = r();
  if (k < 0.25) delete v[p];
  else if (k < 0.8) v[p] = valueFor(r, VictimBatchEntryDto, p);
  else if (k < 0.9) (v.names as Record<string, unknown>)[['firstName', 'middleName', 'bogus', 'paternalSurname'][Math.floor(r() * 4)]] = [null, '', 'Ana', 3][Math.floor(r() * 4)];
  else v.names = [null, 'Ana', [], [{ firstName: 'Ana' }], {}][Math.floor(r() * 5)];
  return v;
}

describe('compiled batch-entry check', () => {
  it('accepts the valid synthetic victims that class-validator accepts, with the same document', () => {
    const accepts = compileEntryValidator(VictimBatchEntryDto)!;
    expect(accepts).not.toBeNull();
    for (let i = 0; i < 300; i++) {
      const raw = JSON.parse(JSON.stringify(syntheticVictim(i))) as Record<string, unknown>;
      expect(classValidatorAccepts(VictimBatchEntryDto, raw)).toBe(true);
      expect(accepts(raw)).toBe(true);
      expect(docOf(raw)).toEqual(docOf(plainToInstance(VictimBatchEntryDto, raw)));
    }
  });

  it('never accepts a mutated victim that class-validator rejects', () => {
    const accepts = compileEntryValidator(VictimBatchEntryDto)!;
    const r = prng(20261204);
    let rejected = 0;
    let accepted = 0;
    const wrong: object[] = [];
    for (let i = 0; i < 1000; i++) {
      const raw = mutatedVictim(r, i);
      const reference = classValidatorAccepts(VictimBatchEntryDto, raw);
      if (accepts(raw) && (!reference || JSON.stringify(docOf(raw)) !== JSON.stringify(docOf(plainToInstance(VictimBatchEntryDto, raw))))) wrong.push(raw);
      if (reference) accepted++;
      else rejected++;
    }
    expect(wrong).toEqual([]);
    // Both outcomes occur, so the comparison is not vacuous.
    expect(rejected).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(100);
  });

  it.each([
    ['cases', CaseBatchEntryDto],
    ['reports', ReportBatchEntryDto],
    ['accused', AccusedPersonBatchEntryDto],
    ['judicial outcomes', JudicialOutcomeBatchEntryDto],
    ['victims', VictimBatchEntryDto],
  ] as Array<[string, new () => object]>)('never accepts a random %s entry that class-validator rejects', (_kind, cls) => {
    const accepts = compileEntryValidator(cls);
    const r = prng(7);
    const wrong: object[] = [];
    for (let i = 0; i < 600; i++) {
      const raw = randomEntry(r, cls);
      if (accepts?.(raw) && !classValidatorAccepts(cls, raw)) wrong.push(raw);
    }
    expect(wrong).toEqual([]);
  });

  it('rejects non-objects and unknown properties (left to class-validator for the errors)', () => {
    const accepts = compileEntryValidator(VictimBatchEntryDto)!;
    expect(accepts(null)).toBe(false);
    expect(accepts([syntheticVictim(1)])).toBe(false);
    expect(accepts({ ...syntheticVictim(1), extra: 1 })).toBe(false);
  });
});
