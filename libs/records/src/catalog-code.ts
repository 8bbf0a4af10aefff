import { registerDecorator, type ValidationOptions } from 'class-validator';
import { catalogRegistry, isNullCode } from '@app/catalogs';

/**
 * The value (each value, with `{ each: true }`) must be a current code of `catalog`, null codes
 * included. The field error carries `allowed` and `catalog` (read lazily from the registry).
 */
export function IsCode(catalog: string, options: ValidationOptions = {}): PropertyDecorator {
  const context = {
    catalog: `/v1/catalogs/${catalog}`,
    get allowed(): string[] {
      return catalogRegistry().allowed(catalog);
    },
  };
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCode',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [catalog],
      options: { message: `$property must be a code of catalog ${catalog}`, ...options, context },
      validator: { validate: (value: unknown) => typeof value === 'string' && catalogRegistry().has(catalog, value) },
    });
}

/** A null code (SI, NA, NR, RESERVED) must be the only value of a multi-valued field. */
export function nullCodeAlone(values: string[] | undefined): boolean {
  if (!values || values.length <= 1) return true;
  return !values.some((v) => isNullCode(v));
}

/** Local identifiers: the agency's own id, 1–128 characters `[A-Za-z0-9._:/-]`. */
export const LOCAL_ID = /^[A-Za-z0-9._:/-]{1,128}$/;
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isRealDate(s: string | undefined): boolean {
  if (!s) return true;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export const today = (): string => new Date().toISOString().slice(0, 10);

/** Whole years between two ISO dates. */
export function yearsBetween(from: string, to: string): number {
  const [fy, fm, fd] = from.split('-').map(Number);
  const [ty, tm, td] = to.split('-').map(Number);
  return ty - fy - (tm < fm || (tm === fm && td < fd) ? 1 : 0);
}
